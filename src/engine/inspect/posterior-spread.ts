import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { Dataset } from "../../data/types.js";
import { uploadRows } from "../device-rows.js";
import { INSPECT_BATCH } from "./rows.js";
import { valueWidth } from "./variables.js";

/**
 * Var_x E_q[z_u|x] per latent dimension u (flattened) over the rows of `data`: the
 * quantity src/engine/diagnostics/active-units.ts thresholds, with the same float64
 * accumulation around the first row's means. The rows are uploaded a batch at a time, so
 * a large split never sits on the device whole. Empty data gives zeros.
 */
export async function posteriorMeanVariances(
  model: CompiledModel,
  data: Dataset,
  batch = INSPECT_BATCH,
): Promise<Float64Array> {
  const tf = model.tf;
  const ir = model.ir;
  const dims = valueWidth(ir.latent);
  const sum = new Float64Array(dims);
  const sumSq = new Float64Array(dims);
  let shift: Float64Array | null = null;
  for (let start = 0; start < data.rows; start += batch) {
    const size = Math.min(batch, data.rows - start);
    const mean = tf.tidy(() => {
      const encoder = model.distribution("encoder", {
        data: uploadRows(tf, ir, data, start, size),
      });
      const m = encoder.dist.mean(tf, encoder.params, [size, ...ir.latent.shape]);
      return tf.reshape(m, [size, dims]);
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
  const rows = Math.max(1, data.rows);
  return Float64Array.from(sum, (s, u) => Math.max(0, sumSq[u]! / rows - (s / rows) ** 2));
}
