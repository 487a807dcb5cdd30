import type { Scalar, Tensor, Tf } from "../backends/tfjs/tf.js";

/**
 * The MAP term of the per-point loss (Kingma & Welling 2014, §5): with a Gaussian prior
 * N(0, scale²) on every entry θ_i of the learned tensors, −log p(θ) = Σ θ_i² / (2 scale²)
 * + const, divided by the N training rows so it sits beside a per-point mean:
 *   loss = (N/M Σ_batch ℓ − log p(θ)) / N = mean_batch ℓ − log p(θ) / N.
 * The constant (#θ · log(scale·√(2π))) moves no gradient and is left out; the gradient
 * with respect to θ_i is θ_i / (scale² N).
 */
export function weightPriorPenalty(
  tf: Tf,
  variables: readonly Tensor[],
  scale: number,
  rows: number,
): Scalar {
  const sumSquares = variables.reduce<Tensor>(
    (acc, v) => tf.add(acc, tf.sum(tf.square(v))),
    tf.scalar(0),
  );
  return tf.div(sumSquares, 2 * scale * scale * rows) as Scalar;
}
