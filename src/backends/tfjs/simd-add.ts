/**
 * dst ← dst + src over the tfjs wasm backend's memory, four float32 lanes at a time
 * (IEEE-exact, so the same bits as a scalar loop). Data-parallel replicas sum their
 * gradients with it: a plain JS loop over the ~650k gradient values of the MNIST VAE
 * costs ~1 ms a step, this ~0.1 ms.
 */
import { mapModuleBytes } from "./simd-math.js";
import { ADD, GET, instantiateOverMemory } from "./wasm-asm.js";

/** add(x, y, out, bytes): out ← x + y; byte offsets into the memory, `bytes` a multiple of 16. */
export type SimdAdd = (x: number, y: number, out: number, bytes: number) => void;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return mapModuleBytes("add", (b, x, y) => b.code.push(GET, x!, GET, y!, ...ADD), 2);
}

/** The SIMD addition bound to `memory`, or null where wasm SIMD or the import fails. */
export function simdAdd(memory: unknown): SimdAdd | null {
  return instantiateOverMemory<SimdAdd>(moduleBytes(), "add", memory);
}

/**
 * dst ← dst + src for float32 views into `memory` (the SIMD loop for whole groups of four,
 * scalar for the rest); `add` null: all scalar.
 */
export function addInPlace(add: SimdAdd | null, dst: Float32Array, src: Float32Array): void {
  const n = dst.length;
  const vectorised = add === null ? 0 : n - (n % 4);
  if (vectorised > 0) add!(dst.byteOffset, src.byteOffset, dst.byteOffset, vectorised * 4);
  for (let i = vectorised; i < n; i++) dst[i]! += src[i]!;
}
