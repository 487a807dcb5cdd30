import type { TensorInfo } from "@tensorflow/tfjs";
import { simdSoftplus, type SimdSoftplus } from "../simd-softplus.js";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

const bound = new WeakMap<object, SimdSoftplus | null>();

function softplusFor(backend: unknown): SimdSoftplus | null {
  const memory = (backend as { wasm?: { asm?: { memory?: object } } }).wasm?.asm?.memory;
  if (memory === undefined) return null;
  let f = bound.get(memory);
  if (f === undefined) {
    f = simdSoftplus(memory);
    bound.set(memory, f);
  }
  return f;
}

/**
 * Softplus through the SIMD loop of simd-softplus.ts (~1 ns per element instead of the
 * wasm kernel's scalar libm calls, ~14 ns); the last n mod 4 values in JS. Defers to the
 * original kernel where wasm SIMD is unavailable.
 */
export function overrideSoftplus(tf: Tf): boolean {
  return overrideWasmKernel(tf, "Softplus", (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return undefined;
    const simd = softplusFor(params.backend);
    if (simd === null) return undefined;
    const out = backend.makeOutput([...x.shape], "float32");
    // Views after the allocation, which may have grown (and detached) the heap.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    const n = xv.length;
    const vectorised = n - (n % 4);
    if (vectorised > 0) simd(xv.byteOffset, ov.byteOffset, vectorised * 4);
    for (let i = vectorised; i < n; i++) {
      const v = xv[i]!;
      ov[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return out;
  });
}
