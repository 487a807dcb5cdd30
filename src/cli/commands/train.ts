import * as path from "node:path";
import { Option, type Command } from "commander";
import {
  acquireRunLock,
  COMMAND_LINE,
  diagnostic,
  initBackend,
  loadCheckpoint,
  nonFiniteWeightNames,
  openMetricsLog,
  syntheticSpan,
  resolveDataset,
  saveCheckpoint,
  train,
  writeRunReport,
  type Diagnostic,
  type Divergence,
  type ModelIR,
  type RunLock,
  type TrainIR,
  type TrainResult,
} from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";
import {
  backendOption,
  dataOption,
  modelOption,
  objectiveOption,
  seedOption,
  workersOption,
} from "../common-options.js";
import { compileReported } from "../compile.js";
import { integerAtLeast, nonEmpty, positiveNumber } from "../flags.js";
import { errorReason, reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import { ProgressBar } from "../progress.js";
import { createFreshFolder, runFolderName } from "../run-folder.js";
import { shownPath } from "../output-file.js";
import { epochLine, formatMetric, metricsTable } from "../tables.js";

export interface TrainOptions {
  model?: string;
  data?: string;
  objective?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  samples?: number;
  seed?: number;
  backend?: string;
  /** Data-parallel replicas of each training step (`--workers N`); unset: the file's. */
  workers?: number;
  /**
   * `train { }` entries as source text, by option name (`free_bits`, not `--free-bits`):
   * the checker validates them as if the file had them (see CompileOptions.train).
   */
  entries: Record<string, string>;
  out?: string;
  /** A step with a non-finite loss or gradient: stop there (default) or skip it. */
  onNan?: "stop" | "skip";
  json: boolean;
  quiet: boolean;
}

/**
 * Flags whose value is a `train { }` entry, checked by the compiler rather than here, so a
 * mistake gets the same diagnostic as in a file (e.g. an estimator the model cannot use).
 */
const ENTRY_FLAGS: readonly { flag: string; entry: string; key: string; help: string }[] = [
  {
    flag: "--optimizer <expr>",
    entry: "optimizer",
    key: "optimizer",
    help: "adam, adagrad or sgd, optionally with a learning rate as in 'adam(lr: 0.001)' (default: the file's, else adam(lr: 0.001))",
  },
  {
    flag: "--estimator <name>",
    entry: "estimator",
    key: "estimator",
    help: "gradient estimator: reparam, enumerate or score (default: the file's, else reparam)",
  },
  {
    flag: "--kl <how>",
    entry: "kl",
    key: "kl",
    help: "the rate's KL term: analytic (closed form where one exists) or monte_carlo (default: the file's, else analytic)",
  },
  {
    flag: "--warmup <epochs>",
    entry: "warmup",
    key: "warmup",
    help: "KL warm-up: weight the rate by min(1, t / N) in the training loss, N > 0 epochs (default: the file's, else off)",
  },
  {
    flag: "--free-bits <nats>",
    entry: "free_bits",
    key: "freeBits",
    help: "free bits: each latent dimension's KL counts as at least λ > 0 nats in the training loss (default: the file's, else off)",
  },
  {
    flag: "--anneal <epochs>",
    entry: "anneal",
    key: "anneal",
    help: "grow every anneal(v) of the objective linearly from 0 to v over N > 0 epochs (default: the file's, else off)",
  },
  {
    flag: "--weight-prior <expr>",
    entry: "weight_prior",
    key: "weightPrior",
    help: "MAP training with a Gaussian prior on every weight, written 'normal(scale: s)' (default: the file's, else none)",
  },
];

export function registerTrain(program: Command, accept: Accept): void {
  const cmd = program
    .command("train")
    .summary("train a model with AEVB; report ELBO, rate and distortion")
    .description(
      "Train FILE's model with Auto-Encoding Variational Bayes. Flags override the file's " +
        "train { } options. Progress goes to stderr; the final metrics (nats per data point) " +
        "to stdout. Every run writes a folder (--out DIR, default a new runs/MODEL-DATE-TIME) " +
        "holding the checkpoint (spec.vae, ir.json, weights.json, config.json), metrics.jsonl " +
        "(one line per epoch) and report.html (curves, samples, reconstructions); the " +
        "inspection commands (sample, reconstruct, encode, traverse) read it with --checkpoint.",
    )
    .argument("<file>", "the .vae model")
    .addOption(dataOption())
    .addOption(objectiveOption())
    .addOption(modelOption())
    .addOption(
      new Option(
        "--epochs <N>",
        "passes over the training set (default: the file's, else 10)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--batch <N>",
        "data points per minibatch (default: the file's, else 100)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--lr <x>",
        "learning rate, replacing the optimizer's (default: the file's, else the optimizer's own)",
      ).argParser(positiveNumber),
    )
    .addOption(
      new Option(
        "--samples <L>",
        "samples of z per data point in each step (default: the file's, else 1)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(seedOption("initialisation, shuffling and sampling", "the file's, else 0"));
  for (const f of ENTRY_FLAGS) cmd.addOption(new Option(f.flag, f.help));
  cmd
    .addOption(backendOption())
    .addOption(
      workersOption("data-parallel replicas of each step (wasm, cpu)", "the file's, else 1"),
    )
    .addOption(
      new Option(
        "--out <dir>",
        "the run folder: checkpoint, metrics.jsonl and report.html (default: a new folder runs/MODEL-YYYYMMDD-HHMMSS)",
      ).argParser(nonEmpty),
    )
    .addOption(
      new Option(
        "--on-nan <what>",
        "a step whose loss or gradient is NaN or infinite: stop there (exit 1, nothing written over the checkpoint) or skip its update (stop after 100 in a row)",
      )
        .choices(["stop", "skip"])
        .default("stop"),
    )
    .option("--json", "end stdout with one JSON object holding the final metrics")
    .option("--quiet", "no progress on stderr")
    .addHelpText(
      "after",
      examplesHelp([
        ["vae train examples/mnist-vae.vae --out runs/mnist", "train and save a checkpoint"],
        [
          `vae train examples/gaussian-vae.vae --data mnist-8x8 --epochs 5 --warmup 2 --workers 2`,
          "another dataset, five epochs with KL warm-up, two threads",
        ],
      ]),
    )
    .action((file: string, o: Record<string, unknown>) => {
      const entries: Record<string, string> = {};
      for (const f of ENTRY_FLAGS)
        if (typeof o[f.key] === "string") entries[f.entry] = o[f.key] as string;
      const options: TrainOptions = {
        model: o.model as string | undefined,
        data: o.data as string | undefined,
        objective: o.objective as string | undefined,
        epochs: o.epochs as number | undefined,
        batch: o.batch as number | undefined,
        lr: o.lr as number | undefined,
        samples: o.samples as number | undefined,
        seed: o.seed as number | undefined,
        backend: o.backend as string | undefined,
        workers: o.workers as number | undefined,
        entries,
        out: o.out as string | undefined,
        onNan: o.onNan === "skip" ? "skip" : "stop",
        json: o.json === true,
        quiet: o.quiet === true,
      };
      accept({ kind: "train", file, options, run: (io) => runTrain(io, file, options) });
    });
}

/** Applies command-line overrides to the file's `train { }` defaults. */
function resolveTrainConfig(ir: ModelIR, o: TrainOptions): TrainIR {
  const t = ir.train;
  return {
    ...t,
    dataset: o.data ?? t.dataset,
    epochs: o.epochs ?? t.epochs,
    batch: o.batch ?? t.batch,
    samples: o.samples ?? t.samples,
    seed: o.seed ?? t.seed,
    backend: o.backend ?? t.backend,
    // Absent stays absent: a checkpoint's train config then reads as the file wrote it.
    ...(o.workers !== undefined && { workers: o.workers }),
    optimizer: { ...t.optimizer, lr: o.lr ?? t.optimizer.lr },
  };
}

async function runTrain(io: CliIO, file: string, o: TrainOptions): Promise<number> {
  const res = compileReported(io, file, {
    model: o.model,
    objective: o.objective,
    train: o.entries,
  });
  if (!res.ir) return 1;
  const ir = res.ir;
  const config = resolveTrainConfig(ir, o);
  if (config.dataset === null)
    return reportUsageError(io, {
      option: "--data",
      reason: `model '${ir.name}' names no dataset; pass --data NAME|PATH (see 'vae datasets')`,
      command: "train",
    });

  const data = await resolveDataset(config.dataset, ir.data, { baseDir: process.cwd() });
  reportDiagnostics(io, data.diagnostics);
  if (!data.value) return 1;

  const backend = await initBackend(config.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const log = (s: string) => {
    if (!o.quiet) io.stderr.write(s + "\n");
  };
  // The engine announces the backend it trains on (hooks.log); no need to say it twice.
  const splits = data.value;
  log(
    `model ${ir.name}: ${splits.train.rows} training points from ${splits.train.source}; ` +
      `objective ${ir.objective.source}; ${config.epochs} epochs × batch ${config.batch}, ` +
      `L = ${config.samples}, ${config.optimizer.name}(lr: ${config.optimizer.lr}), seed ${config.seed}`,
  );

  const out = await runFolder(io, o, ir.name);
  if (out === null) return 1;
  const shown = shownPath(out);
  log(`writing the run to ${shown}`);
  const lock = lockRunFolder(io, out, shown, log);
  if (lock === null) return 1;
  try {
    return await trainInto(
      io,
      file,
      o,
      { ir, config, splits, backend: backend.name, res },
      out,
      log,
    );
  } finally {
    lock.release();
  }
}

/** Everything a locked run needs from the steps before it. */
interface TrainInputs {
  ir: ModelIR;
  config: TrainIR;
  splits: Parameters<typeof train>[1];
  backend: string;
  res: ReturnType<typeof compileReported>;
}

async function trainInto(
  io: CliIO,
  file: string,
  o: TrainOptions,
  inputs: TrainInputs,
  out: string,
  log: (s: string) => void,
): Promise<number> {
  const { ir, config, splits, res } = inputs;
  const backend = { name: inputs.backend };
  const shown = shownPath(out);
  let metricsSink: Awaited<ReturnType<typeof openMetricsLog>>;
  try {
    metricsSink = await openMetricsLog(out);
  } catch (e) {
    return reportUsageError(io, {
      option: "--out",
      reason: `cannot write to '${shown}': ${errorReason(e)}`,
      command: "train",
    });
  }
  const stepsPerEpoch = Math.ceil(splits.train.rows / config.batch);
  const bar = new ProgressBar(io.stderr, stepsPerEpoch * config.epochs);
  const result = await train(
    ir,
    splits,
    config,
    {
      onStep: (s) => {
        if (!o.quiet)
          bar.update(
            (s.epoch - 1) * s.stepsPerEpoch + s.step,
            `epoch ${s.epoch}/${config.epochs} loss ${formatMetric(s.loss)}`,
          );
      },
      onEpoch: (m) => {
        bar.clear();
        log(epochLine(m, config.epochs));
        metricsSink.append(m);
      },
      log: (s) => {
        bar.clear();
        log(s);
      },
    },
    { onNan: o.onNan ?? "stop" },
  );
  bar.clear();
  await metricsSink.close();
  const divergence = result.divergence ?? nonFiniteAtEnd(result, splits.train.rows);
  if (divergence !== undefined) return reportDivergence(io, o, ir, result, divergence, out);
  if (result.skippedSteps > 0)
    log(
      `${result.skippedSteps} step${result.skippedSteps > 1 ? "s" : ""} skipped (non-finite loss or gradient)`,
    );
  const problems = await saveCheckpoint(out, {
    source: res.sources.get(file) ?? "",
    ir,
    train: config,
    backend: backend.name,
    weights: result.weights,
  });
  reportDiagnostics(io, problems, res.sources);
  if (problems.length > 0) return 1;
  const report = await writeRunReport(out, { data: splits.test ?? splits.valid ?? splits.train });
  reportDiagnostics(io, report.diagnostics);
  if (report.path === undefined) return 1;

  const last = result.history[result.history.length - 1];
  if (o.json) {
    io.stdout.write(
      JSON.stringify({
        model: ir.name,
        objective: ir.objective.source,
        status: "completed",
        epochs: config.epochs,
        backend: backend.name,
        workers: result.workers,
        skipped_steps: result.skippedSteps,
        train: last?.train ?? null,
        test: last?.test ?? null,
        samples_per_second: result.samples_per_second,
        seconds: result.history.reduce((s, h) => s + h.seconds, 0),
        checkpoint: out,
      }) + "\n",
    );
  } else if (last) {
    io.stdout.write(
      metricsTable([
        ["train", last.train],
        ["test", last.test],
      ]) + `\n(nats per data point; ${Math.round(result.samples_per_second)} samples/s)\n`,
    );
  }
  log(
    `run written to ${shown}: checkpoint, metrics.jsonl and ${path.join(shown, path.basename(report.path))}`,
  );
  return 0;
}

/** --out DIR, or a fresh folder under runs/ named after the model and the time. */
async function runFolder(io: CliIO, o: TrainOptions, model: string): Promise<string | null> {
  if (o.out !== undefined) return path.resolve(o.out);
  const parent = path.resolve("runs");
  try {
    return await createFreshFolder(parent, runFolderName(model, new Date()));
  } catch (e) {
    reportUsageError(io, {
      option: "--out",
      reason: `no --out given, and a run folder cannot be created in '${parent}': ${errorReason(e)}; pass --out DIR`,
      command: "train",
    });
    return null;
  }
}

/** Takes the run folder's lock, or reports who holds it (null). */
function lockRunFolder(
  io: CliIO,
  out: string,
  shown: string,
  log: (s: string) => void,
): RunLock | null {
  let taken: ReturnType<typeof acquireRunLock>;
  try {
    taken = acquireRunLock(out);
  } catch (e) {
    reportUsageError(io, {
      option: "--out",
      reason: `cannot write to '${shown}': ${errorReason(e)}`,
      command: "train",
    });
    return null;
  }
  if ("heldBy" in taken) {
    reportDiagnostics(io, [
      diagnostic("run-folder-locked", syntheticSpan(COMMAND_LINE), {
        path: shown,
        holder:
          taken.heldBy === null
            ? `another run (${shownPath(taken.path)} names no process; remove it if no run is writing)`
            : `process ${taken.heldBy}`,
      }),
    ]);
    return null;
  }
  if (taken.staleTakenOver !== undefined)
    log(`note: took over the lock of process ${taken.staleTakenOver}, which is no longer running`);
  return taken.lock;
}

/**
 * Weights that went non-finite without a non-finite step being seen (the last update
 * overflowed): a divergence at the end of the run, so they are never saved.
 */
function nonFiniteAtEnd(result: TrainResult, rows: number): Divergence | undefined {
  const bad = nonFiniteWeightNames(result.weights);
  if (bad.length === 0) return undefined;
  const epochs = result.history.length;
  const stepsPerEpoch = Math.ceil(rows / result.config.batch);
  return {
    epoch: Math.max(1, epochs),
    step: stepsPerEpoch - 1,
    stepsTaken: epochs * stepsPerEpoch,
    loss: Number.NaN,
    terms: [],
    gradients: [],
    weights: bad,
    reason: "non-finite",
    skippedInARow: 0,
  };
}

/** The detail of a divergence: which terms, gradients and weights were not finite. */
function divergenceDetail(d: Divergence): string {
  const parts = [
    d.terms.length > 0
      ? `non-finite term${d.terms.length > 1 ? "s" : ""}: ${d.terms.join(", ")}`
      : d.weights.length > 0 && d.gradients.length === 0
        ? "weights went non-finite in the update"
        : "every term finite (the objective or a gradient is not)",
  ];
  if (d.gradients.length > 0) parts.push(`non-finite gradient of ${listed(d.gradients)}`);
  if (d.weights.length > 0) parts.push(`non-finite weights: ${listed(d.weights)}`);
  if (d.reason === "too-many-skipped")
    parts.push(`${d.skippedInARow + 1} steps in a row skipped (--on-nan skip)`);
  return parts.join("; ");
}

function listed(names: string[]): string {
  const shown = names.slice(0, 6).join(", ");
  return names.length > 6 ? `${shown} and ${names.length - 6} more` : shown;
}

/**
 * A diverged run: nothing is written over the folder's checkpoint (the weights are
 * mid-epoch or not finite); the diagnostic says where the last good one is. Exit 1.
 */
async function reportDivergence(
  io: CliIO,
  o: TrainOptions,
  ir: ModelIR,
  result: TrainResult,
  d: Divergence,
  out: string,
): Promise<number> {
  const shown = shownPath(out);
  const previous = await loadCheckpoint(out);
  const hasPrevious = previous.value !== undefined;
  const checkpoint = hasPrevious
    ? `the last good checkpoint is '${shown}' (left as it was, from an earlier run)`
    : "no checkpoint was written (the folder held none)";
  const detail = divergenceDetail(d);
  const problems: Diagnostic[] = [
    diagnostic("training-diverged", syntheticSpan(COMMAND_LINE), {
      epoch: d.epoch,
      step: d.step,
      loss: String(d.loss),
      detail,
      checkpoint,
    }),
  ];
  // Shown with --quiet too: it is the run's outcome, not progress.
  reportDiagnostics(io, problems);
  if (o.json) {
    io.stdout.write(
      JSON.stringify({
        model: ir.name,
        objective: ir.objective.source,
        status: "diverged",
        reason: {
          epoch: d.epoch,
          step: d.step,
          steps_taken: d.stepsTaken,
          loss: String(d.loss),
          terms: d.terms,
          gradients: d.gradients,
          weights: d.weights,
          why: d.reason,
          detail,
        },
        epochs_completed: result.history.length,
        skipped_steps: result.skippedSteps,
        backend: result.backend,
        workers: result.workers,
        checkpoint: hasPrevious ? out : null,
      }) + "\n",
    );
  }
  return 1;
}
