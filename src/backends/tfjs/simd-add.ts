/**
 * dst ← dst + src over the tfjs wasm backend's memory, four float32 lanes at a time
 * (IEEE-exact, so the same bits as a scalar loop). Data-parallel replicas sum their
 * gradients with it: a plain JS loop over the ~650k gradient values of the MNIST VAE
 * costs ~1 ms a step, this ~0.1 ms.
 */
import {
  ADD,
  BR,
  BR_IF,
  END,
  GET,
  I32_ADD,
  I32_CONST,
  I32_GE_U,
  LOAD,
  SET,
  STORE,
  instantiateOverMemory,
  wasmModuleBytes,
} from "./wasm-asm.js";

/** add(dst, src, bytes): byte offsets into the memory; `bytes` a multiple of 16. */
export type SimdAdd = (dst: number, src: number, bytes: number) => void;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const [DST, SRC, BYTES, I] = [0, 1, 2, 3];
  const at = (base: number) => [GET, base, GET, I, I32_ADD];
  const code: number[] = [0x02, 0x40, 0x03, 0x40]; // block, loop
  code.push(GET, I, GET, BYTES, I32_GE_U, BR_IF, 1);
  code.push(...at(DST), ...at(DST), ...LOAD, ...at(SRC), ...LOAD, ...ADD, ...STORE);
  code.push(GET, I, I32_CONST, 16, I32_ADD, SET, I, BR, 0);
  code.push(END, END, END); // loop, block, function
  const locals = [0x01, 0x01, 0x7f]; // 1 × i32
  return wasmModuleBytes({ name: "add", params: [0x7f, 0x7f, 0x7f], locals, code });
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
  if (vectorised > 0) add!(dst.byteOffset, src.byteOffset, vectorised * 4);
  for (let i = vectorised; i < n; i++) dst[i]! += src[i]!;
}
