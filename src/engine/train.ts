import { initBackend, isBackendName, loadTf } from "../backends/tfjs/backend.js";
import { compileModel, type CompiledModel } from "../backends/tfjs/compile.js";
import { createOptimizer } from "../backends/tfjs/optimizers.js";
import type { Scalar, Tensor, Tf } from "../backends/tfjs/tf.js";
import type { Dataset, DatasetSplits } from "../data/types.js";
import type { ModelIR, ObjectiveExpr, TrainIR } from "../ir/types.js";
import {
  estimatorFor,
  evaluateObjective,
  iwSampleCounts,
  numberAlgebra,
  tensorAlgebra,
  trainingRate,
  scheduleFactor,
  scoreVarianceReport,
  formatScoreVarianceReport,
  ScoreBaselines,
  type Estimator,
  type LossShaping,
} from "./estimators/index.js";
import { epochDiagnostics } from "./diagnostics/epoch.js";
import { deriveSeed, Rng } from "./rng.js";
import { weightPriorPenalty } from "./weight-prior.js";
import type {
  EpochMetrics,
  EvaluateOptions,
  NamedWeights,
  SplitMetrics,
  TrainHooks,
  TrainResult,
} from "./types.js";
import { weightMismatches } from "./weights.js";
import { usesEntropy } from "../objectives/terms.js";

/** Steps between loss read-backs: reading a tensor back synchronises the device. */
export const LOSS_READ_EVERY = 10;

/** Rows per evaluation batch unless told otherwise. */
export const EVAL_BATCH = 1000;

/** What one estimate of the objective needs besides the model and the batch. */
interface ObjectiveSpec {
  estimator: Estimator;
  objective: ObjectiveExpr;
  samples: number;
  kl: "analytic" | "monte_carlo";
  iwSamples: number[];
  /** Data entropy H, or 0 when unknown (losses involving H are then up to a constant). */
  entropy: number;
}

function objectiveSpec(
  ir: ModelIR,
  o: { estimator: TrainIR["estimator"]; samples: number; kl: TrainIR["kl"] },
  entropy: number | null | undefined,
): ObjectiveSpec {
  return {
    estimator: estimatorFor(o.estimator),
    objective: ir.objective.expr,
    samples: o.samples,
    kl: o.kl,
    iwSamples: iwSampleCounts(ir.objective.expr),
    entropy: entropy ?? 0,
  };
}

function backendName(name: string | null | undefined) {
  const n = name ?? "auto";
  // The CLI reports unknown names as `unknown-backend` before anything runs.
  if (!isBackendName(n)) throw new Error(`unknown backend '${n}'`);
  return n;
}

/**
 * The rows of `ds` as one device tensor [rows, ...shape]: float32, or int32 indices for a
 * categorical data variable.
 */
function uploadRows(tf: Tf, ir: ModelIR, ds: Dataset): Tensor {
  const shape = ir.data.shape;
  const width = shape.reduce((p, d) => p * d, 1);
  if (ds.dim !== width) {
    throw new Error(`${ds.source}: rows have ${ds.dim} values, the data variable needs ${width}`);
  }
  const values = ds.values.subarray(0, ds.rows * ds.dim);
  if (ir.data.kind === "categorical") {
    return tf.tensor(Int32Array.from(values), [ds.rows, ...shape], "int32");
  }
  return tf.tensor(values, [ds.rows, ...shape], "float32");
}

/** The minibatch objective (a scalar to minimise) from per-point terms averaged over the batch. */
/**
 * Where training stands, for the loss-shaping options: `progress` is the epochs completed
 * (fractional), `baselines` the score-function control variates.
 */
export interface TrainingState {
  shaping: LossShaping;
  progress: number;
  baselines?: ScoreBaselines;
}

