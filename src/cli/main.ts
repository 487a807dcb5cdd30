import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import {
  compileFile,
  diagnostic,
  hasErrors,
  renderDiagnostics,
  syntheticSpan,
  type Diagnostic,
  type ModelIR,
  type SplitMetrics,
  type EpochMetrics,
  type TrainIR,
  describeLinearObjective,
  explainObjective,
  explainEstimators,
  listDatasets,
  packageVersion,
  COMMAND_LINE,
  type CompileOptions,
  type CompileResult,
  dataSourceText,
  weightMismatches,
  initBackend,
  resolveDataset,
  train,
  diagnose,
  type InformationReport,
  saveCheckpoint,
  loadCheckpoint,
  openMetricsLog,
  generateTypeScript,
} from "../index.js";
import { parseCommandLine, USAGE, type EvalOptions, type TrainOptions } from "./args.js";
import { ProgressBar, formatDuration, type ProgressStream } from "./progress.js";

export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

function report(io: CliIO, ds: readonly Diagnostic[], sources: Map<string, string>): void {
  if (ds.length === 0) return;
  const lookup = (f: string) => {
    if (sources.has(f)) return sources.get(f);
    if (f === COMMAND_LINE) return undefined;
    // Data-file and checkpoint diagnostics point into files the frontend never read.
    const text = dataSourceText(f);
    if (text !== undefined) sources.set(f, text);
    return text;
  };
  // A command-line mistake with no text to point into reads `vae: error[code]: ...`.
  const bare = ds.filter((d) => d.span.file === COMMAND_LINE && lookup(d.span.file) === undefined);
  const located = ds.filter((d) => !bare.includes(d));
  for (const d of bare) io.stderr.write(`vae: ${d.severity}[${d.code}]: ${d.message}\n`);
  if (located.length > 0) io.stderr.write(renderDiagnostics(located, lookup) + "\n");
}

function optionError(io: CliIO, option: string, reason: string): number {
  report(
    io,
    [diagnostic("invalid-option", syntheticSpan(COMMAND_LINE), { option, reason })],
    new Map(),
  );
  io.stderr.write(`Run 'vae --help' for usage.\n`);
  return 1;
}

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);

function metricsTable(rows: [string, SplitMetrics | null][]): string {
  const head = ["", "loss", "ELBO", "rate R", "distortion D"];
  const body = rows
    .filter((r): r is [string, SplitMetrics] => r[1] !== null)
    .map(([name, m]) => [name, fmt(m.loss), fmt(m.elbo), fmt(m.rate), fmt(m.distortion)]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   "),
    )
    .join("\n");
}

function epochLine(m: EpochMetrics, epochs: number): string {
  const t = m.train;
  const held = m.test ? ` | test ELBO ${fmt(m.test.elbo)}` : "";
  return (
    `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs}  loss ${fmt(t.loss)}  ` +
    `ELBO ${fmt(t.elbo)} (R ${fmt(t.rate)}, D ${fmt(t.distortion)})${held}  ` +
    `${Math.round(m.samples_per_second)} samples/s, ${formatDuration(m.seconds)}`
  );
}

/** Compiles FILE, printing its diagnostics; the result's IR is absent when there were errors. */
function compileReported(io: CliIO, file: string, opts: CompileOptions): CompileResult {
  const res = compileFile(file, opts);
  report(io, res.diagnostics, res.sources);
  return hasErrors(res.diagnostics) ? { ...res, ir: undefined } : res;
}

async function runCheck(
  io: CliIO,
  file: string,
  emit: "ir" | "ast" | null,
  model?: string,
  objective?: string,
): Promise<number> {
  const res = compileReported(io, file, { model, objective });
  if (!res.ir) return 1;
  if (emit === "ir") io.stdout.write(JSON.stringify(res.ir, null, 2) + "\n");
  else if (emit === "ast") io.stdout.write(JSON.stringify(res.program, null, 2) + "\n");
  else {
    const ir = res.ir;
    const lin = ir.objective.linear ? ` = ${describeLinearObjective(ir.objective.linear)}` : "";
    io.stdout.write(
      `${file}: ok — model ${ir.name}: data ${ir.data.name}, latent ${ir.latent.name}, ` +
        `${ir.nets.length} net(s), objective ${ir.objective.source}${lin}\n`,
    );
  }
  return 0;
}

async function runExplain(
  io: CliIO,
  file: string,
  model?: string,
  objective?: string,
): Promise<number> {
  const res = compileReported(io, file, { model, objective });
  if (!res.ir) return 1;
  io.stdout.write(explainObjective(res.ir.objective) + "\n");
  io.stdout.write(explainEstimators(res.ir) + "\n");
  return 0;
}

