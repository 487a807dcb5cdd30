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
  type Estimator,
} from "./estimators/index.js";
import { deriveSeed, Rng } from "./rng.js";
import type {
  EpochMetrics,
  EvaluateOptions,
  NamedWeights,
  SplitMetrics,
  TrainHooks,
  TrainResult,
} from "./types.js";
import { weightMismatches } from "./weights.js";

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
function batchObjective(model: CompiledModel, spec: ObjectiveSpec, x: Tensor, seed: number) {
  const tf = model.tf;
  const terms = spec.estimator(model, x, {
    samples: spec.samples,
    kl: spec.kl,
    seed,
    iwSamples: spec.iwSamples,
  });
  return evaluateObjective(spec.objective, tensorAlgebra(tf), {
    distortion: tf.mean(terms.distortion),
    rate: tf.mean(terms.rate),
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
function evaluateRows(
  model: CompiledModel,
  spec: ObjectiveSpec,
  x: Tensor,
  seed: number,
  batch: number,
): SplitMetrics {
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
    const v = packed.dataSync();
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
export function exportWeights(model: CompiledModel): NamedWeights {
  const out: NamedWeights = {};
  for (const spec of model.specs) {
    const v = model.weights.get(spec.name)!;
    out[spec.name] = { shape: [...v.shape], values: new Float32Array(v.dataSync()) };
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
): Promise<TrainResult> {
  const backend = await initBackend(backendName(config.backend));
  hooks.log?.(`backend: ${backend.name} (${backend.reason})`);
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
  const history: EpochMetrics[] = [];
  let trainedRows = 0;
  let trainMs = 0;
  let warnedNonFinite = false;

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const epochStart = now();
      let epochTrainMs = 0;
      let loss = Number.NaN;
      const order = tf.tensor1d(rng.permutation(rows), "int32");
      for (let step = 0; step < stepsPerEpoch; step++) {
        const start = step * config.batch;
        const size = Math.min(config.batch, rows - start);
        const seed = rng.nextSeed();
        const t0 = now();
        // Gathered outside the gradient scope: inside it, tfjs would keep a copy of the
        // whole training tensor (an input of the gather) for the backward pass.
        const xb = tf.tidy(() => tf.gather(xTrain, tf.slice(order, start, size)));
        const cost = optimizer.minimize(
          () => batchObjective(model, spec, xb, seed),
          true,
          variables,
        );
        xb.dispose();
        if (step % LOSS_READ_EVERY === 0 || step === stepsPerEpoch - 1) {
          loss = (await cost!.data())[0]!;
          if (!Number.isFinite(loss) && !warnedNonFinite) {
            warnedNonFinite = true;
            hooks.log?.(`loss is ${loss} at epoch ${epoch}, step ${step}`);
          }
        }
        cost?.dispose();
        epochTrainMs += now() - t0;
        trainedRows += size;
        hooks.onStep?.({ epoch, step, stepsPerEpoch, loss });
      }
      order.dispose();
      trainMs += epochTrainMs;

      const train = evaluateRows(model, spec, xTrain, evalSeed, EVAL_BATCH);
      const test = xHeld !== null ? evaluateRows(model, spec, xHeld, evalSeed, EVAL_BATCH) : null;
      const metrics: EpochMetrics = {
        epoch,
        train,
        test,
        seconds: (now() - epochStart) / 1000,
        samples_per_second: rows / (epochTrainMs / 1000),
      };
      history.push(metrics);
      hooks.onEpoch?.(metrics);
    }
    return {
      ir,
      config,
      backend: backend.name,
      history,
      weights: exportWeights(model),
      samples_per_second: trainMs > 0 ? trainedRows / (trainMs / 1000) : 0,
    };
  } finally {
    optimizer.dispose();
    xTrain.dispose();
    xHeld?.dispose();
    model.dispose();
  }
}

function usesEntropy(e: ObjectiveExpr): boolean {
  switch (e.op) {
    case "term":
      return e.term === "entropy" || e.term === "mutual_info" || e.term === "marginal_kl";
    case "unary":
      return usesEntropy(e.input);
    case "binary":
      return usesEntropy(e.lhs) || usesEntropy(e.rhs);
    case "call":
      return e.args.some(usesEntropy);
    default:
      return false;
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
    return evaluateRows(model, spec, x, deriveSeed(opts.seed, "eval"), opts.batch ?? EVAL_BATCH);
  } finally {
    x.dispose();
    model.dispose();
  }
}
