import type { TensorInfo } from "@tensorflow/tfjs";
import { mapInto, type SimdMap } from "../simd-math.js";
import { perMemory, wasmMemoryOf } from "../wasm-asm.js";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

/**
 * Replaces the float32 case of the element-wise wasm kernel `name` by a SIMD map over the
 * heap (`make` binds it to the backend's memory, once per memory), with `scalar` for the
 * last n mod 4 values. Defers to the original kernel where SIMD is unavailable.
 */
export function overrideUnarySimd(
  tf: Tf,
  name: string,
  make: (memory: unknown) => SimdMap | null,
  scalar: (v: number) => number,
): boolean {
  const mapFor = perMemory(make);
  return overrideWasmKernel(tf, name, (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return undefined;
    const simd = mapFor(wasmMemoryOf(params.backend));
    if (simd === null) return undefined;
    const out = backend.makeOutput([...x.shape], "float32");
    // Views after the allocation, which may have grown (and detached) the heap.
    mapInto(
      simd,
      backend.typedArrayFromHeap(x) as Float32Array,
      backend.typedArrayFromHeap(out) as Float32Array,
      scalar,
    );
    return out;
  });
}
