import { initBackend, isBackendName, loadTf } from "../../backends/tfjs/backend.js";
import { compileModel } from "../../backends/tfjs/compile.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { Dataset } from "../../data/types.js";
import type { ModelIR } from "../../ir/types.js";
import { uploadRows } from "../device-rows.js";
import { deriveSeed } from "../rng.js";
import { evaluateModel, importWeights, EVAL_BATCH } from "../train.js";
import type { EvaluateOptions, NamedWeights } from "../types.js";
import { activeUnits } from "./active-units.js";
import { aggregateTerms } from "./aggregate.js";
import { DEFAULT_ELEMENT_BUDGET, latentRowBudget } from "./budget.js";
import { dataEntropy } from "./entropy.js";
import { exactLogLikelihood, importanceLogLikelihood } from "./log-likelihood.js";
import { importanceLogLikelihoodOnWorkers } from "../parallel/eval.js";
import type { InformationReport } from "./types.js";

export interface DiagnoseOptions extends EvaluateOptions {
  /** k for the importance-sampled log p(x); null or 0 skips it (exact under enumerate). */
  iwSamples?: number | null;
  /** How log q(z) is estimated for a continuous latent (default "stratified"). */
  aggregate?: "mws" | "stratified";
  /** M, rows per minibatch of the aggregate-posterior estimate (default 1000). */
  aggregateBatch?: number;
  /** Elements of the widest intermediate tensor held at once (default 2^21). */
  elementBudget?: number;
  /**
   * Threads for the importance-sampled log p(x) on a CPU backend (wasm, cpu; default 1).
   * The values do not depend on it: draws are seeded by row.
   */
  workers?: number;
}

/** The rows of `ds` as one tensor, with the layout the trainer uses. */
export const uploadDataset = (tf: Tf, ir: ModelIR, ds: Dataset): Tensor => uploadRows(tf, ir, ds);

/** `f` of rows [from, to) of x (a view it must not keep). */
async function withRows<T>(
  tf: Tf,
  x: Tensor,
  from: number,
  to: number,
  f: (xs: Tensor) => Promise<T>,
): Promise<T> {
  const xs = tf.slice(x, from, to - from);
  try {
    return await f(xs);
  } finally {
    xs.dispose();
  }
}

const meanOf = (xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The metrics of `evaluateModel` plus the information-theoretic diagnostics of one split:
 * log p(x) (importance-sampled, or exact for a categorical latent), the data entropy H,
 * I_q(X;Z) with its bounds H − D ≤ I ≤ R, KL[q(z)‖p(z)], and the active units.
 */
export async function diagnoseModel(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: DiagnoseOptions,
): Promise<InformationReport> {
  const metrics = await evaluateModel(ir, weights, data, opts);
  const backend = opts.backend ?? ir.train.backend ?? "auto";
  if (!isBackendName(backend)) throw new Error(`unknown backend '${backend}'`);
  await initBackend(backend);
  const tf = await loadTf();
  const model = compileModel(ir, tf, opts.seed);
  const x = uploadDataset(tf, ir, data);
  const enumerate = (opts.estimator ?? ir.train.estimator) === "enumerate";
  const budget = opts.elementBudget ?? DEFAULT_ELEMENT_BUDGET;
  const latentRows = latentRowBudget(ir, budget);
  const k = opts.iwSamples ?? 0;
  try {
    importWeights(model, weights);
    let logLikelihood: number | null = null;
    if (enumerate) logLikelihood = meanOf(await exactLogLikelihood(model, x, latentRows));
    else if (k > 0) {
      const importance = {
        samples: k,
        seed: deriveSeed(opts.seed, "diagnostics", "iw"),
        maxLatentRows: latentRows,
      };
      const workers = opts.workers ?? 1;
      const rows =
        workers > 1 && (tf.getBackend() === "wasm" || tf.getBackend() === "cpu")
          ? await importanceLogLikelihoodOnWorkers(
              { ir, weights, rows: data, backend: tf.getBackend(), seed: opts.seed, importance },
              workers,
              (from, to) =>
                withRows(tf, x, from, to, (xs) =>
                  importanceLogLikelihood(model, xs, { ...importance, rowOffset: from }),
                ),
            )
          : await importanceLogLikelihood(model, x, importance);
      logLikelihood = meanOf(rows);
    }
    const agg = await aggregateTerms(model, x, {
      enumerate,
      seed: deriveSeed(opts.seed, "diagnostics", "aggregate"),
      batch: opts.aggregateBatch ?? EVAL_BATCH,
      weighting: opts.aggregate ?? "stratified",
      elementBudget: budget,
    });
    const units = enumerate ? null : await activeUnits(model, x, { batch: EVAL_BATCH });
    const h = dataEntropy(ir.data.kind, opts.entropy, data);
    return {
      ...metrics,
      log_likelihood: logLikelihood,
      iw_samples: enumerate || k <= 0 ? null : k,
      log_likelihood_method: enumerate ? "exact" : k > 0 ? "importance" : null,
      entropy: h?.value ?? null,
      entropy_source: h?.source ?? null,
      mutual_info: {
        lower: h === null ? null : Math.max(0, h.value - metrics.distortion),
        estimate: agg.mutualInfo,
        upper: metrics.rate,
      },
      marginal_kl: agg.marginalKl,
      mi_estimator: agg.estimator,
      active_units: units?.count ?? null,
      latent_dims: ir.latent.shape.reduce((p, d) => p * d, 1),
    };
  } finally {
    x.dispose();
    model.dispose();
  }
}
