import { seededUniform } from "./random.js";
import type { Dataset } from "./types.js";

/**
 * The toy problem of Alemi et al., "Fixing a Broken ELBO" (ICML 2018), §4.1: a hidden
 * binary component c ~ Bernoulli(0.7), a hidden value h | c ~ N(mean_c, scale²), and the
 * observation x = h rounded to the nearest of the 30 bins 0..29 (values below 0.5 fall in
 * bin 0, values from 28.5 up in bin 29, so no probability is lost). The parameters make
 * I(X; C) ≈ 0.5 nats, the "ideal rate" the paper targets.
 */
export const BROKEN_ELBO_TOY = {
  bins: 30,
  components: [
    { weight: 0.3, mean: 10, scale: 3 },
    { weight: 0.7, mean: 20, scale: 3 },
  ],
  trainSize: 50_000,
  testSize: 10_000,
  trainSeed: 20180101,
  testSeed: 20180102,
} as const;

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erfc(x) for x >= 0 to about 1e-16 absolute: the everywhere-positive series
 * erf(x) = 2/√π e^{-x²} Σ x (2x²)^n / (2n+1)!! below 3 (no cancellation among terms),
 * and the Laplace continued fraction, evaluated by Lentz's method, from 3 up.
 */
function erfcNonNegative(x: number): number {
  if (x < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return 1 - ((2 / SQRT_PI) * Math.exp(-x2) * sum);
  }
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** P(Z > t) for a standard normal Z, accurate in the far tail. */
export function normalUpperTail(t: number): number {
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  return t >= 0 ? 0.5 * erfcNonNegative(t / Math.SQRT2) : 1 - 0.5 * erfcNonNegative(-t / Math.SQRT2);
}

/** P(a < Z < b) for a standard normal Z, computed from the tail nearer to the interval. */
export function normalIntervalProbability(a: number, b: number): number {
  if (a >= 0) return normalUpperTail(a) - normalUpperTail(b);
  if (b <= 0) return normalUpperTail(-b) - normalUpperTail(-a);
  return 1 - normalUpperTail(-a) - normalUpperTail(b);
}

/** p(x = j | c): the mass of N(mean, scale²) on bin j = [j − ½, j + ½), outer bins unbounded. */
export function discretizedNormal(mean: number, scale: number, bins: number): Float64Array {
  const p = new Float64Array(bins);
  for (let j = 0; j < bins; j++) {
    const lo = j === 0 ? -Infinity : (j - 0.5 - mean) / scale;
    const hi = j === bins - 1 ? Infinity : (j + 0.5 - mean) / scale;
    p[j] = normalIntervalProbability(lo, hi);
  }
  return p;
}

/** The conditionals p(x | c), one per component. */
export function brokenElboConditionals(): Float64Array[] {
  const { bins, components } = BROKEN_ELBO_TOY;
  return components.map((c) => discretizedNormal(c.mean, c.scale, bins));
}

/** The data distribution p(x) = Σ_c π_c p(x | c) over the 30 bins. */
export function brokenElboDistribution(): Float64Array {
  const { bins, components } = BROKEN_ELBO_TOY;
  const conditionals = brokenElboConditionals();
  const p = new Float64Array(bins);
  components.forEach((c, i) => {
    for (let j = 0; j < bins; j++) p[j] += c.weight * conditionals[i][j];
  });
  return p;
}

/** Shannon entropy in nats, −Σ p log p (0 log 0 = 0). */
export function entropyNats(p: ArrayLike<number>): number {
  let h = 0;
  for (let j = 0; j < p.length; j++) if (p[j] > 0) h -= p[j] * Math.log(p[j]);
  return h;
}

/** H(X) of the toy data distribution, in nats. */
export function brokenElboEntropy(): number {
  return entropyNats(brokenElboDistribution());
}

/** I(X; C) = H(X) − Σ_c π_c H(X | C = c): the information x carries about its component. */
export function brokenElboMutualInformation(): number {
  const conditionals = brokenElboConditionals();
  let conditional = 0;
  BROKEN_ELBO_TOY.components.forEach((c, i) => (conditional += c.weight * entropyNats(conditionals[i])));
  return brokenElboEntropy() - conditional;
}

/** `n` independent draws from the categorical distribution `p`, by inverting its CDF. */
export function sampleCategorical(p: ArrayLike<number>, n: number, seed: number): Float32Array {
  const cdf = new Float64Array(p.length);
  let acc = 0;
  for (let j = 0; j < p.length; j++) cdf[j] = acc += p[j];
  const uniform = seededUniform(seed);
  const out = new Float32Array(n);
  const last = p.length - 1;
  for (let i = 0; i < n; i++) {
    const u = uniform() * acc;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** The deterministic train and test samples of the toy problem. */
export function brokenElboSamples(): { train: Dataset; test: Dataset } {
  const { trainSize, testSize, trainSeed, testSeed } = BROKEN_ELBO_TOY;
  const p = brokenElboDistribution();
  const make = (split: string, n: number, seed: number): Dataset => ({
    source: `toy:broken-elbo/${split}`,
    rows: n,
    dim: 1,
    values: sampleCategorical(p, n, seed),
  });
  return { train: make("train", trainSize, trainSeed), test: make("test", testSize, testSeed) };
}
