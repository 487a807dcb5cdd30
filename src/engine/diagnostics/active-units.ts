import type { CompiledModel } from "../../backends/tfjs/compile.js";
import { isEnumerable } from "../../backends/tfjs/distributions/index.js";
import type { Tensor } from "../../backends/tfjs/tf.js";

/** Burda et al. (2016): a unit is active when Cov_x(E_q[z_u|x]) exceeds this. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

export interface ActiveUnits {
  count: number;
  /** Variance over the rows of the posterior mean, per latent dimension (flattened). */
  variances: number[];
}

/**
 * Counts the latent dimensions u with Var_x(E_q[z_u|x]) > `threshold` over the rows of
 * `x` (population variance, accumulated in float64 around the first row's means so the
 * subtraction does not cancel). Null for a categorical encoder, whose index has no mean.
 */
export async function activeUnits(
  model: CompiledModel,
  x: Tensor,
  opts: { batch: number; threshold?: number },
): Promise<ActiveUnits | null> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  const latentShape = model.ir.latent.shape;
  const dims = latentShape.reduce((p, d) => p * d, 1);
  const threshold = opts.threshold ?? ACTIVE_UNIT_THRESHOLD;
  // A categorical index has no mean (the family's mean is its probability vector).
  if (isEnumerable(model.family("encoder"))) return null;
  let shift: Float64Array | null = null;
  const sum = new Float64Array(dims);
  const sumSq = new Float64Array(dims);
  for (let start = 0; start < rows; start += opts.batch) {
    const size = Math.min(opts.batch, rows - start);
    const mean = tf.tidy(() => {
      const encoder = model.distribution("encoder", { data: tf.slice(x, start, size) });
      return tf.reshape(encoder.dist.mean(tf, encoder.params, [size, ...latentShape]), [
        size,
        dims,
      ]);
    });
    const v = await mean.data().finally(() => mean.dispose());
    shift ??= Float64Array.from(v.subarray(0, dims));
    for (let r = 0; r < size; r++) {
      for (let u = 0; u < dims; u++) {
        const d = v[r * dims + u]! - shift[u]!;
        sum[u]! += d;
        sumSq[u]! += d * d;
      }
    }
  }
  const variances = Array.from(sum, (s, u) => Math.max(0, sumSq[u]! / rows - (s / rows) ** 2));
  return { count: variances.filter((v) => v > threshold).length, variances };
}
