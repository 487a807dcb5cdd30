/**
 * Vaelang's public API. The frontend (parse, check, compile to IR) and the data loaders
 * are plain TypeScript; everything that needs tfjs is loaded on first use, so importing
 * this module — as `vae check` does — never loads tfjs.
 */
import { diagnostic, syntheticSpan, type Diagnostic, type Result } from "./diagnostics/index.js";
import type { Dataset, DatasetSplits } from "./data/types.js";
import type {
  EvaluateOptions,
  NamedWeights,
  SplitMetrics,
  TrainHooks,
  TrainResult,
} from "./engine/types.js";
import type { ModelIR, TrainIR } from "./ir/types.js";
import { BACKEND_NAMES, isBackendName } from "./stdlib/backends.js";

export * from "./diagnostics/index.js";
export type * from "./ir/types.js";
export type * from "./syntax/ast.js";
export type * from "./engine/types.js";
export type * from "./engine/diagnostics/types.js";
export type { DiagnoseOptions } from "./engine/diagnostics/report.js";
export type { Dataset, DatasetSplits } from "./data/types.js";
export { parseProgram, parseExpression } from "./syntax/index.js";
export {
  compileFile,
  compileSource,
  COMMAND_LINE,
  type CompileOptions,
  type CompileResult,
} from "./frontend.js";
export {
  describeLinearObjective,
  explainObjective,
  explainEstimators,
} from "./objectives/index.js";
export {
  resolveDataset,
  listDatasets,
  dataSourceText,
  subsetRows,
  imageShapeOf,
  type ImageShape,
} from "./data/index.js";
export { openMetricsLog, type MetricsLog } from "./report/metrics-log.js";
export { packageVersion } from "./package-root.js";
export { weightMismatches, nonFiniteWeightNames } from "./engine/weights.js";
export { acquireRunLock, RUN_LOCK_FILE, type RunLock } from "./report/run-lock.js";
export type { TrainRunOptions } from "./engine/train.js";
export { checkpointFitProblems } from "./engine/checkpoint-fit.js";
export { BACKEND_NAMES, type BackendName } from "./stdlib/backends.js";

const BACKENDS = BACKEND_NAMES;

/**
 * Loads tfjs and activates a backend (BACKEND_NAMES: wasm, cpu, webgpu, tensorflow,
 * auto). Returns which one runs and why, or an `unknown-backend` / `backend-unavailable`
 * diagnostic.
 */
export async function initBackend(
  name: string,
): Promise<{ name: string; reason: string } | { diagnostics: Diagnostic[] }> {
  const where = syntheticSpan("<command line>");
  if (!isBackendName(name))
    return {
      diagnostics: [diagnostic("unknown-backend", where, { name, available: BACKENDS.join(", ") })],
    };
  const backend = await import("./backends/tfjs/backend.js");
  try {
    return await backend.initBackend(name);
  } catch (e) {
    if (e instanceof backend.BackendUnavailableError)
      return {
        diagnostics: [
          diagnostic("backend-unavailable", where, { name: e.backend, reason: e.reason }),
        ],
      };
    throw e;
  }
}

/** The model as a standalone TypeScript module over @tensorflow/tfjs; see docs/codegen.md. */
export async function generateTypeScript(
  ir: ModelIR,
  opts?: import("./backends/typescript/index.js").GenerateOptions,
): Promise<import("./backends/typescript/index.js").GeneratedModule> {
  // ts-morph and prettier load only when code is generated, not at CLI start-up.
  const { generateTypeScript: generate } = await import("./backends/typescript/index.js");
  return generate(ir, opts);
}

/** Trains a compiled model with AEVB; see src/engine/train.ts. */
export async function train(
  ir: ModelIR,
  data: DatasetSplits,
  config: TrainIR,
  hooks?: TrainHooks,
  run?: import("./engine/train.js").TrainRunOptions,
): Promise<TrainResult> {
  const { trainModel } = await import("./engine/train.js");
  return trainModel(ir, data, config, hooks, run);
}

/** Metrics (per data point, in nats) of a model with the given weights on one dataset. */
export async function evaluate(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: EvaluateOptions,
): Promise<SplitMetrics> {
  const { evaluateModel } = await import("./engine/train.js");
  return evaluateModel(ir, weights, data, opts);
}

/**
 * The metrics of `evaluate` plus information diagnostics: log p(x), the data entropy, I_q(X;Z)
 * with its bounds H − D ≤ I ≤ R, KL[q(z)‖p(z)] and the active units; see src/engine/diagnostics.
 */
export async function diagnose(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: import("./engine/diagnostics/report.js").DiagnoseOptions,
): Promise<import("./engine/diagnostics/types.js").InformationReport> {
  const { diagnoseModel } = await import("./engine/diagnostics/report.js");
  return diagnoseModel(ir, weights, data, opts);
}

