import { analyticKl } from "../../backends/tfjs/kl/index.js";
import type { ParamSet } from "../../backends/tfjs/compile.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import { deriveSeed } from "../rng.js";
import type { ScoreBaselines } from "./baselines.js";
import {
  analyticRatePerDimension,
  logProbPerDimension,
  meanRowsOverSamples,
} from "./per-dimension.js";
import { tileParams, tileRows } from "./reparam.js";
import type { Estimator, TermTensors } from "./types.js";

/** `t` in the forward pass, no gradient in the backward pass. */
export function stopGradient(tf: Tf, t: Tensor): Tensor {
  return tf.customGrad((...inputs) => {
    const x = inputs[0] as Tensor;
    return { value: tf.clone(x), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
  })(t);
}

/**
 * A draw from the encoder that the gradient tape does not see: samplers built from
 * comparisons or argmax have no gradient, integer draws used as indices must not receive
 * one, and the score-function estimator must not differentiate through z anyway. Ops in a
 * custom-gradient forward pass are not taped, and the op's only input is a fresh constant,
 * so z has no path back to any variable.
 */
function detachedSample(tf: Tf, set: ParamSet, shape: number[], seed: number): Tensor {
  return tf.customGrad((...inputs) => {
    const anchor = inputs[0] as Tensor;
    return {
      value: set.dist.sample(tf, set.params, shape, seed),
      gradFunc: (_dy: Tensor) => tf.zerosLike(anchor),
    };
  })(tf.scalar(0));
}

/**
 * A per-row surrogate with the value of `term` and the score-function gradient
 *   ∇ term + (term − b)·∇ log q(z|x)
 * (DiCE-style: `score` is log q − stop(log q), zero in value, ∇log q in gradient). The
 * baseline b is the moving average for `key`; the signal's batch mean is then observed.
 */
function surrogate(
  tf: Tf,
  term: Tensor,
  score: Tensor,
  key: string,
  baselines: ScoreBaselines | undefined,
): Tensor {
  const signal = stopGradient(tf, term);
  const b = baselines?.current(key);
  const centred = b === undefined ? signal : tf.sub(signal, b);
  baselines?.observe(key, tf.mean(signal));
  return tf.add(term, tf.mul(centred, score));
}

/** Mean over the sample axis of a sample-major [L·B] vector → [B]. */
function meanOverSamples(tf: Tf, t: Tensor, samples: number): Tensor {
  return samples === 1 ? t : tf.mean(tf.reshape(t, [samples, -1]), 0);
}

/**
 * Score-function (REINFORCE, black-box VI) estimator (Williams 1992; Paisley, Blei &
 * Jordan 2012; Ranganath, Gerrish & Blei 2014) for latents that cannot be reparameterised.
 * z ~ q(z|x) is drawn with no path back to φ; the terms keep their Monte Carlo values and
 * their gradients are, per draw,
 *   ∇θ: pathwise (the decoder and prior see z as data),
 *   ∇φ: (f − b)·∇φ log q(z|x) + ∇φ f, f the term's value on the draw,
 * an unbiased estimate of the gradient of its expectation. With `kl: analytic` and a
 * closed-form pair the rate is exact and differentiated directly (only D needs the score
 * term); otherwise R uses log q − log p(z) on the same draws. iw_bound(k) gets the score
 * term of all k draws of a point. Baselines (ScoreBaselines) come from the trainer.
 */
export const scoreTerms: Estimator = (model, x, opts) => {
  const tf = model.tf;
  const batch = x.shape[0]!;
  const latent = model.ir.latent;
  const encoder = model.distribution("encoder", { data: x });
  const prior = model.distribution("prior", {});

  interface Draw {
    z: Tensor;
    enc: ParamSet;
    logLik: Tensor;
    logQ: Tensor;
    score: Tensor;
  }
  const draw = (samples: number, seed: number): Draw => {
    const enc = tileParams(tf, encoder, samples);
    const z = detachedSample(tf, enc, [samples * batch, ...latent.shape], seed);
    const decoder = model.distribution("decoder", { latent: z });
    const logLik = decoder.dist.logProb(tf, decoder.params, tileRows(tf, x, samples));
    const logQ = enc.dist.logProb(tf, enc.params, z);
    return { z, enc, logLik, logQ, score: tf.sub(logQ, stopGradient(tf, logQ)) };
  };

  const main = draw(opts.samples, opts.seed);
  const baselines = opts.baselines;
  const distortion = meanOverSamples(
    tf,
    surrogate(tf, tf.neg(main.logLik), main.score, "distortion", baselines),
    opts.samples,
  );
  const kl = opts.kl === "analytic" ? analyticKl(encoder.dist.name, prior.dist.name) : undefined;
  let rate: Tensor;
  let rateDims: Tensor | undefined;
  if (kl !== undefined) {
    rate = kl(tf, encoder.params, prior.params, [batch, ...latent.shape]);
    if (opts.rateByDimension) {
      rateDims = analyticRatePerDimension(tf, kl, encoder, prior, batch, latent);
    }
  } else {
    const logPrior = prior.dist.logProb(tf, prior.params, main.z);
    const perRow = surrogate(tf, tf.sub(main.logQ, logPrior), main.score, "rate", baselines);
    rate = meanOverSamples(tf, perRow, opts.samples);
    if (opts.rateByDimension) {
      // Per dimension for free bits. q factorises, so dimension j's term needs only the
      // score of z_j (E[f_j(z_j)·∇log q_i(z_i)] = 0 for i ≠ j): a clamped dimension then
      // contributes no gradient at all, not merely none on average.
      const logQ = logProbPerDimension(tf, main.enc, main.z, latent);
      const logP = logProbPerDimension(tf, prior, main.z, latent);
      const dims = tf.sub(logQ, logP);
      const scoreDims = tf.sub(logQ, stopGradient(tf, logQ));
      const withScore = tf.add(dims, tf.mul(stopGradient(tf, dims), scoreDims));
      rateDims = meanRowsOverSamples(tf, withScore, opts.samples);
    }
  }

  const iw = new Map<number, Tensor>();
  for (const k of opts.iwSamples) {
    const d = k === opts.samples ? main : draw(k, deriveSeed(opts.seed, "iw", k));
    const logPrior = prior.dist.logProb(tf, prior.params, d.z);
    const lw = tf.reshape(tf.sub(tf.add(d.logLik, logPrior), d.logQ), [k, batch]);
    const bound = tf.sub(tf.logSumExp(lw, 0), Math.log(k));
    const score = tf.sum(tf.reshape(d.score, [k, batch]), 0);
    iw.set(k, surrogate(tf, bound, score, `iw_bound(${k})`, baselines));
  }
  const terms: TermTensors = { distortion, rate, iw, ...(rateDims && { rateDims }) };
  return terms;
};