function batchObjective(
  model: CompiledModel,
  spec: ObjectiveSpec,
  x: Tensor,
  seed: number,
  state: TrainingState = { shaping: {}, progress: 0 },
) {
  const tf = model.tf;
  const terms = spec.estimator(model, x, {
    samples: spec.samples,
    kl: spec.kl,
    seed,
    iwSamples: spec.iwSamples,
    rateByDimension: state.shaping.freeBits !== undefined,
    ...(state.baselines && { baselines: state.baselines }),
  });
  return evaluateObjective(spec.objective, tensorAlgebra(tf), {
    distortion: tf.mean(terms.distortion),
    rate: trainingRate(tf, terms, state.shaping, state.progress),
    annealFactor: scheduleFactor(state.progress, state.shaping.anneal),
    entropy: tf.scalar(spec.entropy),
    iwBound: (k) => {
      const t = terms.iw.get(k);
      if (t === undefined) throw new Error(`iw_bound(${k}) was not estimated`);
      return tf.mean(t);
    },
  }) as Scalar;
}

/**
 * Metrics over all rows of `x`, in batches, without gradients. Terms are averaged over
 * the rows first and the objective is applied to the averages, so a non-linear objective
 * (|σ − R|) is reported for the split as a whole. The draws come from `seed` alone: the
 * same weights always give the same numbers.
 */
async function evaluateRows(
  model: CompiledModel,
  spec: ObjectiveSpec,
  x: Tensor,
  seed: number,
  batch: number,
): Promise<SplitMetrics> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  const rng = new Rng(seed, "eval");
  const sums = new Float64Array(2 + spec.iwSamples.length);
  for (let start = 0; start < rows; start += batch) {
    const size = Math.min(batch, rows - start);
    const s = rng.nextSeed();
    const packed = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const terms = spec.estimator(model, xb, {
        samples: spec.samples,
        kl: spec.kl,
        seed: s,
        iwSamples: spec.iwSamples,
      });
      const parts = [terms.distortion, terms.rate, ...spec.iwSamples.map((k) => terms.iw.get(k)!)];
      return tf.stack(parts.map((t) => tf.sum(t)));
    });
    // Asynchronous: the webgpu backend cannot read synchronously under Node.
    const v = await packed.data();
    packed.dispose();
    for (let i = 0; i < sums.length; i++) sums[i]! += v[i]!;
  }
  const mean = Array.from(sums, (s) => s / rows);
  const distortion = mean[0]!;
  const rate = mean[1]!;
  const loss = evaluateObjective(spec.objective, numberAlgebra, {
    distortion,
    rate,
    entropy: spec.entropy,
    iwBound: (k) => mean[2 + spec.iwSamples.indexOf(k)]!,
  });
  return { loss, elbo: -(distortion + rate), rate, distortion };
}

/** Every variable of the model as plain arrays under its stable name. */
export async function exportWeights(model: CompiledModel): Promise<NamedWeights> {
  const out: NamedWeights = {};
  for (const spec of model.specs) {
    const v = model.weights.get(spec.name)!;
    out[spec.name] = { shape: [...v.shape], values: new Float32Array(await v.data()) };
  }
  return out;
}

/** Overwrites the model's variables; `weights` must fit (see weightMismatches). */
export function importWeights(model: CompiledModel, weights: NamedWeights): void {
  const problems = weightMismatches(model.ir, weights);
  if (problems.length > 0) throw new Error(`importWeights: ${problems.join("; ")}`);
  const tf = model.tf;
  for (const spec of model.specs) {
    const w = weights[spec.name]!;
    tf.tidy(() => model.weights.get(spec.name)!.assign(tf.tensor(w.values, w.shape, "float32")));
  }
}

const now = () => performance.now();

/** Knobs for measurements (benchmarks); the defaults are what `vae train` does. */
export interface TrainRunOptions {
  /** Stop after this many optimisation steps in all, even mid-epoch (default: no limit). */
  maxSteps?: number;
  /**
   * Evaluate the train and held-out splits after each epoch (default true). When false no
   * epoch is evaluated, `onEpoch` is not called and `history` stays empty.
   */
  evaluate?: boolean;
}

