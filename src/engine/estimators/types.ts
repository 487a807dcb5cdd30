import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { Tensor } from "../../backends/tfjs/tf.js";
import type { ScoreBaselines } from "./baselines.js";

/** Per-data-point information terms for one minibatch, as tensors [B] (gradients flow). */
export interface TermTensors {
  /** −E_q log p(x|z), averaged over the L samples (or exact under enumeration). */
  distortion: Tensor;
  /** KL[q(z|x) ‖ p(z)]: analytic, Monte Carlo over the same samples, or exact. */
  rate: Tensor;
  /** iw_bound(k) per point, for each k the objective asks for. */
  iw: ReadonlyMap<number, Tensor>;
  /** The rate per latent dimension [B, E] (summing to `rate`), when asked for (free bits). */
  rateDims?: Tensor;
}

export interface EstimatorOptions {
  /** L: samples of z per data point. */
  samples: number;
  /** SGVB estimator B ("analytic", when the pair has a closed form) or A ("monte_carlo"). */
  kl: "analytic" | "monte_carlo";
  /** Seed for this call's random draws. */
  seed: number;
  /** The k of every iw_bound(k) to compute. */
  iwSamples: readonly number[];
  /** Also compute `rateDims`, the rate of each latent dimension. */
  rateByDimension?: boolean;
  /** Control variates of the score-function estimator (training); absent: no baseline. */
  baselines?: ScoreBaselines;
}

/** Computes the terms for a batch x [B, ...]; must run inside tf.tidy or a gradient scope. */
export type Estimator = (model: CompiledModel, x: Tensor, opts: EstimatorOptions) => TermTensors;
