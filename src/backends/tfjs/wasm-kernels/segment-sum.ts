import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { sizeOf, type WasmBackend } from "./override.js";

let registered = 0;

export function segmentSumRegistrations(): number {
  return registered;
}

function accumulate(
  src: Float32Array | Int32Array,
  ids: ArrayLike<number>,
  dst: Float32Array | Int32Array,
  width: number,
  segments: number,
): void {
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    // Out-of-range ids are dropped, as in TensorFlow.
    if (s < 0 || s >= segments) continue;
    const from = i * width;
    const to = s * width;
    for (let j = 0; j < width; j++) dst[to + j]! += src[from + j]!;
  }
}

/**
 * tfjs-backend-wasm has no UnsortedSegmentSum kernel, which is the gradient of gather
 * (tf.gather's backward pass scatters-adds dy into the gathered rows). Without it a table
 * net cannot be trained on wasm. Rows of x are added into row segmentIds[i] of the output.
 */
export function registerUnsortedSegmentSum(tf: Tf): boolean {
  const existing = tf.getKernel("UnsortedSegmentSum", "wasm") as KernelConfig | undefined;
  if (existing !== undefined) return false;
  const kernelFunc = ((params: {
    inputs: { x: TensorInfo; segmentIds: TensorInfo };
    backend: unknown;
    attrs: { numSegments: number };
  }) => {
    const backend = params.backend as WasmBackend;
    const { x, segmentIds } = params.inputs;
    if (x.dtype !== "float32" && x.dtype !== "int32") {
      throw new Error(`UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
    }
    const numSegments = params.attrs.numSegments;
    const rowShape = x.shape.slice(segmentIds.shape.length);
    const ids = backend.readSync(segmentIds.dataId);
    const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
    const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    dst.fill(0);
    const width = sizeOf(rowShape);
    if (width > 0 && ids.length > 0) {
      accumulate(
        backend.typedArrayFromHeap(x) as Float32Array | Int32Array,
        ids,
        dst,
        width,
        numSegments,
      );
    }
    return out;
  }) as unknown as KernelConfig["kernelFunc"];
  tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc });
  registered++;
  return true;
}