/**
 * AEVB (Kingma & Welling 2014, Algorithm 1) with the model's estimator and objective.
 * Each epoch visits the training rows in a fresh seeded order, in minibatches of
 * `config.batch` (the last, smaller batch included, so every row is used every epoch),
 * with `config.samples` draws of z per row. The loss is a per-point mean, i.e. the
 * full-data estimator of §2.3 divided by N: the same gradient direction, a constant factor
 * absorbed by the learning rate. After every epoch the train split and the held-out split
 * (test, else valid) are evaluated with the same estimator.
 */
export async function trainModel(
  ir: ModelIR,
  data: DatasetSplits,
  config: TrainIR,
  hooks: TrainHooks = {},
  run: TrainRunOptions = {},
): Promise<TrainResult> {
  const maxSteps = run.maxSteps ?? Number.POSITIVE_INFINITY;
  const evaluate = run.evaluate ?? true;
  const backend = await initBackend(backendName(config.backend));
  hooks.log?.(`backend: ${backend.name} (${backend.reason})`);
  // The information diagnostics read tensors synchronously, which WebGPU under Node cannot
  // do; there they are skipped (vae eval computes them on a synchronous backend instead).
  const syncReads = backend.name !== "webgpu";
  if (!syncReads) {
    hooks.log?.("per-epoch information diagnostics are skipped on webgpu (no synchronous reads)");
  }
  const tf = await loadTf();
  const spec = objectiveSpec(ir, config, data.entropy);
  if (data.entropy === null && usesEntropy(ir.objective.expr)) {
    hooks.log?.("data entropy unknown: the loss is reported up to the constant H");
  }
  const model = compileModel(ir, tf, config.seed);
  const xTrain = uploadRows(tf, ir, data.train);
  const heldOutData = data.test ?? data.valid;
  const xHeld = heldOutData !== undefined ? uploadRows(tf, ir, heldOutData) : null;
  const optimizer = createOptimizer(tf, config.optimizer);
  const variables = [...model.trainable];
  const rng = new Rng(config.seed, "train");
  const evalSeed = deriveSeed(config.seed, "eval");
  const rows = data.train.rows;
  const stepsPerEpoch = Math.ceil(rows / config.batch);
  const baselines = config.estimator === "score" ? new ScoreBaselines(tf) : undefined;
  if (baselines !== undefined && syncReads) logScoreVariance(model, spec, xTrain, config, hooks);
  const history: EpochMetrics[] = [];
  let trainedRows = 0;
  let trainMs = 0;
  let warnedNonFinite = false;
  let stepsTaken = 0;

  try {
    for (let epoch = 1; epoch <= config.epochs && stepsTaken < maxSteps; epoch++) {
      const epochStart = now();
      let epochTrainMs = 0;
      let loss = Number.NaN;
      const order = tf.tensor1d(rng.permutation(rows), "int32");
      let rowsThisEpoch = 0;
      for (let step = 0; step < stepsPerEpoch && stepsTaken < maxSteps; step++) {
        const last = step === stepsPerEpoch - 1 || stepsTaken + 1 === maxSteps;
        const start = step * config.batch;
        const size = Math.min(config.batch, rows - start);
        const seed = rng.nextSeed();
        const t0 = now();
        // Gathered outside the gradient scope: inside it, tfjs would keep a copy of the
        // whole training tensor (an input of the gather) for the backward pass.
        const xb = tf.tidy(() => tf.gather(xTrain, tf.slice(order, start, size)));
        const prior = config.weightPrior;
        const cost = optimizer.minimize(
          () => {
            const progress = epoch - 1 + step / stepsPerEpoch;
            const state = { shaping: config, progress, ...(baselines && { baselines }) };
            const objective = batchObjective(model, spec, xb, seed, state);
            if (prior === undefined) return objective;
            const penalty = weightPriorPenalty(tf, variables, prior.scale, rows);
            return tf.add(objective, penalty) as Scalar;
          },
          true,
          variables,
        );
        xb.dispose();
        baselines?.endStep();
        if (step % LOSS_READ_EVERY === 0 || last) {
          loss = (await cost!.data())[0]!;
          if (!Number.isFinite(loss) && !warnedNonFinite) {
            warnedNonFinite = true;
            hooks.log?.(`loss is ${loss} at epoch ${epoch}, step ${step}`);
          }
        }
        cost?.dispose();
        epochTrainMs += now() - t0;
        trainedRows += size;
        rowsThisEpoch += size;
        stepsTaken++;
        hooks.onStep?.({ epoch, step, stepsPerEpoch, loss });
      }
      order.dispose();
      trainMs += epochTrainMs;
      if (!evaluate) continue;

      const train = await evaluateRows(model, spec, xTrain, evalSeed, EVAL_BATCH);
      const test =
        xHeld !== null ? await evaluateRows(model, spec, xHeld, evalSeed, EVAL_BATCH) : null;
      const diagnostics =
        xHeld !== null && syncReads
          ? epochDiagnostics(model, xHeld, {
              enumerate: config.estimator === "enumerate",
              seed: evalSeed,
            })
          : null;
      const metrics: EpochMetrics = {
        epoch,
        train,
        test,
        ...(diagnostics && { diagnostics }),
        seconds: (now() - epochStart) / 1000,
        samples_per_second: rowsThisEpoch / (epochTrainMs / 1000),
      };
      history.push(metrics);
      hooks.onEpoch?.(metrics);
    }
    return {
      ir,
      config,
      backend: backend.name,
      history,
      weights: await exportWeights(model),
      samples_per_second: trainMs > 0 ? trainedRows / (trainMs / 1000) : 0,
    };
  } finally {
    baselines?.dispose();
    optimizer.dispose();
    xTrain.dispose();
    xHeld?.dispose();
    model.dispose();
  }
}

