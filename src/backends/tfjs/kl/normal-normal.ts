import { normalParts } from "../distributions/normal.js";
import { sumEvent } from "../distributions/types.js";
import type { KlFn } from "./types.js";

/**
 * KL[N(μa, σa²) ‖ N(μb, σb²)] = log σb − log σa + (σa² + (μa − μb)²) / (2σb²) − 1/2,
 * written with log-scales so the log_scale parameterisation never round-trips through exp.
 */
export const normalNormal: KlFn = (tf, a, b, shape) => {
  const pa = normalParts(tf, a);
  const pb = normalParts(tf, b);
  const la = pa.logScale();
  const lb = pb.logScale();
  const varRatio = tf.exp(tf.mul(tf.sub(la, lb), 2));
  const meanTerm = tf.square(pb.standardise(pa.loc));
  const kl = tf.add(tf.sub(lb, la), tf.mul(tf.sub(tf.add(varRatio, meanTerm), 1), 0.5));
  return sumEvent(tf, kl, shape);
};
