import { Option, type Command } from "commander";
import { encodeRows, initBackend, subsetRows } from "../../index.js";
import { loadCheckpointModel } from "../checkpoint-model.js";
import { examplesHelp, type Accept } from "../command.js";
import {
  backendOption,
  dataOption,
  inspectCheckpointOption,
  inspectFileArgument,
  inspectSplitOption,
  modelOption,
  seedOption,
  inspectFlags,
  type InspectFlags,
} from "../common-options.js";
import { csvText } from "../csv.js";
import { integerAtLeast, nonEmpty } from "../flags.js";
import { loadInspectSplit, type SplitName } from "../inspect-data.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import { shownPath, writeOutput } from "../output-file.js";

export interface EncodeOptions extends InspectFlags {
  rows?: number;
}

export function registerEncode(program: Command, accept: Accept): void {
  program
    .command("encode")
    .summary("q(z|x) of every point of a split as a CSV (means and sds, label)")
    .description(
      "Encode every point of a split (or --rows N of them, chosen at random) and write one CSV " +
        "row per point summarising q(z|x): z0_mean, z0_sd, … for a continuous latent, z0_p " +
        "(the probability of 1) for a binary one, z_p0 … per category for a categorical one; " +
        "then a label column when the dataset has labels (mnist, mnist-8x8). Written to stdout " +
        "unless --out is given.",
    )
    .argument("[file]", inspectFileArgument)
    .addOption(inspectCheckpointOption())
    .addOption(dataOption())
    .addOption(inspectSplitOption())
    .addOption(
      new Option(
        "--rows <N>",
        "encode N points drawn at random from the split, in their original order (default: all)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(seedOption("the choice of --rows points", "0"))
    .addOption(
      new Option("--out <file.csv>", "write the CSV to this file instead of stdout").argParser(
        nonEmpty,
      ),
    )
    .addOption(modelOption())
    .addOption(backendOption())
    .addHelpText(
      "after",
      examplesHelp([
        [
          "vae encode --checkpoint runs/mnist --out codes.csv",
          "posterior means and sds of all 10,000 test digits, with their labels",
        ],
      ]),
    )
    .action((file: string | undefined, o: Record<string, unknown>) => {
      const options: EncodeOptions = { ...inspectFlags(o), rows: o.rows as number | undefined };
      accept({ kind: "encode", file, options, run: (io) => runEncode(io, file, options) });
    });
}

async function runEncode(io: CliIO, file: string | undefined, o: EncodeOptions): Promise<number> {
  const command = "encode";
  if (o.out !== undefined && !o.out.toLowerCase().endsWith(".csv"))
    return reportUsageError(io, {
      option: "--out",
      reason: `expects a .csv path, got '${o.out}'`,
      command,
    });
  const model = await loadCheckpointModel(io, { ...o, file, command });
  if (model === null) return 1;
  const loaded = await loadInspectSplit(io, model, { ...o, command });
  if (loaded === null) return 1;
  const backend = await initBackend(o.backend ?? model.ir.train.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const data = o.rows === undefined ? loaded.data : subsetRows(loaded.data, o.rows, o.seed);
  const codes = await encodeRows(model.ir, model.weights, data, { backend: backend.name });
  const width = codes.columns.length;
  const labels = data.labels;
  const columns = labels ? [...codes.columns, "label"] : codes.columns;
  const text = csvText(columns, codes.rows, (r, c) =>
    c < width ? codes.values[r * width + c]! : labels![r]!,
  );
  if (o.out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  if (!(await writeOutput(io, o.out, text, command))) return 1;
  io.stderr.write(`wrote ${codes.rows} encoded points of ${data.source} to ${shownPath(o.out)}\n`);
  return 0;
}
