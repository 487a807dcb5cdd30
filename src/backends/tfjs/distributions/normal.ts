import type { Tensor, Tf } from "../tf.js";
import {
  HALF_LOG_2PI,
  requireParam,
  sumEvent,
  type DistributionImpl,
  type ParamTensors,
} from "./types.js";

/** loc and the scale in both forms; the log form is taken as given when written so. */
export interface NormalParts {
  loc: Tensor;
  /** log σ; computed as log(scale) only on the `scale` path. */
  logScale(): Tensor;
  scale(): Tensor;
  /** (v − loc) / σ without forming σ on the log_scale path. */
  standardise(v: Tensor): Tensor;
}

export function normalParts(tf: Tf, params: ParamTensors): NormalParts {
  const loc = requireParam(params, "loc", "Normal");
  const logScale = params["log_scale"];
  if (logScale !== undefined) {
    return {
      loc,
      logScale: () => logScale,
      scale: () => tf.exp(logScale),
      standardise: (v) => tf.mul(tf.sub(v, loc), tf.exp(tf.neg(logScale))),
    };
  }
  const scale = requireParam(params, "scale", "Normal");
  return {
    loc,
    logScale: () => tf.log(scale),
    scale: () => scale,
    standardise: (v) => tf.div(tf.sub(v, loc), scale),
  };
}

export const normal: DistributionImpl = {
  name: "Normal",
  reparameterized: true,
  logProb(tf, params, value) {
    const p = normalParts(tf, params);
    const u = p.standardise(value);
    const lp = tf.sub(tf.mul(tf.square(u), -0.5), tf.add(p.logScale(), HALF_LOG_2PI));
    return sumEvent(tf, lp, value.shape);
  },
  sample(tf, params, shape, seed) {
    // Reparameterisation: z = loc + σ·ε, ε ~ N(0, I), so gradients flow to loc and σ.
    const p = normalParts(tf, params);
    const eps = tf.randomNormal(shape, 0, 1, "float32", seed);
    return tf.add(p.loc, tf.mul(p.scale(), eps));
  },
  entropy(tf, params, shape) {
    const p = normalParts(tf, params);
    return sumEvent(tf, tf.add(p.logScale(), 0.5 + HALF_LOG_2PI), shape);
  },
  mean(tf, params, shape) {
    return tf.broadcastTo(normalParts(tf, params).loc, shape);
  },
  stddev(tf, params, shape) {
    return tf.broadcastTo(normalParts(tf, params).scale(), shape);
  },
};
