import { categorical } from "../distributions/categorical.js";
import { sumEvent } from "../distributions/types.js";
import type { KlFn } from "./types.js";

/** KL = Σ_k qa_k (log qa_k − log qb_k) over the category axis, from log-softmax values. */
export const categoricalCategorical: KlFn = (tf, a, b, shape) => {
  const lpa = categorical.logProbs(tf, a);
  const lpb = categorical.logProbs(tf, b);
  const kl = tf.sum(tf.mul(tf.exp(lpa), tf.sub(lpa, lpb)), -1);
  return sumEvent(tf, kl, shape);
};
