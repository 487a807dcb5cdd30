/**
 * softplus(x) = log(1 + eˣ) over the tfjs wasm backend's memory, four lanes at a time.
 * tfjs-backend-wasm's Softplus kernel calls scalar libm (~14 ns per element); the Bernoulli
 * log-likelihood of a 784-pixel decoder evaluates it on every output, which made it the
 * largest element-wise cost of an MNIST training step. Here:
 *
 *   softplus(x) = max(x, 0) + log1p(e),  e = exp(−|x|) ∈ (0, 1]
 *   exp:   Cody–Waite reduction y = k·ln 2 + r, |r| ≤ ln2/2, and Cephes' expf polynomial
 *          (≈ 1 ulp); 2ᵏ is built in the exponent bits. y is clamped at −87.3 (k ≥ −126),
 *          so e never underflows; softplus(x) for x < −87.3 is then e^−87.3 ≈ 1.2e−38
 *          instead of eˣ, an absolute difference below 2e−38.
 *   log1p: s = e / (2 + e) ∈ (0, 1/3], log1p(e) = 2·atanh(s) = 2s·Σₙ s²ⁿ/(2n + 1), eight
 *          terms (the ninth is < (1/9)⁸/17 ≈ 4e−9 of the sum).
 *
 * Relative error a few float32 ulp (test/backends/tfjs/wasm-kernels.test.ts bounds it).
 */
import {
  ABS,
  ADD,
  BR,
  BR_IF,
  DIV,
  END,
  GET,
  I32_ADD,
  I32_CONST,
  I32_GE_U,
  I32X4_ADD,
  I32X4_SHL,
  I32X4_SPLAT,
  I32X4_TRUNC_SAT_F32X4_S,
  LOAD,
  MAX,
  MUL,
  NEAREST,
  NEG,
  SET,
  SPLAT,
  STORE,
  SUB,
  f32Const,
  instantiateOverMemory,
  uleb,
  wasmModuleBytes,
} from "./wasm-asm.js";

/** softplus(x, out, bytes): byte offsets into the memory; `bytes` a multiple of 16. */
export type SimdSoftplus = (x: number, out: number, bytes: number) => void;

const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
  5.0000001201e-1,
];
const ATANH_TERMS = 8;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const [X, OUT, BYTES, I] = [0, 1, 2, 3];
  // v128 locals from 4: the value, scratch, and splatted constants.
  let next = 4;
  const local = () => next++;
  const [V, Y, K, R, P, E, S, S2, Q] = Array.from({ length: 9 }, local);
  const code: number[] = [];
  const constants = new Map<number, number>();
  const constant = (c: number) => {
    let l = constants.get(c);
    if (l === undefined) {
      l = local();
      constants.set(c, l);
      code.push(...f32Const(c), ...SPLAT, SET, l);
    }
    return [GET, l];
  };
  const [MIN_Y, LOG2E, LN2_HI, LN2_LO, ONE, TWO, ZERO] = [
    -87.33654, 1.4426950408889634, 0.693359375, -2.1219444e-4, 1, 2, 0,
  ].map((c) => constant(c));
  const poly = EXP_POLY.map((c) => constant(c));
  const atanh = Array.from({ length: ATANH_TERMS }, (_, n) => constant(1 / (2 * n + 1)));
  const bias = local();
  code.push(I32_CONST, ...[0xff, 0x00], ...I32X4_SPLAT, SET, bias); // 127 as signed LEB128

  const at = (base: number) => [GET, base, GET, I, I32_ADD];
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(GET, I, GET, BYTES, I32_GE_U, BR_IF, 1);
  code.push(...at(X), ...LOAD, SET, V);
  // y = max(−|x|, −87.3); k = nearest(y·log2 e); r = y − k·ln2 (in two parts)
  code.push(GET, V, ...ABS, ...NEG, ...MIN_Y!, ...MAX, SET, Y);
  code.push(GET, Y, ...LOG2E!, ...MUL, ...NEAREST, SET, K);
  code.push(GET, Y, GET, K, ...LN2_HI!, ...MUL, ...SUB, GET, K, ...LN2_LO!, ...MUL, ...SUB, SET, R);
  // p = poly(r)·r² + r + 1, poly by Horner's rule
  code.push(...poly[0]!);
  for (const c of poly.slice(1)) code.push(GET, R, ...MUL, ...c, ...ADD);
  code.push(GET, R, GET, R, ...MUL, ...MUL, GET, R, ...ADD, ...ONE!, ...ADD, SET, P);
  // e = p · 2ᵏ, 2ᵏ = bits((k + 127) << 23)
  code.push(GET, K, ...I32X4_TRUNC_SAT_F32X4_S, GET, bias, ...I32X4_ADD);
  code.push(I32_CONST, 23, ...I32X4_SHL, GET, P, ...MUL, SET, E);
  // s = e / (e + 2); log1p(e) = 2s · Σ s²ⁿ/(2n+1)
  code.push(GET, E, GET, E, ...TWO!, ...ADD, ...DIV, SET, S);
  code.push(GET, S, GET, S, ...MUL, SET, S2);
  code.push(...atanh[ATANH_TERMS - 1]!, SET, Q);
  for (let n = ATANH_TERMS - 2; n >= 0; n--) {
    code.push(GET, Q, GET, S2, ...MUL, ...atanh[n]!, ...ADD, SET, Q);
  }
  code.push(...at(OUT));
  code.push(GET, V, ...ZERO!, ...MAX, GET, S, GET, S, ...ADD, GET, Q, ...MUL, ...ADD, ...STORE);
  code.push(GET, I, I32_CONST, 16, I32_ADD, SET, I, BR, 0);
  code.push(END, END, END); // loop, block, function
  const v128s = next - 4;
  const locals = [0x02, 0x01, 0x7f, ...uleb(v128s), 0x7b];
  return wasmModuleBytes({ name: "softplus", params: [0x7f, 0x7f, 0x7f], locals, code });
}

/** The SIMD softplus bound to `memory`, or null where wasm SIMD or the import fails. */
export function simdSoftplus(memory: unknown): SimdSoftplus | null {
  return instantiateOverMemory<SimdSoftplus>(moduleBytes(), "softplus", memory);
}
