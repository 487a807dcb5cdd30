import type { CompiledModel, ParamSet } from "../../backends/tfjs/compile.js";
import { bernoulliParts, normalParts } from "../../backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";

/** Burda et al. (2016): a unit is active when Cov_x(E_q[z_u|x]) exceeds this. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

/** Encoder families whose mean E_q[z|x] is defined here (a categorical index has none). */
const HAS_MEAN = new Set(["Normal", "Bernoulli"]);

/** E_q[z|x] as [B, ...latent]; `set` is one of the HAS_MEAN families. */
function posteriorMean(tf: Tf, set: ParamSet, shape: number[]): Tensor {
  const mean =
    set.dist.name === "Normal"
      ? normalParts(tf, set.params).loc
      : bernoulliParts(tf, set.params).probs();
  return tf.broadcastTo(mean, shape);
}

export interface ActiveUnits {
  count: number;
  /** Variance over the rows of the posterior mean, per latent dimension (flattened). */
  variances: number[];
}

/**
 * Counts the latent dimensions u with Var_x(E_q[z_u|x]) > `threshold` over the rows of
 * `x` (population variance, accumulated in float64 around the first row's means so the
 * subtraction does not cancel). Null when the encoder family has no mean.
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
  if (!HAS_MEAN.has(model.family("encoder").name)) return null;
  let shift: Float64Array | null = null;
  const sum = new Float64Array(dims);
  const sumSq = new Float64Array(dims);
  for (let start = 0; start < rows; start += opts.batch) {
    const size = Math.min(opts.batch, rows - start);
    const mean = tf.tidy(() => {
      const encoder = model.distribution("encoder", { data: tf.slice(x, start, size) });
      return tf.reshape(posteriorMean(tf, encoder, [size, ...latentShape]), [size, dims]);
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
