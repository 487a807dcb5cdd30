/**
 * Adam's element-wise update as a tiny WebAssembly SIMD function that works directly on
 * the tfjs wasm backend's memory (imported, not copied). Every operation is the float32
 * operation tfjs's AdamOptimizer performs through its kernels, in the same order, and
 * wasm's f32x4 arithmetic is IEEE-exact, so results match tfjs's Adam bit for bit while
 * streaming each array once instead of through ~10 kernels.
 */
import {
  ADD,
  BR,
  BR_IF,
  DIV,
  END,
  GET,
  I32_ADD,
  I32_CONST,
  I32_GE_U,
  LOAD,
  MUL,
  SET,
  SPLAT,
  SQRT,
  STORE,
  instantiateOverMemory,
  wasmModuleBytes,
} from "./wasm-asm.js";

/**
 * adam(w, out, g, m, v, bytes, β1, β2, 1−β1, 1−β2, c1, c2, ε, −lr) over `bytes` bytes
 * (a multiple of 16) of each array, byte offsets into memory:
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (g·g)·(1−β2);
 *   out ← ((m/c1) / (√(v/c2) + ε))·(−lr) + w
 */
export type SimdAdam = (
  w: number,
  out: number,
  g: number,
  m: number,
  v: number,
  bytes: number,
  b1: number,
  b2: number,
  a1: number,
  a2: number,
  c1: number,
  c2: number,
  eps: number,
  negLr: number,
) => void;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // Parameters 0–5 are i32 (w, out, g, m, v, bytes), 6–13 f32 (b1, b2, a1, a2, c1, c2,
  // eps, negLr); local 14 is the byte index, 15–22 the splatted constants, 23–25 g, m, v.
  const [W, OUT, G, M, V, BYTES] = [0, 1, 2, 3, 4, 5];
  const I = 14;
  const K = (p: number) => 15 + (p - 6);
  const [GV, MV, VV] = [23, 24, 25];
  const at = (base: number) => [GET, base, GET, I, I32_ADD];
  const code: number[] = [];
  for (let p = 6; p <= 13; p++) code.push(GET, p, ...SPLAT, SET, K(p));
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(GET, I, GET, BYTES, I32_GE_U, BR_IF, 1);
  code.push(...at(G), ...LOAD, SET, GV);
  // m ← m·β1 + g·(1−β1)
  code.push(...at(M), ...LOAD, GET, K(6), ...MUL, GET, GV, GET, K(8), ...MUL, ...ADD, SET, MV);
  // v ← v·β2 + (g·g)·(1−β2)
  code.push(...at(V), ...LOAD, GET, K(7), ...MUL);
  code.push(GET, GV, GET, GV, ...MUL, GET, K(9), ...MUL, ...ADD, SET, VV);
  code.push(...at(M), GET, MV, ...STORE, ...at(V), GET, VV, ...STORE);
  // out ← ((m/c1) / (√(v/c2) + ε))·(−lr) + w
  code.push(...at(OUT), GET, MV, GET, K(10), ...DIV);
  code.push(GET, VV, GET, K(11), ...DIV, ...SQRT, GET, K(12), ...ADD, ...DIV);
  code.push(GET, K(13), ...MUL, ...at(W), ...LOAD, ...ADD, ...STORE);
  code.push(GET, I, I32_CONST, 16, I32_ADD, SET, I, BR, 0);
  code.push(END, END, END); // loop, block, function
  const locals = [0x02, 0x01, 0x7f, 0x0b, 0x7b]; // 1 × i32, 11 × v128
  const params = [...Array(6).fill(0x7f), ...Array(8).fill(0x7d)];
  return wasmModuleBytes({ name: "adam", params, locals, code });
}

/**
 * The SIMD update bound to `memory`, or null where this runtime lacks wasm SIMD or the
 * memory cannot be imported (e.g. a shared memory of the threaded backend).
 */
export function simdAdam(memory: unknown): SimdAdam | null {
  return instantiateOverMemory<SimdAdam>(moduleBytes(), "adam", memory);
}