async function runCodegen(
  io: CliIO,
  file: string,
  out?: string,
  model?: string,
  objective?: string,
): Promise<number> {
  const res = compileReported(io, file, { model, objective });
  if (!res.ir) return 1;
  // The IR carries no source spans, so unsupported constructs are reported without a location.
  const generated = await generateTypeScript(res.ir, { file: COMMAND_LINE });
  report(io, generated.diagnostics, res.sources);
  if (generated.code === undefined) return 1;
  if (out === undefined) {
    io.stdout.write(generated.code);
    return 0;
  }
  try {
    await writeFile(out, generated.code);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return optionError(io, "--out", `cannot write '${out}': ${reason}`);
  }
  io.stderr.write(`wrote ${out}\n`);
  return 0;
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
  // --estimator and --kl go through the checker, which knows which estimators fit the model.
  const trainFlags: Record<string, string> = {};
  if (o.estimator !== undefined) trainFlags.estimator = o.estimator;
  if (o.kl !== undefined) trainFlags.kl = o.kl;
  const res = compileReported(io, file, {
    model: o.model,
    objective: o.objective,
    train: trainFlags,
  });
  if (!res.ir) return 1;
  const ir = res.ir;
  const config = resolveTrainConfig(ir, o);
  if (config.dataset === null)
    return optionError(
      io,
      "--data",
      `model '${ir.name}' names no dataset; pass --data NAME|PATH (see 'vae datasets')`,
    );

  const data = await resolveDataset(config.dataset, ir.data, { baseDir: process.cwd() });
  report(io, data.diagnostics, new Map());
  if (!data.value) return 1;

  const backend = await initBackend(config.backend ?? "auto");
  if ("diagnostics" in backend) {
    report(io, backend.diagnostics, new Map());
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

  const out = o.out ? path.resolve(o.out) : null;
  const metricsSink = out ? await openMetricsLog(out) : null;
  const stepsPerEpoch = Math.ceil(splits.train.rows / config.batch);
  const bar = new ProgressBar(io.stderr, stepsPerEpoch * config.epochs);
  const result = await train(ir, splits, config, {
    onStep: (s) => {
      if (!o.quiet)
        bar.update(
          (s.epoch - 1) * s.stepsPerEpoch + s.step,
          `epoch ${s.epoch}/${config.epochs} loss ${fmt(s.loss)}`,
        );
    },
    onEpoch: (m) => {
      bar.clear();
      log(epochLine(m, config.epochs));
      metricsSink?.append(m);
    },
    log: (s) => {
      bar.clear();
      log(s);
    },
  });
  bar.clear();
  await metricsSink?.close();
  if (out) {
    const problems = await saveCheckpoint(out, {
      source: res.sources.get(file) ?? "",
      ir,
      train: config,
      backend: backend.name,
      weights: result.weights,
    });
    report(io, problems, res.sources);
    if (problems.length > 0) return 1;
    log(`checkpoint written to ${path.relative(process.cwd(), out) || "."}`);
  }

  const last = result.history[result.history.length - 1];
  if (o.json) {
    io.stdout.write(
      JSON.stringify({
        model: ir.name,
        objective: ir.objective.source,
        epochs: config.epochs,
        backend: backend.name,
        workers: result.workers,
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
  return 0;
}

async function runEval(io: CliIO, file: string, o: EvalOptions): Promise<number> {
  const res = compileReported(io, file, { model: o.model });
  if (!res.ir) return 1;
  const ir = res.ir;
  const ckpt = await loadCheckpoint(path.resolve(o.checkpoint));
  report(io, ckpt.diagnostics, new Map());
  if (!ckpt.value) return 1;
  const misfit = weightMismatches(ir, ckpt.value.weights);
  if (misfit.length > 0) {
    const reason = `its weights do not fit model '${ir.name}' of ${file}: ${misfit.slice(0, 3).join("; ")}`;
    report(
      io,
      [
        diagnostic("checkpoint-invalid", syntheticSpan(COMMAND_LINE), {
          path: o.checkpoint,
          reason,
        }),
      ],
      new Map(),
    );
    return 1;
  }
  const spec = o.data ?? ckpt.value.config.train.dataset ?? ir.train.dataset;
  if (spec === null)
    return optionError(io, "--data", `model '${ir.name}' names no dataset; pass --data NAME|PATH`);
  const data = await resolveDataset(spec, ir.data, { baseDir: process.cwd(), split: o.split });
  report(io, data.diagnostics, new Map());
  if (!data.value) return 1;
  const split = data.value[o.split];
  if (!split) return optionError(io, "--split", `dataset '${spec}' has no ${o.split} split`);
  const backend = await initBackend(o.backend ?? "auto");
  if ("diagnostics" in backend) {
    report(io, backend.diagnostics, new Map());
    return 1;
  }
  const rows = Math.min(o.rows ?? split.rows, split.rows);
  const evaluated =
    rows === split.rows
      ? split
      : { ...split, rows, values: split.values.subarray(0, rows * split.dim) };
  const m = await diagnose(ir, ckpt.value.weights, evaluated, {
    samples: o.samples ?? ir.train.samples,
    seed: o.seed ?? ir.train.seed,
    entropy: data.value.entropy,
    iwSamples: o.iw ?? null,
    ...(o.mi !== undefined && { aggregate: o.mi }),
    ...(o.workers !== undefined && { workers: o.workers }),
  });
  if (o.json) {
    io.stdout.write(
      JSON.stringify({
        model: ir.name,
        split: o.split,
        rows,
        backend: backend.name,
        ...m,
      }) + "\n",
    );
  } else {
    io.stdout.write(
      metricsTable([[o.split, m]]) +
        "\n\n" +
        informationTable(m, rows) +
        `\n(nats per data point, ${rows} points)\n`,
    );
  }
  return 0;
}

/** The diagnostics of `vae eval` with their estimators and the bounds H − D ≤ I ≤ R. */
function informationTable(m: InformationReport, rows: number): string {
  const ll =
    m.log_likelihood_method === "exact"
      ? "exact: log Σ_z p(z) p(x|z)"
      : m.log_likelihood_method === "importance"
        ? `importance sampled, k = ${m.iw_samples}`
        : "not estimated: pass --iw K";
  const h =
    m.entropy_source === "exact"
      ? "exact entropy of the data distribution"
      : m.entropy_source === "empirical"
        ? `plug-in entropy of the ${rows} rows` +
          (Math.abs(m.entropy! - Math.log(rows)) < 1e-9 ? " = log N (all distinct)" : "")
        : "unknown for continuous data";
  const mi = m.mutual_info;
  const est =
    m.mi_estimator === "exact"
      ? "exact aggregate posterior"
      : m.mi_estimator === "mws"
        ? "minibatch weighted sampling"
        : "stratified minibatch estimate";
  const lines: [string, string, string][] = [
    ["log p(x)", fmt(m.log_likelihood), ll],
    ["entropy H", fmt(m.entropy), h],
    [
      "I_q(X;Z)",
      fmt(mi.estimate),
      `${est}; ${mi.lower === null ? "?" : fmt(mi.lower)} = max(0, H − D) ≤ I ≤ R = ${fmt(mi.upper)}`,
    ],
    [
      "KL[q(z)‖p(z)]",
      fmt(m.marginal_kl),
      `I + KL = ${fmt(mi.estimate + m.marginal_kl)} vs R = ${fmt(m.rate)}`,
    ],
    [
      "active units",
      m.active_units === null ? "—" : `${m.active_units}/${m.latent_dims}`,
      m.active_units === null ? "undefined for a categorical latent" : "Var_x E[z_u|x] > 0.01",
    ],
  ];
  const w0 = Math.max(...lines.map((l) => l[0].length));
  const w1 = Math.max(...lines.map((l) => l[1].length));
  return lines.map(([a, b, c]) => `${a.padEnd(w0)}   ${b.padStart(w1)}   ${c}`).join("\n");
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommandLine(argv);
  if ("error" in parsed) return optionError(io, parsed.error.option, parsed.error.reason);
  const c = parsed.command;
  switch (c.kind) {
    case "help":
      io.stdout.write(USAGE + "\n");
      return 0;
    case "version":
      io.stdout.write(`vaelang ${packageVersion()}\n`);
      return 0;
    case "datasets":
      for (const d of listDatasets()) io.stdout.write(`${d.name.padEnd(18)} ${d.description}\n`);
      return 0;
    case "check":
      return runCheck(io, c.file, c.emit, c.model, c.objective);
    case "explain":
      return runExplain(io, c.file, c.model, c.objective);
    case "codegen":
      return runCodegen(io, c.file, c.out, c.model, c.objective);
    case "train":
      return runTrain(io, c.file, c.options);
    case "eval":
      return runEval(io, c.file, c.options);
  }
}
