import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { Tensor } from "../../backends/tfjs/tf.js";
import { activeUnits } from "./active-units.js";
import { aggregateTerms } from "./aggregate.js";
import { DEFAULT_ELEMENT_BUDGET } from "./budget.js";
import type { EpochDiagnostics } from "./types.js";

/** Rows per batch of the per-epoch estimates (M of the aggregate-posterior estimate). */
const EPOCH_BATCH = 1000;

/** Held-out rows the per-epoch diagnostics look at: the first rows of the split. */
export const EPOCH_DIAGNOSTIC_ROWS = 10000;

/**
 * The cheap per-epoch diagnostics on held-out rows `x`: I and KL[q(z)‖p(z)] (exact for a
 * categorical latent, else the stratified minibatch estimate with M = 1000) and the
 * active units, on at most EPOCH_DIAGNOSTIC_ROWS rows.
 */
export async function epochDiagnostics(
  model: CompiledModel,
  x: Tensor,
  o: { enumerate: boolean; seed: number },
): Promise<EpochDiagnostics> {
  const tf = model.tf;
  const t0 = performance.now();
  const rows = Math.min(x.shape[0]!, EPOCH_DIAGNOSTIC_ROWS);
  const xs = rows < x.shape[0]! ? tf.slice(x, 0, rows) : x;
  try {
    const agg = await aggregateTerms(model, xs, {
      enumerate: o.enumerate,
      seed: o.seed,
      batch: EPOCH_BATCH,
      weighting: "stratified",
      elementBudget: DEFAULT_ELEMENT_BUDGET,
    });
    const units = o.enumerate ? null : await activeUnits(model, xs, { batch: EPOCH_BATCH });
    return {
      mutual_info: agg.mutualInfo,
      marginal_kl: agg.marginalKl,
      active_units: units?.count ?? null,
      mi_estimator: agg.estimator,
      rows,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    if (xs !== x) xs.dispose();
  }
}
