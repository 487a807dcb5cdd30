import type { Tensor, Tf } from "../tf.js";

/**
 * Evaluated distribution parameters, keyed by the IR parameter names. Each tensor either
 * has the full shape [N, ...event] (or [N, ...event, K] for Categorical) or no batch axis
 * at all, so that right-aligned broadcasting against [N, ...event] is correct.
 */
export type ParamTensors = Readonly<Record<string, Tensor>>;

/**
 * A distribution family on the tfjs backend, keyed by the IR `dist` name. Every density is
 * the product over the event dimensions, so results are one number per batch row.
 */
export interface DistributionImpl {
  readonly name: string;
  /** Samples are a differentiable function of the parameters (pathwise gradients). */
  readonly reparameterized: boolean;
  /**
   * Parameters carry a leading component axis K before the event dims (mixtures), so
   * batched parameters are aligned to [N, K, ...event] (a lower-rank one gets a singleton
   * K axis) and unbatched ones broadcast against it right-aligned.
   */
  readonly componentAxis?: boolean;
  /** log p(value) summed over the event dims: value [N, ...event] → [N]. */
  logProb(tf: Tf, params: ParamTensors, value: Tensor): Tensor;
  /** A sample of shape `shape` = [N, ...event]; seeded, so repeatable. */
  sample(tf: Tf, params: ParamTensors, shape: number[], seed: number): Tensor;
  /** Entropy summed over the event dims, [N]; `shape` = [N, ...event]. */
  entropy(tf: Tf, params: ParamTensors, shape: number[]): Tensor;
  /**
   * E[x] per event dim, [N, ...event] for `shape` = [N, ...event]. A family over
   * categories has no numeric mean: it returns the probability vector, [N, ...event, K].
   */
  mean(tf: Tf, params: ParamTensors, shape: number[]): Tensor;
  /**
   * The standard deviation per event dim, [N, ...event], where it summarises the spread of
   * a value (continuous and binary families); null for a family over unordered categories.
   */
  stddev(tf: Tf, params: ParamTensors, shape: number[]): Tensor | null;
}

/** A family over a finite set {0..K-1}: its log-probabilities can be listed. */
export interface EnumerableImpl extends DistributionImpl {
  /** Normalised log-probabilities over the last axis (K). */
  logProbs(tf: Tf, params: ParamTensors): Tensor;
  categories(params: ParamTensors): number;
}

export function isEnumerable(d: DistributionImpl): d is EnumerableImpl {
  return "logProbs" in d;
}

/** The smallest normal float32: keeps log() finite for probabilities that underflow to 0. */
export const TINY = 1.1754943508222875e-38;

export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function requireParam(params: ParamTensors, name: string, dist: string): Tensor {
  const t = params[name];
  if (t === undefined) throw new Error(`${dist}: missing parameter '${name}'`);
  return t;
}

/**
 * Sums an elementwise term over the event dims of `shape` = [N, ...event]. Terms that do
 * not depend on the batch (all parameters unbatched) are broadcast to N rows first.
 */
export function sumEvent(tf: Tf, t: Tensor, shape: number[]): Tensor {
  let full = t;
  if (!sameShape(t.shape, shape)) full = tf.broadcastTo(t, shape);
  if (shape.length <= 1) return full;
  const axes = Array.from({ length: shape.length - 1 }, (_, i) => i + 1);
  return tf.sum(full, axes);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