/**
 * Logs how much the moving-average baseline lowers the variance of the score-function
 * encoder gradient, measured on the first minibatch before training starts.
 */
function logScoreVariance(
  model: CompiledModel,
  spec: ObjectiveSpec,
  xTrain: Tensor,
  config: TrainIR,
  hooks: TrainHooks,
): void {
  if (hooks.log === undefined) return;
  const tf = model.tf;
  const xb = tf.slice(xTrain, 0, Math.min(config.batch, xTrain.shape[0]!));
  try {
    const report = scoreVarianceReport(
      model,
      (seed, baselines) =>
        batchObjective(model, spec, xb, seed, {
          shaping: config,
          progress: 0,
          ...(baselines && { baselines }),
        }),
      deriveSeed(config.seed, "variance"),
    );
    hooks.log(formatScoreVarianceReport(report, xb.shape[0]!));
  } finally {
    xb.dispose();
  }
}

/**
 * Metrics of a model with the given weights on one dataset, with the model's estimator
 * (or `opts.estimator`) and `opts.samples` draws per point.
 */
export async function evaluateModel(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: EvaluateOptions,
): Promise<SplitMetrics> {
  await initBackend(backendName(opts.backend ?? ir.train.backend));
  const tf = await loadTf();
  const spec = objectiveSpec(
    ir,
    {
      estimator: opts.estimator ?? ir.train.estimator,
      samples: opts.samples,
      kl: opts.kl ?? ir.train.kl,
    },
    opts.entropy,
  );
  const model = compileModel(ir, tf, opts.seed);
  const x = uploadRows(tf, ir, data);
  try {
    importWeights(model, weights);
    const seed = deriveSeed(opts.seed, "eval");
    // Awaited here: the finally below frees x and the model.
    return await evaluateRows(model, spec, x, seed, opts.batch ?? EVAL_BATCH);
  } finally {
    x.dispose();
    model.dispose();
  }
}
