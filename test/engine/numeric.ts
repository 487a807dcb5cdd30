/** Numeric helpers for tests: float32 error bounds and Monte Carlo statistics. */

/** Unit roundoff of float32. */
export const U32 = 2 ** -24;

/**
 * Error bound for a float32 computation of `ops` rounding steps whose intermediate
 * magnitudes are bounded by `scale`: γ_n·scale with γ_n = n·u / (1 − n·u).
 */
export function f32Bound(ops: number, scale: number): number {
  return ((ops * U32) / (1 - ops * U32)) * scale;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample mean and its standard error (sample standard deviation / √n). */
export function meanAndSe(xs: ArrayLike<number>): { mean: number; se: number } {
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i]! - m) ** 2;
  const sd = Math.sqrt(ss / (xs.length - 1));
  return { mean: m, se: sd / Math.sqrt(xs.length) };
}

/** A seeded uniform [0, 1) stream (mulberry32), independent of the code under test. */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32-representable values uniform in [lo, hi). */
export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const u = uniforms(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * u();
  return out;
}

export function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
