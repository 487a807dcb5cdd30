import type { Tensor, Tf } from "../tf.js";
import { requireParam, sumEvent, TINY, type DistributionImpl, type ParamTensors } from "./types.js";

/** p, log p and log(1 − p) in the stable form for each parameterisation. */
export interface BernoulliParts {
  probs(): Tensor;
  logP1(): Tensor;
  logP0(): Tensor;
}

export function bernoulliParts(tf: Tf, params: ParamTensors): BernoulliParts {
  const logits = params["logits"];
  if (logits !== undefined) {
    // log σ(l) = −softplus(−l), log(1 − σ(l)) = −softplus(l): no log of a rounded 0 or 1.
    return {
      probs: () => tf.sigmoid(logits),
      logP1: () => tf.neg(tf.softplus(tf.neg(logits))),
      logP0: () => tf.neg(tf.softplus(logits)),
    };
  }
  const probs = requireParam(params, "probs", "Bernoulli");
  return {
    probs: () => probs,
    logP1: () => tf.log(tf.maximum(probs, TINY)),
    logP0: () => tf.log(tf.maximum(tf.sub(1, probs), TINY)),
  };
}

export const bernoulli: DistributionImpl = {
  name: "Bernoulli",
  reparameterized: false,
  logProb(tf, params, value) {
    const logits = params["logits"];
    if (logits !== undefined) {
      // x·l − softplus(l): one softplus instead of two, exact for x ∈ {0, 1}.
      return sumEvent(tf, tf.sub(tf.mul(value, logits), tf.softplus(logits)), value.shape);
    }
    const p = bernoulliParts(tf, params);
    const lp = tf.add(tf.mul(value, p.logP1()), tf.mul(tf.sub(1, value), p.logP0()));
    return sumEvent(tf, lp, value.shape);
  },
  sample(tf, params, shape, seed) {
    const p = bernoulliParts(tf, params);
    const u = tf.randomUniform(shape, 0, 1, "float32", seed);
    return tf.cast(tf.less(u, p.probs()), "float32");
  },
  entropy(tf, params, shape) {
    const logits = params["logits"];
    if (logits !== undefined) {
      // H = softplus(l) − σ(l)·l
      return sumEvent(tf, tf.sub(tf.softplus(logits), tf.mul(tf.sigmoid(logits), logits)), shape);
    }
    const p = bernoulliParts(tf, params);
    const probs = p.probs();
    const h = tf.neg(tf.add(tf.mul(probs, p.logP1()), tf.mul(tf.sub(1, probs), p.logP0())));
    return sumEvent(tf, h, shape);
  },
  mean(tf, params, shape) {
    return tf.broadcastTo(bernoulliParts(tf, params).probs(), shape);
  },
  stddev(tf, params, shape) {
    const logits = params["logits"];
    // p(1 − p) = σ(l)·σ(−l): near p = 1 the product of two sigmoids keeps the digits that
    // 1 − p would lose.
    const probs = () => bernoulliParts(tf, params).probs();
    const variance =
      logits !== undefined
        ? tf.mul(tf.sigmoid(logits), tf.sigmoid(tf.neg(logits)))
        : tf.mul(probs(), tf.sub(1, probs()));
    return tf.broadcastTo(tf.sqrt(tf.maximum(variance, 0)), shape);
  },
};
