import { analyticKl } from "../../backends/tfjs/kl/index.js";
import type { CompiledModel, ParamSet } from "../../backends/tfjs/compile.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import { deriveSeed } from "../rng.js";
import { analyticRatePerDimension, monteCarloRatePerDimension } from "./per-dimension.js";
import type { Estimator, EstimatorOptions, TermTensors } from "./types.js";

/** Repeats batched parameters L times along the batch axis (sample-major: row l·B + b). */
export function tileParams(tf: Tf, set: ParamSet, times: number): ParamSet {
  if (times === 1) return set;
  const params: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(set.params)) {
    params[name] = set.batched[name] ? tileRows(tf, t, times) : t;
  }
  return { ...set, params };
}

export function tileRows(tf: Tf, t: Tensor, times: number): Tensor {
  if (times === 1) return t;
  return tf.tile(t, [times, ...Array<number>(t.rank - 1).fill(1)]);
}

/** Mean over the sample axis of a sample-major [L·B] vector → [B]. */
function meanOverSamples(tf: Tf, t: Tensor, samples: number): Tensor {
  if (samples === 1) return t;
  return tf.mean(tf.reshape(t, [samples, -1]), 0);
}

interface Draw {
  z: Tensor;
  /** log p(x|z) [L·B] */
  logLik: Tensor;
  encoder: ParamSet;
  logQ?: Tensor;
  logPrior?: Tensor;
}

/**
 * SGVB (Kingma & Welling 2014, §2.3): z = g(ε, x) reparameterised, L samples per point.
 * Distortion is −mean log p(x|z); the rate is the analytic KL when asked for and the pair
 * has one (estimator B), else log q(z|x) − log p(z) on the same samples (estimator A).
 */
export const reparamTerms: Estimator = (model, x, opts) => {
  const tf = model.tf;
  const batch = x.shape[0]!;
  const latentShape = model.ir.latent.shape;
  const encoder = model.distribution("encoder", { data: x });
  if (!encoder.dist.reparameterized) {
    throw new Error(`reparam estimator: ${encoder.dist.name} has no reparameterised sampler`);
  }
  const prior = model.distribution("prior", {});

  const draw = (samples: number, seed: number): Draw => {
    const enc = tileParams(tf, encoder, samples);
    const z = enc.dist.sample(tf, enc.params, [samples * batch, ...latentShape], seed);
    const decoder = model.distribution("decoder", { latent: z });
    const logLik = decoder.dist.logProb(tf, decoder.params, tileRows(tf, x, samples));
    return { z, logLik, encoder: enc };
  };
  const logWeights = (d: Draw): Tensor => {
    d.logQ ??= d.encoder.dist.logProb(tf, d.encoder.params, d.z);
    d.logPrior ??= prior.dist.logProb(tf, prior.params, d.z);
    return tf.sub(tf.add(d.logLik, d.logPrior), d.logQ);
  };

  const main = draw(opts.samples, opts.seed);
  const distortion = tf.neg(meanOverSamples(tf, main.logLik, opts.samples));
  const kl = opts.kl === "analytic" ? analyticKl(encoder.dist.name, prior.dist.name) : undefined;
  let rate: Tensor;
  if (kl !== undefined) {
    rate = kl(tf, encoder.params, prior.params, [batch, ...latentShape]);
  } else {
    main.logQ = encoder.dist.logProb(tf, main.encoder.params, main.z);
    main.logPrior = prior.dist.logProb(tf, prior.params, main.z);
    rate = meanOverSamples(tf, tf.sub(main.logQ, main.logPrior), opts.samples);
  }

  const rateDims = !opts.rateByDimension
    ? undefined
    : kl !== undefined
      ? analyticRatePerDimension(tf, kl, encoder, prior, batch, model.ir.latent)
      : monteCarloRatePerDimension(tf, main.encoder, prior, main.z, opts.samples, model.ir.latent);

  const iw = new Map<number, Tensor>();
  for (const k of opts.iwSamples) {
    // iw_bound(L) reuses the main draw; other k draw their own samples.
    const d = k === opts.samples ? main : draw(k, deriveSeed(opts.seed, "iw", k));
    const lw = tf.reshape(logWeights(d), [k, batch]);
    iw.set(k, tf.sub(tf.logSumExp(lw, 0), Math.log(k)));
  }
  const terms: TermTensors = { distortion, rate, iw, ...(rateDims && { rateDims }) };
  return terms;
};

export type { EstimatorOptions };
