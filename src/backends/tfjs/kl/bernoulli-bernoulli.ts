import { bernoulliParts } from "../distributions/bernoulli.js";
import { sumEvent } from "../distributions/types.js";
import type { KlFn } from "./types.js";

/** KL = pa·(log pa − log pb) + (1 − pa)·(log(1 − pa) − log(1 − pb)). */
export const bernoulliBernoulli: KlFn = (tf, a, b, shape) => {
  const la = a["logits"];
  const lb = b["logits"];
  if (la !== undefined && lb !== undefined) {
    // With logits this collapses to softplus(lb) − softplus(la) + σ(la)·(la − lb).
    const kl = tf.add(
      tf.sub(tf.softplus(lb), tf.softplus(la)),
      tf.mul(tf.sigmoid(la), tf.sub(la, lb)),
    );
    return sumEvent(tf, kl, shape);
  }
  const pa = bernoulliParts(tf, a);
  const pb = bernoulliParts(tf, b);
  const p = pa.probs();
  const kl = tf.add(
    tf.mul(p, tf.sub(pa.logP1(), pb.logP1())),
    tf.mul(tf.sub(1, p), tf.sub(pa.logP0(), pb.logP0())),
  );
  return sumEvent(tf, kl, shape);
};
