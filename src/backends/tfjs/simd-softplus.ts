/**
 * softplus(x) = log(1 + eˣ) over the tfjs wasm backend's memory, four lanes at a time.
 * tfjs-backend-wasm's Softplus kernel calls scalar libm (~14 ns per element); the Bernoulli
 * log-likelihood of a 784-pixel decoder evaluates it on every output, which made it the
 * largest element-wise cost of an MNIST training step. Here:
 *
 *   softplus(x) = max(x, 0) + log1p(e),  e = exp(−|x|) ∈ (0, 1]
 *   exp:   simd-math.ts's emitExp (≈ 1 ulp), with −|x| clamped at −87.3 so e never
 *          underflows; softplus(x) for x < −87.3 is then e^−87.3 ≈ 1.2e−38 instead of eˣ,
 *          an absolute difference below 2e−38.
 *   log1p: s = e / (2 + e) ∈ (0, 1/3], log1p(e) = 2·atanh(s) = 2s·Σₙ s²ⁿ/(2n + 1), eight
 *          terms (the ninth is < (1/9)⁸/17 ≈ 4e−9 of the sum).
 *
 * Relative error a few float32 ulp (test/backends/tfjs/wasm-kernels.test.ts bounds it).
 */
import { clampExpArg, emitExp, mapModuleBytes, type SimdMap } from "./simd-math.js";
import { ABS, ADD, DIV, GET, MAX, MUL, NEG, SET, instantiateOverMemory } from "./wasm-asm.js";

const ATANH_TERMS = 8;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return mapModuleBytes("softplus", (b, v) => {
    const [y, e, s, s2, q] = [b.local(), b.local(), b.local(), b.local(), b.local()];
    const c = b.code;
    c.push(GET, v, ...ABS, ...NEG, ...clampExpArg(b), SET, y);
    emitExp(b, y, e);
    // s = e / (e + 2); log1p(e) = 2s · Σ s²ⁿ/(2n+1)
    c.push(GET, e, GET, e, ...b.constant(2), ...ADD, ...DIV, SET, s);
    c.push(GET, s, GET, s, ...MUL, SET, s2);
    c.push(...b.constant(1 / (2 * ATANH_TERMS - 1)), SET, q);
    for (let n = ATANH_TERMS - 2; n >= 0; n--) {
      c.push(GET, q, GET, s2, ...MUL, ...b.constant(1 / (2 * n + 1)), ...ADD, SET, q);
    }
    c.push(GET, v, ...b.constant(0), ...MAX, GET, s, GET, s, ...ADD, GET, q, ...MUL, ...ADD);
  });
}

/** The SIMD softplus bound to `memory`, or null where wasm SIMD or the import fails. */
export function simdSoftplus(memory: unknown): SimdMap | null {
  return instantiateOverMemory<SimdMap>(moduleBytes(), "softplus", memory);
}
