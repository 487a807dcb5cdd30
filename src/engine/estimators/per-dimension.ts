import type { ParamSet } from "../../backends/tfjs/compile.js";
import type { ParamTensors } from "../../backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { KlFn } from "../../backends/tfjs/kl/index.js";
import type { VariableIR } from "../../ir/types.js";

/** E: the number of scalar latent dimensions (1 for a scalar latent). */
export function latentDimensions(latent: VariableIR): number {
  return latent.shape.reduce((p, d) => p * d, 1);
}

/**
 * The parameters of a factorised distribution over [N, ...event] as a distribution over
 * [N·E] scalars: each parameter is broadcast to [N, ...event] (plus K for a categorical
 * family) and the event dims folded into the batch axis. Densities and KLs of the result
 * are per latent dimension, because every family here is a product over the event dims.
 */
export function perDimensionParams(
  tf: Tf,
  set: ParamSet,
  rows: number,
  latent: VariableIR,
): ParamTensors {
  const e = latentDimensions(latent);
  const withCategories = set.dist.name === "Categorical" && latent.categories !== undefined;
  const full = withCategories
    ? [rows, ...latent.shape, latent.categories!]
    : [rows, ...latent.shape];
  const flat = withCategories ? [rows * e, latent.categories!] : [rows * e];
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(set.params)) {
    out[name] = tf.reshape(tf.broadcastTo(t, full), flat);
  }
  return out;
}

/** log-density of each latent dimension of `z` [N, ...event] under `set`: [N, E]. */
export function logProbPerDimension(tf: Tf, set: ParamSet, z: Tensor, latent: VariableIR): Tensor {
  const rows = z.shape[0]!;
  const e = latentDimensions(latent);
  const params = perDimensionParams(tf, set, rows, latent);
  return tf.reshape(set.dist.logProb(tf, params, tf.reshape(z, [rows * e])), [rows, e]);
}

/** Mean over the sample axis of a sample-major [L·B, E] matrix → [B, E]. */
export function meanRowsOverSamples(tf: Tf, t: Tensor, samples: number): Tensor {
  if (samples === 1) return t;
  const [rows, e] = t.shape as [number, number];
  return tf.mean(tf.reshape(t, [samples, rows / samples, e]), 0);
}

/** Analytic KL[q ‖ p] per latent dimension, [B, E] (estimator B, dimension by dimension). */
export function analyticRatePerDimension(
  tf: Tf,
  kl: KlFn,
  encoder: ParamSet,
  prior: ParamSet,
  batch: number,
  latent: VariableIR,
): Tensor {
  const e = latentDimensions(latent);
  const q = perDimensionParams(tf, encoder, batch, latent);
  const p = perDimensionParams(tf, prior, batch, latent);
  return tf.reshape(kl(tf, q, p, [batch * e]), [batch, e]);
}

/** log q(z_j|x) − log p(z_j) per dimension on the draws, averaged over the L samples: [B, E]. */
export function monteCarloRatePerDimension(
  tf: Tf,
  encoder: ParamSet,
  prior: ParamSet,
  z: Tensor,
  samples: number,
  latent: VariableIR,
): Tensor {
  const logQ = logProbPerDimension(tf, encoder, z, latent);
  const logP = logProbPerDimension(tf, prior, z, latent);
  return meanRowsOverSamples(tf, tf.sub(logQ, logP), samples);
}