export async function saveCheckpoint(
  dir: string,
  ckpt: { source: string; ir: ModelIR; weights: NamedWeights; train: TrainIR; backend: string },
): Promise<Diagnostic[]> {
  const { saveCheckpoint: save } = await import("./engine/checkpoint.js");
  return save(dir, ckpt);
}

export async function loadCheckpoint(
  dir: string,
): Promise<Result<import("./engine/checkpoint.js").Checkpoint>> {
  const { loadCheckpoint: load } = await import("./engine/checkpoint.js");
  return load(dir);
}

// Looking inside a trained model (src/engine/inspect): tfjs loads on the first call. The
// weights must fit the model (weightMismatches); `opts.backend` as in `evaluate`.
export type {
  CategoricalPanels,
  EncodedRows,
  InspectOptions,
  Manifold,
  ManifoldOptions,
  ModelSample,
  ReconstructOptions,
  SampleOptions,
  Traversal,
  TraversalOptions,
} from "./engine/inspect/index.js";
export { dataRowProblems, latentRowProblems } from "./engine/inspect/variables.js";

type Inspect = typeof import("./engine/inspect/index.js");

/** z ~ p(z), then x ~ p(x|z) or E[x|z]; seeded. */
export async function sampleModel(
  ...args: Parameters<Inspect["sampleModel"]>
): ReturnType<Inspect["sampleModel"]> {
  return (await import("./engine/inspect/index.js")).sampleModel(...args);
}

/** E[x|z] per data row, z the posterior mean (continuous latent) or a seeded draw. */
export async function reconstructRows(
  ...args: Parameters<Inspect["reconstructRows"]>
): ReturnType<Inspect["reconstructRows"]> {
  return (await import("./engine/inspect/index.js")).reconstructRows(...args);
}

/** q(z|x) summarised per latent dimension, one row per data point (CSV-ready columns). */
export async function encodeRows(
  ...args: Parameters<Inspect["encodeRows"]>
): ReturnType<Inspect["encodeRows"]> {
  return (await import("./engine/inspect/index.js")).encodeRows(...args);
}

/** E[x|z] for given latent rows (check them first with latentRowProblems). */
export async function decodeLatents(
  ...args: Parameters<Inspect["decodeLatents"]>
): ReturnType<Inspect["decodeLatents"]> {
  return (await import("./engine/inspect/index.js")).decodeLatents(...args);
}

/** Latent rows traversing the active dimensions; no dims for a non-continuous latent. */
export async function traversalLatents(
  ...args: Parameters<Inspect["traversalLatents"]>
): ReturnType<Inspect["traversalLatents"]> {
  return (await import("./engine/inspect/index.js")).traversalLatents(...args);
}

/** The 2-D latent grid of the prior's quantiles (Kingma & Welling Fig. 4), else null. */
export async function manifoldLatents(
  ...args: Parameters<Inspect["manifoldLatents"]>
): ReturnType<Inspect["manifoldLatents"]> {
  return (await import("./engine/inspect/index.js")).manifoldLatents(...args);
}

/** Alemi et al.'s Fig. 2 distributions for a categorical data and latent, else null. */
export async function categoricalPanels(
  ...args: Parameters<Inspect["categoricalPanels"]>
): ReturnType<Inspect["categoricalPanels"]> {
  return (await import("./engine/inspect/index.js")).categoricalPanels(...args);
}

type Compare = typeof import("./compare/index.js");
export type {
  CompareHooks,
  CompareOptions,
  CompareOutcome,
  PlannedRun,
  RunPlan,
  RunProgress,
  RunRecord,
  Sweep,
} from "./compare/index.js";

/**
 * `vae compare`: one model trained under several objectives and seeds in parallel child
 * processes, cached by run; results.json/csv, figures and report.html (docs/compare.md).
 */
export async function runCompare(
  ...args: Parameters<Compare["runCompare"]>
): ReturnType<Compare["runCompare"]> {
  return (await import("./compare/index.js")).runCompare(...args);
}

/** A `--sweep` text (`beta_vae(beta: 0.1..10 log 8)`) as its values and objectives. */
export async function parseSweep(
  ...args: Parameters<Compare["parseSweep"]>
): Promise<ReturnType<Compare["parseSweep"]>> {
  return (await import("./compare/index.js")).parseSweep(...args);
}

/** Every run of a compare (objectives × sweeps × seeds) with its cache key; trains nothing. */
export async function planRuns(
  ...args: Parameters<Compare["planRuns"]>
): Promise<ReturnType<Compare["planRuns"]>> {
  return (await import("./compare/index.js")).planRuns(...args);
}

/**
 * Writes DIR/report.html for a run folder (checkpoint + metrics.jsonl): the spec, the
 * per-epoch curves, the final metrics, prior samples and reconstructions; see
 * docs/checkpoints.md.
 */
export async function writeRunReport(
  ...args: Parameters<typeof import("./report/run-report.js").writeRunReport>
): ReturnType<typeof import("./report/run-report.js").writeRunReport> {
  return (await import("./report/run-report.js")).writeRunReport(...args);
}
