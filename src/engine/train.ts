import { initBackend, isBackendName, loadTf } from "../backends/tfjs/backend.js";
import { compileModel, type CompiledModel } from "../backends/tfjs/compile.js";
import { createOptimizer } from "../backends/tfjs/optimizers.js";
import type { Scalar, Tensor, Tf } from "../backends/tfjs/tf.js";
import type { NamedTensorMap } from "@tensorflow/tfjs";
import type { Dataset, DatasetSplits } from "../data/types.js";
import type { ModelIR, ObjectiveExpr, TrainIR } from "../ir/types.js";
import {
  estimatorFor,
  evaluateObjective,
  iwSampleCounts,
  numberAlgebra,
  tensorAlgebra,
  shapedRate,
  scheduleFactor,
  stopGradient,
  scoreVarianceReport,
  formatScoreVarianceReport,
  ScoreBaselines,
  type Estimator,
  type LossShaping,
  type TermTensors,
} from "./estimators/index.js";
import { epochDiagnostics, EPOCH_DIAGNOSTIC_ROWS } from "./diagnostics/epoch.js";
import { uploadDeviceRows, type DeviceRows } from "./device-rows.js";
import { deriveSeed, Rng } from "./rng.js";
import { weightPriorPenalty } from "./weight-prior.js";
import {
  describeNonFinite,
  MAX_SKIPPED_IN_A_ROW,
  nonFiniteReport,
  StepChecker,
  type NonFiniteReport,
  type OnNan,
} from "./divergence.js";
import type {
  Divergence,
  EpochMetrics,
  EvaluateOptions,
  NamedWeights,
  SplitMetrics,
  TrainHooks,
  TrainResult,
} from "./types.js";
import { weightMismatches } from "./weights.js";
import { termCoefficients } from "../objectives/linear.js";
import { usesEntropy } from "../objectives/terms.js";
import {
  applySummedGradients,
  gradientLength,
  replicaLayout,
  STEP_CHECK_FLOATS,
} from "./parallel/gradients.js";
import { SOLO_LINK, type ReplicaLink } from "./parallel/link.js";
import { startReplicas, type ReplicaGroup } from "./parallel/replicas.js";
import { replicaShard, weightsChecksum } from "./parallel/shard.js";

/** Rows per evaluation batch unless told otherwise. */
export const EVAL_BATCH = 1000;

/** What one estimate of the objective needs besides the model and the batch. */
export interface ObjectiveSpec {
  estimator: Estimator;
  objective: ObjectiveExpr;
  samples: number;
  kl: "analytic" | "monte_carlo";
  iwSamples: number[];
  /** Data entropy H, or 0 when unknown (losses involving H are then up to a constant). */
  entropy: number;
}

