import type { Tensor, Tf } from "../tf.js";
import { requireParam, sumEvent, TINY, type EnumerableImpl, type ParamTensors } from "./types.js";

function categories(params: ParamTensors): number {
  const t = params["logits"] ?? requireParam(params, "probs", "Categorical");
  const k = t.shape[t.shape.length - 1];
  if (k === undefined) throw new Error("Categorical: parameters need a category axis");
  return k;
}

function logProbs(tf: Tf, params: ParamTensors): Tensor {
  const logits = params["logits"];
  if (logits !== undefined) return tf.logSoftmax(logits);
  // probs are normalised here, so unnormalised weights are accepted as well.
  const probs = requireParam(params, "probs", "Categorical");
  return tf.sub(tf.log(tf.maximum(probs, TINY)), tf.log(tf.sum(probs, -1, true)));
}

function asIndices(tf: Tf, value: Tensor): Tensor {
  return value.dtype === "int32" ? value : tf.cast(value, "int32");
}

/** Values are int32 indices of the event shape; parameters carry K on their last axis. */
export const categorical: EnumerableImpl = {
  name: "Categorical",
  reparameterized: false,
  categories,
  logProbs,
  logProb(tf, params, value) {
    const lp = logProbs(tf, params);
    const chosen = tf.sum(tf.mul(tf.oneHot(asIndices(tf, value), categories(params)), lp), -1);
    return sumEvent(tf, chosen, value.shape);
  },
  sample(tf, params, shape, seed) {
    // Gumbel-max: argmax(log p + G) with G = −log(−log U) is an exact categorical sample.
    const lp = logProbs(tf, params);
    const u = tf.randomUniform([...shape, categories(params)], 0, 1, "float32", seed);
    const g = tf.neg(tf.log(tf.maximum(tf.neg(tf.log(tf.maximum(u, TINY))), TINY)));
    return tf.argMax(tf.add(lp, g), -1);
  },
  entropy(tf, params, shape) {
    const lp = logProbs(tf, params);
    return sumEvent(tf, tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1)), shape);
  },
  mean(tf, params, shape) {
    // An index has no meaningful average: the summary is the probability vector.
    return tf.broadcastTo(tf.exp(logProbs(tf, params)), [...shape, categories(params)]);
  },
  stddev() {
    return null;
  },
};
