import type { TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

/**
 * The wasm GatherV2 kernel copies element by element with index arithmetic (about 3 ms for
 * 100 rows of 784 floats). Gathering whole rows (axis 0, the minibatch and table-lookup
 * case) is a memcpy per index.
 */
export function overrideGather(tf: Tf): boolean {
  return overrideWasmKernel(tf, "GatherV2", (params, backend) => {
    const { x, indices } = params.inputs as unknown as { x: TensorInfo; indices: TensorInfo };
    const attrs = params.attrs as unknown as { axis: number; batchDims: number };
    if (x.dtype !== "float32" && x.dtype !== "int32") return undefined;
    if (x.shape.length === 0 || (attrs.batchDims ?? 0) !== 0) return undefined;
    const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
    if (axis !== 0) return undefined;
    const idx = backend.readSync(indices.dataId);
    const rows = x.shape[0]!;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      if (!(r >= 0 && r <= rows - 1)) {
        throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
      }
    }
    const rowShape = x.shape.slice(1);
    const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype);
    const width = sizeOf(rowShape);
    if (width === 0 || idx.length === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    for (let i = 0; i < idx.length; i++) {
      const from = idx[i]! * width;
      dst.set(src.subarray(from, from + width), i * width);
    }
    return out;
  });
}