export function objectiveSpec(
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
 * Where training stands, for the loss-shaping options: `progress` is the epochs completed
 * (fractional), `baselines` the score-function control variates.
 */
export interface TrainingState {
  shaping: LossShaping;
  progress: number;
  baselines?: ScoreBaselines;
}

/**
 * Minibatch means of the terms: distortion and rate as scalars (the rate per latent
 * dimension [E] when free bits need it), iw_bound(k) as scalars in `spec.iwSamples` order.
 */
interface BatchMeans {
  distortion: Tensor;
  rate: Tensor;
  iw: Tensor[];
}

function termsOf(
  model: CompiledModel,
  spec: ObjectiveSpec,
  x: Tensor,
  seed: number,
  state: TrainingState,
) {
  return spec.estimator(model, x, {
    samples: spec.samples,
    kl: spec.kl,
    seed,
    iwSamples: spec.iwSamples,
    rateByDimension: state.shaping.freeBits !== undefined,
    ...(state.baselines && { baselines: state.baselines }),
  });
}

function batchMeans(
  tf: Tf,
  spec: ObjectiveSpec,
  terms: TermTensors,
  perDimension: boolean,
): BatchMeans {
  return {
    distortion: tf.mean(terms.distortion),
    rate: perDimension ? tf.mean(terms.rateDims!, 0) : tf.mean(terms.rate),
    iw: spec.iwSamples.map((k) => {
      const t = terms.iw.get(k);
      if (t === undefined) throw new Error(`iw_bound(${k}) was not estimated`);
      return tf.mean(t);
    }),
  };
}

/** The objective (a scalar to minimise) applied to minibatch means of the terms. */
function objectiveOfMeans(
  tf: Tf,
  spec: ObjectiveSpec,
  means: BatchMeans,
  state: TrainingState,
): Scalar {
  return evaluateObjective(spec.objective, tensorAlgebra(tf), {
    distortion: means.distortion,
    rate: shapedRate(tf, means.rate, state.shaping, state.progress),
    annealFactor: scheduleFactor(state.progress, state.shaping.anneal),
    entropy: tf.scalar(spec.entropy),
    iwBound: (k) => means.iw[spec.iwSamples.indexOf(k)]!,
  }) as Scalar;
}

/** The minibatch objective (a scalar to minimise) from per-point terms averaged over the batch. */
function batchObjective(
  model: CompiledModel,
  spec: ObjectiveSpec,
  x: Tensor,
  seed: number,
  state: TrainingState = { shaping: {}, progress: 0 },
): Scalar {
  const tf = model.tf;
  const terms = termsOf(model, spec, x, seed, state);
  return objectiveOfMeans(
    tf,
    spec,
    batchMeans(tf, spec, terms, state.shaping.freeBits !== undefined),
    state,
  );
}

/** How many values `BatchMeans` packs into: distortion, the rate (1 or E), one per iw_bound. */
function packedMeansLength(model: CompiledModel, spec: ObjectiveSpec, perDimension: boolean) {
  const latent = model.ir.latent.shape.reduce((p, d) => p * d, 1);
  return 1 + (perDimension ? latent : 1) + spec.iwSamples.length;
}

/**
 * The means over the whole minibatch in place of this replica's: each mean m_r (over n_r
 * of the N rows) becomes (n_r/N)·m_r − stop((n_r/N)·m_r) + M, whose value is exactly the
 * minibatch mean M and whose gradient is (n_r/N)·∇m_r. The objective is then evaluated at
 * M on every replica, and the sum of the replicas' gradients is the full-minibatch
 * gradient of the objective, also when it is not linear in the terms (|σ − R|, free bits).
 * `means` null: this replica has no rows this step (it contributes nothing).
 */
function sharedMeans(
  tf: Tf,
  link: ReplicaLink,
  means: BatchMeans | null,
  length: number,
  rows: number,
): BatchMeans | null {
  const flat =
    means === null
      ? null
      : tf.concat([means.distortion, means.rate, ...means.iw].map((t) => tf.reshape(t, [-1])));
  const local = new Float64Array(length + 1);
  if (flat !== null) {
    const v = flat.dataSync();
    for (let i = 0; i < length; i++) local[i] = v[i]! * rows;
    local[length] = rows;
  }
  const sums = link.sum64(local);
  if (flat === null) return null;
  const total = sums[length]!;
  const global = tf.tensor1d(Float32Array.from(sums.subarray(0, length), (s) => s / total));
  const weighted = tf.mul(flat, tf.scalar(rows / total));
  const shared = tf.add(tf.sub(weighted, stopGradient(tf, weighted)), global);
  const rateLength = length - 1 - means!.iw.length;
  const part = (start: number, n: number, shape: number[]) =>
    tf.reshape(tf.slice(shared, start, n), shape);
  return {
    distortion: part(0, 1, []),
    rate: part(1, rateLength, means!.rate.shape),
    iw: means!.iw.map((_, i) => part(1 + rateLength + i, 1, [])),
  };
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
  x: DeviceRows,
  seed: number,
  batch: number,
  link: ReplicaLink = SOLO_LINK,
): Promise<SplitMetrics> {
  const tf = model.tf;
  const rows = x.rows;
  const rng = new Rng(seed, "eval");
  let sums: Float64Array = new Float64Array(2 + spec.iwSamples.length);
  for (let start = 0, b = 0; start < rows; start += batch, b++) {
    const size = Math.min(batch, rows - start);
    const s = rng.nextSeed();
    // Replicas take every world-th batch; the seeds are those of a single evaluator.
    if (b % link.world !== link.rank) continue;
    const packed = tf.tidy(() => {
      const xb = x.slice(start, size);
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
  if (link.world > 1) sums = link.sum64(sums);
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
  /**
   * A step whose loss or gradient is not finite is never applied. "stop" (default): training
   * ends there with `TrainResult.divergence`; "skip": the step is skipped and counted, and
   * training ends as with "stop" after `maxSkippedInARow` skipped steps in a row.
   */
  onNan?: OnNan;
  /** Default MAX_SKIPPED_IN_A_ROW (100). */
  maxSkippedInARow?: number;
}

/** Backends on which `workers` runs replicas in worker threads (CPU backends, synchronous reads). */
const REPLICA_BACKENDS = new Set(["wasm", "cpu"]);

/**
 * AEVB (Kingma & Welling 2014, Algorithm 1) with the model's estimator and objective.
 * Each epoch visits the training rows in a fresh seeded order, in minibatches of
 * `config.batch` (the last, smaller batch included, so every row is used every epoch),
 * with `config.samples` draws of z per row. The loss is a per-point mean, i.e. the
 * full-data estimator of §2.3 divided by N: the same gradient direction, a constant factor
 * absorbed by the learning rate. After every epoch the train split and the held-out split
 * (test, else valid) are evaluated with the same estimator.
 *
 * With `config.workers` = W > 1 (on a CPU backend) each step runs as W data-parallel
 * replicas, this thread and W − 1 worker threads: each computes the gradient of its share
 * of the minibatch, the gradients are summed, and every replica applies the same update.
 */
export async function trainModel(
  ir: ModelIR,
  data: DatasetSplits,
  config: TrainIR,
  hooks: TrainHooks = {},
  run: TrainRunOptions = {},
): Promise<TrainResult> {
  const backend = await initBackend(backendName(config.backend));
  hooks.log?.(`backend: ${backend.name} (${backend.reason})`);
  let world = config.workers ?? 1;
  if (world > 1 && !REPLICA_BACKENDS.has(backend.name)) {
    hooks.log?.(`workers: ${world} ignored on ${backend.name} (replicas run on wasm or cpu)`);
    world = 1;
  }
  const tf = await loadTf();
  const spec = objectiveSpec(ir, config, data.entropy);
  if (data.entropy === null && usesEntropy(ir.objective.expr)) {
    hooks.log?.("data entropy unknown: the loss is reported up to the constant H");
  }
  const model = compileModel(ir, tf, config.seed);
  const xTrain = uploadDeviceRows(tf, ir, data.train);
  const heldOutData = data.test ?? data.valid;
  const xHeld = heldOutData !== undefined ? uploadDeviceRows(tf, ir, heldOutData) : null;
  let group: ReplicaGroup | undefined;
  try {
    if (world > 1) {
      const t0 = now();
      group = await startReplicas({
        ir,
        config: { ...config, backend: backend.name },
        train: data.train,
        heldOut: heldOutData ?? null,
        entropy: data.entropy ?? null,
        run,
        world,
        floats: gradientLength(model.trainable) + STEP_CHECK_FLOATS,
      });
      hooks.log?.(
        `workers: ${world} data-parallel replicas (this thread and ${world - 1} worker ` +
          `thread${world > 2 ? "s" : ""}; started in ${((now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
    const link = group?.link ?? SOLO_LINK;
    const outcome = await runReplica({
      model,
      spec,
      xTrain,
      xHeld,
      config,
      link,
      hooks,
      run,
    });
    const weights = await exportWeights(model);
    if (group !== undefined) await group.finish(weightsChecksum(weights));
    return {
      ir,
      config,
      backend: backend.name,
      workers: world,
      history: outcome.history,
      weights,
      samples_per_second: outcome.trainMs > 0 ? outcome.trainedRows / (outcome.trainMs / 1000) : 0,
      skippedSteps: outcome.skippedSteps,
      ...(outcome.divergence && { divergence: outcome.divergence }),
    };
  } catch (e) {
    throw (await group?.failure(e)) ?? e;
  } finally {
    group?.terminate();
    xTrain.dispose();
    xHeld?.dispose();
    model.dispose();
  }
}

/** What one replica trains with; `link` connects it to the others (SOLO_LINK: alone). */
export interface ReplicaInputs {
  model: CompiledModel;
  spec: ObjectiveSpec;
  xTrain: DeviceRows;
  xHeld: DeviceRows | null;
  config: TrainIR;
  link: ReplicaLink;
  hooks: TrainHooks;
  run: TrainRunOptions;
}

/**
 * The training loop of one replica. Replica 0 reports (hooks, evaluation results, timing);
 * every replica makes the same sequence of collective calls on `link`.
 */
export async function runReplica(r: ReplicaInputs): Promise<{
  history: EpochMetrics[];
  trainedRows: number;
  trainMs: number;
  skippedSteps: number;
  divergence?: Divergence;
}> {
  const { model, spec, xTrain, xHeld, config, link, hooks, run } = r;
  const tf = model.tf;
  const lead = link.rank === 0;
  const maxSteps = run.maxSteps ?? Number.POSITIVE_INFINITY;
  const evaluate = run.evaluate ?? true;
  const optimizer = createOptimizer(tf, config.optimizer);
  const variables = [...model.trainable];
  const layout = replicaLayout(variables, link.world);
  const rng = new Rng(config.seed, "train");
  const evalSeed = deriveSeed(config.seed, "eval");
  const rows = xTrain.rows;
  const stepsPerEpoch = Math.ceil(rows / config.batch);
  const perDimension = config.freeBits !== undefined;
  const meansLength = packedMeansLength(model, spec, perDimension);
  // An objective affine in the minibatch means is the n_r/N-weighted sum of the replicas'
  // objectives on their own shards: no exchange of means is needed before the backward
  // pass, only of the loss when it is read.
  const affine = termCoefficients(spec.objective) !== null && !perDimension;
  const baselines = config.estimator === "score" ? new ScoreBaselines(tf) : undefined;
  if (baselines !== undefined && lead) {
    await logScoreVariance(model, spec, xTrain, config, hooks);
  }
  const history: EpochMetrics[] = [];
  let trainedRows = 0;
  let trainMs = 0;
  let stepsTaken = 0;
  const onNan = run.onNan ?? "stop";
  const maxSkipped = run.maxSkippedInARow ?? MAX_SKIPPED_IN_A_ROW;
  let skippedSteps = 0;
  let skippedInARow = 0;
  let divergence: Divergence | undefined;
  const checker = new StepChecker(tf);
  const termNames = ["distortion", "rate", ...spec.iwSamples.map((k) => `iw_bound(${k})`)];

  try {
    for (
      let epoch = 1;
      epoch <= config.epochs && stepsTaken < maxSteps && divergence === undefined;
      epoch++
    ) {
      const epochStart = now();
      let epochTrainMs = 0;
      let loss = Number.NaN;
      const order = Int32Array.from(rng.permutation(rows));
      let rowsThisEpoch = 0;
      for (let step = 0; step < stepsPerEpoch && stepsTaken < maxSteps; step++) {
        const start = step * config.batch;
        const size = Math.min(config.batch, rows - start);
        const seed = rng.nextSeed();
        const t0 = now();
        const shard = replicaShard(size, link.rank, link.world);
        // Each replica draws its own noise; alone, the step's seed is used as it is.
        const stepSeed = link.world === 1 ? seed : deriveSeed(seed, "replica", link.rank);
        const state: TrainingState = {
          shaping: config,
          progress: epoch - 1 + step / stepsPerEpoch,
          ...(baselines && { baselines }),
        };
        let cost: Scalar | null = null;
        let grads: NamedTensorMap = {};
        let xb: Tensor | null = null;
        if (shard.rows === 0) {
          // Nothing to differentiate; still take part in the step's collectives.
          if (!affine) sharedMeans(tf, link, null, meansLength, 0);
        } else {
          // Gathered outside the gradient scope: inside it, tfjs would keep a copy of the
          // whole training tensor (an input of the gather) for the backward pass.
          const first = start + shard.offset;
          const rowsOfStep = xTrain.gather(order.subarray(first, first + shard.rows));
          xb = rowsOfStep;
          const prior = config.weightPrior;
          const f = (): Scalar => {
            let objective: Scalar;
            if (link.world === 1)
              objective = batchObjective(model, spec, rowsOfStep, stepSeed, state);
            else {
              const terms = termsOf(model, spec, rowsOfStep, stepSeed, state);
              const local = batchMeans(tf, spec, terms, perDimension);
              if (affine) {
                const own = objectiveOfMeans(tf, spec, local, state);
                objective = tf.mul(own, tf.scalar(shard.rows / size)) as Scalar;
              } else {
                const means = sharedMeans(tf, link, local, meansLength, shard.rows)!;
                objective = objectiveOfMeans(tf, spec, means, state);
              }
            }
            // The penalty is counted once: by replica 0, which always has rows.
            if (prior === undefined || !lead) return objective;
            const penalty = weightPriorPenalty(tf, variables, prior.scale, rows);
            return tf.add(objective, penalty) as Scalar;
          };
          const computed = optimizer.computeGradients(f, variables);
          cost = computed.value;
          grads = computed.grads;
        }
        // The loss and the gradients are checked every step, before the update (StepChecker);
        // replicas exchange their verdicts with the gradients, so that all decide alike.
        let own = 0;
        if (cost !== null) {
          own = await checker.lossIfFinite(cost, grads);
        }
        let finite = Number.isFinite(own);
        if (link.world === 1) {
          loss = own;
          if (finite) {
            optimizer.applyGradients(grads);
            tf.dispose(Object.values(grads));
          }
        } else {
          // The check travels with the gradients (no collective of its own). Affine: each
          // replica holds its share of the loss; otherwise each holds all of it, and the
          // lead's (with the weight prior's penalty) counts.
          const share = affine || lead ? own : 0;
          const applied = applySummedGradients(tf, link, variables, grads, optimizer, layout, {
            nonFinite: !finite,
            share,
          });
          finite = applied.finite;
          loss = finite ? applied.loss : Number.isFinite(own) ? Number.NaN : own;
        }
        if (finite) {
          skippedInARow = 0;
        } else {
          const report = stepReport(model, spec, link, xb, stepSeed, state, termNames, grads);
          tf.dispose(Object.values(grads));
          skippedSteps++;
          const giveUp = onNan === "stop" || skippedInARow + 1 >= maxSkipped;
          if (giveUp) {
            divergence = {
              epoch,
              step,
              stepsTaken,
              loss,
              ...report,
              reason: onNan === "stop" ? "non-finite" : "too-many-skipped",
              skippedInARow,
            };
          } else if (skippedInARow === 0 && lead) {
            hooks.log?.(
              `epoch ${epoch}, step ${step}: loss ${loss}, update skipped (${describeNonFinite(report)})`,
            );
          }
          skippedInARow++;
        }
        xb?.dispose();
        baselines?.endStep();
        cost?.dispose();
        if (divergence !== undefined) break;
        epochTrainMs += now() - t0;
        trainedRows += size;
        rowsThisEpoch += size;
        stepsTaken++;
        hooks.onStep?.({ epoch, step, stepsPerEpoch, loss });
      }
      trainMs += epochTrainMs;
      // A diverged epoch is not complete: it is neither evaluated nor reported.
      if (divergence !== undefined) break;
      if (!evaluate) continue;

      const train = await evaluateRows(model, spec, xTrain, evalSeed, EVAL_BATCH, link);
      const test =
        xHeld !== null ? await evaluateRows(model, spec, xHeld, evalSeed, EVAL_BATCH, link) : null;
      if (!lead) continue;
      const diagnostics =
        xHeld === null
          ? null
          : await heldOutDiagnostics(model, xHeld, {
              enumerate: config.estimator === "enumerate",
              seed: evalSeed,
            });
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
    return { history, trainedRows, trainMs, skippedSteps, ...(divergence && { divergence }) };
  } finally {
    baselines?.dispose();
    checker.dispose();
    optimizer.dispose();
  }
}

/**
 * Which terms of a non-finite step are not finite, and which variables its gradients or
 * values make non-finite. The terms are estimated again, forward only, on the same rows
 * with the same seed (so the same values); every replica takes part (`nonFiniteReport`).
 */
function stepReport(
  model: CompiledModel,
  spec: ObjectiveSpec,
  link: ReplicaLink,
  xb: Tensor | null,
  seed: number,
  state: TrainingState,
  termNames: string[],
  grads: NamedTensorMap,
): NonFiniteReport {
  const tf = model.tf;
  let report: NonFiniteReport | undefined;
  tf.tidy(() => {
    // Without the score baselines: estimating must not move them.
    const plain: TrainingState = { shaping: state.shaping, progress: state.progress };
    const means =
      xb === null ? null : batchMeans(tf, spec, termsOf(model, spec, xb, seed, plain), false);
    const terms =
      means === null
        ? null
        : [means.distortion, means.rate, ...means.iw].map((mean, i) => ({
            name: termNames[i]!,
            mean,
          }));
    report = nonFiniteReport(
      tf,
      link,
      terms,
      termNames,
      model.trainable,
      grads,
      stableNames(model),
    );
  });
  return report!;
}

/** The checkpoint name of each trainable variable (tfjs names variables by number). */
function stableNames(model: CompiledModel): string[] {
  const byVariable = new Map<unknown, string>();
  for (const [name, v] of model.weights) byVariable.set(v, name);
  return model.trainable.map((v) => byVariable.get(v) ?? v.name);
}

/** The per-epoch information diagnostics on the first rows of the held-out split. */
async function heldOutDiagnostics(
  model: CompiledModel,
  x: DeviceRows,
  o: Parameters<typeof epochDiagnostics>[2],
) {
  const xs = x.slice(0, Math.min(x.rows, EPOCH_DIAGNOSTIC_ROWS));
  try {
    return await epochDiagnostics(model, xs, o);
  } finally {
    xs.dispose();
  }
}

/**
 * Logs how much the moving-average baseline lowers the variance of the score-function
 * encoder gradient, measured on the first minibatch before training starts.
 */
async function logScoreVariance(
  model: CompiledModel,
  spec: ObjectiveSpec,
  xTrain: DeviceRows,
  config: TrainIR,
  hooks: TrainHooks,
): Promise<void> {
  if (hooks.log === undefined) return;
  const tf = model.tf;
  const xb = xTrain.slice(0, Math.min(config.batch, xTrain.rows));
  try {
    const report = await scoreVarianceReport(
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
  const x = uploadDeviceRows(tf, ir, data);
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
