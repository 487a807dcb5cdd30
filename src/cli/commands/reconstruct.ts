import * as path from "node:path";
import { Option, type Command } from "commander";
import { imageShapeOf, initBackend, reconstructRows, subsetRows } from "../../index.js";
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
import { csvText, sideBySide, valueColumns } from "../csv.js";
import { integerBetween, nonEmpty } from "../flags.js";
import { loadInspectSplit, type SplitName } from "../inspect-data.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import {
  MAX_DRAWS,
  MAX_GRID_IMAGES,
  outputFormat,
  shownPath,
  tooManyImages,
  writeOutput,
} from "../output-file.js";

export interface ReconstructOptions extends InspectFlags {
  count: number;
}

export const DEFAULT_RECONSTRUCTIONS = 32;

/** Images per row of the grid; each row of inputs is followed by their reconstructions. */
const GRID_COLUMNS = 8;

export function registerReconstruct(program: Command, accept: Accept): void {
  program
    .command("reconstruct")
    .summary("inputs beside their reconstructions E[x|z], z from q(z|x) (PNG grid or CSV)")
    .description(
      "Encode N randomly chosen points of a split and decode them again: x̂ = E[x|z] with z " +
        "the posterior mean E[z|x] (a seeded draw from q(z|x) for a binary or categorical " +
        "latent). Image data are written as a PNG grid, each row of inputs followed by the row " +
        "of their reconstructions; other data as a CSV with the x columns then the x̂ columns.",
    )
    .argument("[file]", inspectFileArgument)
    .addOption(inspectCheckpointOption())
    .addOption(dataOption())
    .addOption(inspectSplitOption())
    .addOption(
      new Option(
        "-n, --count <N>",
        `how many points, drawn at random from the split, 1 to ${MAX_DRAWS} (at most ${MAX_GRID_IMAGES / 2} in a PNG)`,
      )
        .default(DEFAULT_RECONSTRUCTIONS)
        .argParser(integerBetween(1, MAX_DRAWS)),
    )
    .addOption(seedOption("the choice of points (and of z for discrete latents)", "0"))
    .addOption(
      new Option(
        "--out <path>",
        "where to write: .png (image data) or .csv (default: DIR/reconstructions.png for images, else DIR/reconstructions.csv)",
      ).argParser(nonEmpty),
    )
    .addOption(modelOption())
    .addOption(backendOption())
    .addHelpText(
      "after",
      examplesHelp([
        [
          "vae reconstruct --checkpoint runs/mnist -n 16",
          "16 test digits above their reconstructions, runs/mnist/reconstructions.png",
        ],
      ]),
    )
    .action((file: string | undefined, o: Record<string, unknown>) => {
      const options: ReconstructOptions = { ...inspectFlags(o), count: o.count as number };
      accept({
        kind: "reconstruct",
        file,
        options,
        run: (io) => runReconstruct(io, file, options),
      });
    });
}

async function runReconstruct(
  io: CliIO,
  file: string | undefined,
  o: ReconstructOptions,
): Promise<number> {
  const command = "reconstruct";
  const model = await loadCheckpointModel(io, { ...o, file, command });
  if (model === null) return 1;
  const loaded = await loadInspectSplit(io, model, { ...o, command });
  if (loaded === null) return 1;
  const image = imageShapeOf(model.ir.data, loaded.data);
  const format = outputFormat(o.out, image !== null, command);
  if (typeof format !== "string") return reportUsageError(io, format);
  if (format === "png" && 2 * o.count > MAX_GRID_IMAGES)
    return reportUsageError(io, tooManyImages("--count", 2 * o.count, command));
  const out = o.out ?? path.join(o.checkpoint, `reconstructions.${format}`);
  const backend = await initBackend(o.backend ?? model.ir.train.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const inputs = subsetRows(loaded.data, o.count, o.seed);
  const recon = await reconstructRows(model.ir, model.weights, inputs, {
    seed: o.seed,
    backend: backend.name,
  });
  let content: Uint8Array | string;
  if (format === "png" && image !== null) {
    const columns = Math.min(inputs.rows, GRID_COLUMNS);
    const { reconstructionGrid } = await import("../../report/inspect-blocks.js");
    content = reconstructionGrid(inputs, recon, image, columns);
  } else {
    const reconWidth = recon.length / Math.max(inputs.rows, 1);
    const categorical = model.ir.data.kind === "categorical";
    const columns = [
      ...valueColumns(model.ir.data),
      ...valueColumns(model.ir.data, {
        suffix: "_hat",
        ...(categorical && { categories: model.ir.data.categories ?? 1 }),
      }),
    ];
    const cell = sideBySide([
      { values: inputs.values, width: inputs.dim },
      { values: recon, width: reconWidth },
    ]);
    content = csvText(columns, inputs.rows, cell);
  }
  if (!(await writeOutput(io, out, content, command))) return 1;
  io.stderr.write(
    `wrote ${inputs.rows} points of ${loaded.data.source} and their reconstructions to ${shownPath(out)}\n`,
  );
  return 0;
}
