import type { TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

/**
 * The wasm Slice kernel reads its whole input back (readSync copies the heap region)
 * before copying the slice, so taking 100 rows of a 60000-row tensor costs as much as
 * copying all of it. This version copies only the selected runs, straight from the heap.
 */
export function overrideSlice(tf: Tf): boolean {
  return overrideWasmKernel(tf, "Slice", (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    if (x.dtype !== "float32" && x.dtype !== "int32") return undefined;
    const attrs = params.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as unknown as Parameters<typeof tf.slice_util.parseSliceParams>[0],
      attrs.begin,
      attrs.size,
    );
    const rank = x.shape.length;
    const out = backend.makeOutput(size, x.dtype);
    if (sizeOf(size) === 0) return out;
    // Views only after makeOutput: an allocation may grow (and detach) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    // The innermost run of contiguous elements: trailing axes taken whole join the last one.
    let inner = rank === 0 ? 1 : size[rank - 1]!;
    let outer = rank - 1;
    while (outer > 0 && size[outer]! === x.shape[outer]! && begin[outer] === 0) {
      outer--;
      inner = size[outer]! * (outer + 1 < rank ? strides[outer]! : 1);
    }
    if (rank === 0) {
      dst.set(src.subarray(0, 1));
      return out;
    }
    // Iterate over the index tuples of axes 0..outer-1, copying runs along axes outer..end.
    const counts = size.slice(0, outer);
    const idx = new Array<number>(outer).fill(0);
    let o = 0;
    for (;;) {
      let offset = begin[outer]! * (outer + 1 < rank ? strides[outer]! : 1);
      for (let a = 0; a < outer; a++) offset += (begin[a]! + idx[a]!) * strides[a]!;
      dst.set(src.subarray(offset, offset + inner), o);
      o += inner;
      let a = outer - 1;
      while (a >= 0) {
        idx[a]!++;
        if (idx[a]! < counts[a]!) break;
        idx[a] = 0;
        a--;
      }
      if (a < 0) break;
    }
    return out;
  });
}
