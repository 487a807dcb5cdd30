import * as path from "node:path";
import { Option, type Command } from "commander";
import { diagnose, initBackend, resolveDataset, subsetRows } from "../../index.js";
import { loadCheckpointModel } from "../checkpoint-model.js";
import { examplesHelp, type Accept } from "../command.js";
import {
  backendOption,
  dataOption,
  modelOption,
  seedOption,
  workersOption,
  inspectCheckpointOption,
  inspectFileArgument,
} from "../common-options.js";
import { compileReported } from "../compile.js";
import { integerAtLeast, oneOf } from "../flags.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import { datasetSpec } from "../inspect-data.js";
import { informationTable, metricsTable } from "../tables.js";

export type SplitName = "train" | "valid" | "test";

export interface EvalOptions {
  model?: string;
  checkpoint: string;
  data?: string;
  split: SplitName;
  samples?: number;
  seed?: number;
  backend?: string;
  json: boolean;
  /** k of the importance-sampled log p(x) (`--iw K`); unset: not estimated. */
  iw?: number;
  /** Evaluate N rows of the split drawn at random (`--rows N`, seeded by `seed`). */
  rows?: number;
  /** Estimator of log q(z) for I_q(X;Z) and KL[q(z)‖p(z)] (`--mi`). */
  mi?: "stratified" | "mws";
  /** Threads for the importance-sampled log p(x) (`--workers N`); unset: 1. */
  workers?: number;
}

const splitOption = (): Option =>
  new Option("--split <name>", "which split of the dataset: train, valid or test")
    .default("test", "test")
    .argParser(oneOf<SplitName>("train", "valid", "test"));

export function registerEval(program: Command, accept: Accept): void {
  program
    .command("eval")
    .summary("ELBO, R, D, log p(x), I(X;Z), KL[q(z)‖p(z)] and active units of a checkpoint")
    .description(
      "Evaluate a checkpoint on one split: ELBO, rate R, distortion D, the importance" +
        "-sampled log p(x) (--iw), I_q(X;Z) with its bounds H − D ≤ I ≤ R, KL[q(z)‖p(z)] and " +
        "the active units; see docs/diagnostics-metrics.md.",
    )
    .argument("[file]", inspectFileArgument)
    .addOption(inspectCheckpointOption())
    .addOption(dataOption())
    .addOption(splitOption())
    .addOption(
      new Option(
        "--samples <L>",
        "samples of z per data point for R and D (default: the file's train { samples })",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--iw <K>",
        "estimate log p(x) by importance sampling with K samples per point (default: not estimated)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--rows <N>",
        "evaluate N rows drawn at random from the split, seeded by --seed (default: all)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--mi <estimator>",
        "estimator of log q(z) for I(X;Z) and KL[q(z)‖p(z)]: stratified or mws (default: stratified)",
      ).argParser(oneOf("stratified", "mws")),
    )
    .addOption(seedOption("the evaluation's sampling", "the file's train { seed }"))
    .addOption(backendOption())
    .addOption(workersOption("the importance-sampled log p(x)", "1"))
    .addOption(modelOption())
    .option("--json", "print one JSON object instead of the tables")
    .addHelpText(
      "after",
      examplesHelp([
        [
          "vae eval examples/mnist-vae.vae --checkpoint runs/mnist --iw 1000 --rows 500",
          "every metric on 500 test rows, log p(x) with k = 1000",
        ],
      ]),
    )
    .action((file: string | undefined, o: Record<string, unknown>) => {
      const options: EvalOptions = {
        model: o.model as string | undefined,
        checkpoint: o.checkpoint as string,
        data: o.data as string | undefined,
        split: o.split as SplitName,
        samples: o.samples as number | undefined,
        seed: o.seed as number | undefined,
        backend: o.backend as string | undefined,
        json: o.json === true,
        ...(o.iw !== undefined && { iw: o.iw as number }),
        ...(o.rows !== undefined && { rows: o.rows as number }),
        ...(o.mi !== undefined && { mi: o.mi as "stratified" | "mws" }),
        ...(o.workers !== undefined && { workers: o.workers as number }),
      };
      accept({ kind: "eval", file, options, run: (io) => runEval(io, file, options) });
    });
}

async function runEval(io: CliIO, file: string | undefined, o: EvalOptions): Promise<number> {
  const model = await loadCheckpointModel(io, { ...o, file, command: "eval" });
  if (model === null) return 1;
  const { ir, weights } = model;
  const spec = datasetSpec(model, o.data);
  if (spec === null)
    return reportUsageError(io, {
      option: "--data",
      reason: `model '${ir.name}' names no dataset; pass --data NAME|PATH`,
      command: "eval",
    });
  const data = await resolveDataset(spec, ir.data, { baseDir: process.cwd(), split: o.split });
  reportDiagnostics(io, data.diagnostics);
  if (!data.value) return 1;
  const split = data.value[o.split];
  if (!split)
    return reportUsageError(io, {
      option: "--split",
      reason: `dataset '${spec}' has no ${o.split} split`,
      command: "eval",
    });
  const backend = await initBackend(o.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const seed = o.seed ?? ir.train.seed;
  // A random subset, not a prefix: dataset files are often sorted (by class, by source).
  const evaluated = o.rows === undefined ? split : subsetRows(split, o.rows, seed);
  const rows = evaluated.rows;
  const m = await diagnose(ir, weights, evaluated, {
    samples: o.samples ?? ir.train.samples,
    seed,
    entropy: data.value.entropy,
    iwSamples: o.iw ?? null,
    ...(o.mi !== undefined && { aggregate: o.mi }),
    ...(o.workers !== undefined && { workers: o.workers }),
  });
  if (o.json) {
    io.stdout.write(
      JSON.stringify({ model: ir.name, split: o.split, rows, backend: backend.name, ...m }) + "\n",
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
