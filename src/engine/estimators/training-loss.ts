import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { TrainIR } from "../../ir/types.js";
import type { TermTensors } from "./types.js";

/** The `train { }` options that shape the training loss (not the reported metrics). */
export type LossShaping = Pick<TrainIR, "warmup" | "freeBits" | "anneal">;

/**
 * A linear schedule from 0 to 1 over `epochs` epochs, then 1: min(1, progress / epochs),
 * `progress` the epochs completed (fractional, advanced every step). Absent: always 1.
 */
export function scheduleFactor(progress: number, epochs: number | undefined): number {
  return epochs === undefined ? 1 : Math.min(1, Math.max(0, progress / epochs));
}

/**
 * Free bits (Kingma et al. 2016, Improved Variational Inference with Inverse
 * Autoregressive Flow): Σ_j max(λ, mean over the minibatch of KL_j), for
 * `rateDims` [B, E]. A dimension whose mean KL is below λ contributes the constant λ, so
 * the loss stops pushing its information towards zero (its rate gradient is 0).
 */
export function freeBitsRate(tf: Tf, rateDims: Tensor, lambda: number): Tensor {
  return tf.sum(tf.maximum(tf.mean(rateDims, 0), tf.scalar(lambda)));
}

/**
 * The minibatch rate as the training loss uses it: free bits when asked for, then the
 * KL warm-up weight min(1, t / warmup) (Bowman et al. 2016; Sønderby et al. 2016).
 */
export function trainingRate(
  tf: Tf,
  terms: TermTensors,
  shaping: LossShaping,
  progress: number,
): Tensor {
  if (shaping.freeBits !== undefined && terms.rateDims === undefined) {
    throw new Error("free bits need the rate per dimension");
  }
  const mean = shaping.freeBits !== undefined ? tf.mean(terms.rateDims!, 0) : tf.mean(terms.rate);
  return shapedRate(tf, mean, shaping, progress);
}

/**
 * `trainingRate` from the minibatch mean of the rate: a scalar, or the mean per latent
 * dimension [E] when free bits are on. Separate so that data-parallel replicas can apply
 * it to the mean over the whole minibatch.
 */
export function shapedRate(
  tf: Tf,
  meanRate: Tensor,
  shaping: LossShaping,
  progress: number,
): Tensor {
  const rate =
    shaping.freeBits !== undefined
      ? tf.sum(tf.maximum(meanRate, tf.scalar(shaping.freeBits)))
      : meanRate;
  const beta = scheduleFactor(progress, shaping.warmup);
  return beta === 1 ? rate : tf.mul(rate, tf.scalar(beta));
}
