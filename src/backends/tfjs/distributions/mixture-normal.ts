import type { Tensor, Tf } from "../tf.js";
import { normalParts } from "./normal.js";
import {
  HALF_LOG_2PI,
  requireParam,
  TINY,
  type DistributionImpl,
  type ParamTensors,
} from "./types.js";

function components(params: ParamTensors): number {
  const logits = requireParam(params, "logits", "MixtureNormal");
  const k = logits.shape[logits.shape.length - 1];
  if (k === undefined) throw new Error("MixtureNormal: logits need a component axis");
  return k;
}

/**
 * Log mixture weights as [1, K] (shared) or [N, K] (batched). Batched logits arrive
 * aligned like the other parameters, [N, 1, …, K], so only their last axis is kept.
 */
function logWeights(tf: Tf, params: ParamTensors): Tensor {
  const logits = requireParam(params, "logits", "MixtureNormal");
  return tf.logSoftmax(tf.reshape(logits, [-1, components(params)]));
}

/** log N(value | loc_c, σ_c²) summed over the event dims, for every component: [N, K]. */
function componentLogProbs(tf: Tf, params: ParamTensors, value: Tensor): Tensor {
  const k = components(params);
  const n = value.shape[0]!;
  const event = value.shape.slice(1);
  const p = normalParts(tf, params);
  // [N, 1, ...event] against [K, ...event] or [N, K | 1, ...event].
  const u = p.standardise(tf.expandDims(value, 1));
  const lp = tf.sub(tf.mul(tf.square(u), -0.5), tf.add(p.logScale(), HALF_LOG_2PI));
  const full = tf.broadcastTo(lp, [n, k, ...event]);
  if (event.length === 0) return full;
  return tf.sum(
    full,
    event.map((_, i) => i + 2),
  );
}

/**
 * The weights as [1 | N, K, 1, …] and every component's loc and σ as [N, K, ...event], for
 * `shape` = [N, ...event]: the pieces of the mixture's moments.
 */
function componentMoments(tf: Tf, params: ParamTensors, shape: number[]) {
  const k = components(params);
  const n = shape[0]!;
  const event = shape.slice(1);
  const p = normalParts(tf, params);
  const full = [n, k, ...event];
  return {
    weights: tf.reshape(tf.exp(logWeights(tf, params)), [-1, k, ...event.map(() => 1)]),
    loc: tf.broadcastTo(p.loc, full),
    scale: tf.broadcastTo(p.scale(), full),
  };
}

/** Σ_c w_c μ_c per event dim, [N, ...event]. */
function mixtureMean(tf: Tf, params: ParamTensors, shape: number[]): Tensor {
  const m = componentMoments(tf, params, shape);
  return tf.sum(tf.mul(m.weights, m.loc), 1);
}

/**
 * A mixture of K diagonal Gaussians over the whole event (see the stdlib signature).
 * log p(x) = logsumexp_c [log w_c + log N(x | loc_c, σ_c²)], computed in log space so a
 * point far from every component keeps a finite density.
 */
export const mixtureNormal: DistributionImpl = {
  name: "MixtureNormal",
  reparameterized: false,
  componentAxis: true,
  logProb(tf, params, value) {
    const joint = tf.add(logWeights(tf, params), componentLogProbs(tf, params, value));
    return tf.logSumExp(joint, 1);
  },
  sample(tf, params, shape, seed) {
    const k = components(params);
    const n = shape[0]!;
    const event = shape.slice(1);
    // The component by Gumbel-max, then loc_c + σ_c·ε with the chosen component's row.
    const lw = tf.broadcastTo(logWeights(tf, params), [n, k]);
    const u = tf.randomUniform([n, k], 0, 1, "float32", seed);
    const g = tf.neg(tf.log(tf.maximum(tf.neg(tf.log(tf.maximum(u, TINY))), TINY)));
    const chosen = tf.oneHot(tf.argMax(tf.add(lw, g), 1), k);
    const mask = tf.reshape(chosen, [n, k, ...event.map(() => 1)]);
    const pick = (t: Tensor) => tf.sum(tf.mul(mask, tf.broadcastTo(t, [n, k, ...event])), 1);
    const p = normalParts(tf, params);
    const eps = tf.randomNormal(shape, 0, 1, "float32", (seed ^ 0x5bd1e995) >>> 0);
    return tf.add(pick(p.loc), tf.mul(pick(p.scale()), eps));
  },
  entropy() {
    // A Gaussian mixture's entropy has no closed form; nothing in the engine asks for it
    // (the rate against a mixture prior is estimated from log-densities).
    throw new Error("MixtureNormal: the entropy of a Gaussian mixture has no closed form");
  },
  mean: mixtureMean,
  stddev(tf, params, shape) {
    // Law of total variance: Var = Σ_c w_c (σ_c² + (μ_c − μ)²), written around the mean μ
    // so that components far from the origin do not cancel digits (E[x²] − μ² would).
    const m = componentMoments(tf, params, shape);
    const mean = tf.expandDims(tf.sum(tf.mul(m.weights, m.loc), 1), 1);
    const spread = tf.add(tf.square(m.scale), tf.square(tf.sub(m.loc, mean)));
    return tf.sqrt(tf.sum(tf.mul(m.weights, spread), 1));
  },
};
