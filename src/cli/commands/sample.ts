import * as path from "node:path";
import { Option, type Command } from "commander";
import { imageShapeOf, initBackend, listDatasets, sampleModel } from "../../index.js";
import { loadCheckpointModel, type CheckpointModel } from "../checkpoint-model.js";
import { examplesHelp, type Accept } from "../command.js";
import {
  backendOption,
  inspectCheckpointOption,
  inspectFileArgument,
  modelOption,
  seedOption,
  inspectFlags,
  type InspectFlags,
} from "../common-options.js";
import { csvText, sideBySide, valueColumns } from "../csv.js";
import { integerBetween, nonEmpty } from "../flags.js";
import { datasetSpec, loadInspectSplit } from "../inspect-data.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import {
  MAX_DRAWS,
  MAX_GRID_IMAGES,
  outputFormat,
  shownPath,
  tooManyImages,
  writeOutput,
} from "../output-file.js";

export interface SampleOptions extends InspectFlags {
  count: number;
  mean: boolean;
}

export const DEFAULT_SAMPLES = 64;

export function registerSample(program: Command, accept: Accept): void {
  program
    .command("sample")
    .summary("draw from a trained model: z ~ p(z), then x ~ p(x|z) (PNG grid or CSV)")
    .description(
      "Draw N points from a trained model: z from the prior p(z), then x from the decoder " +
        "p(x|z), or its mean E[x|z] with --mean. Image data are written as a PNG grid, other " +
        "data as a CSV with the z columns then the x columns. See docs/inspect.md.",
    )
    .argument("[file]", inspectFileArgument)
    .addOption(inspectCheckpointOption())
    .addOption(
      new Option(
        "-n, --count <N>",
        `how many points to draw, 1 to ${MAX_DRAWS} (at most ${MAX_GRID_IMAGES} in a PNG)`,
      )
        .default(DEFAULT_SAMPLES)
        .argParser(integerBetween(1, MAX_DRAWS)),
    )
    .addOption(seedOption("the draws", "0"))
    .option("--mean", "write E[x|z] instead of a draw x ~ p(x|z) (smoother images)")
    .addOption(
      new Option(
        "--out <path>",
        "where to write: .png (image data) or .csv (default: DIR/samples.png for images, else DIR/samples.csv)",
      ).argParser(nonEmpty),
    )
    .addOption(modelOption())
    .addOption(backendOption())
    .addHelpText(
      "after",
      examplesHelp([
        ["vae sample --checkpoint runs/mnist --mean", "64 digits as runs/mnist/samples.png"],
        [
          "vae sample --checkpoint runs/toy -n 1000 --out toy-samples.csv",
          "1000 draws of z and x as a CSV",
        ],
      ]),
    )
    .action((file: string | undefined, o: Record<string, unknown>) => {
      const options: SampleOptions = {
        ...inspectFlags(o),
        count: o.count as number,
        mean: o.mean === true,
      };
      accept({ kind: "sample", file, options, run: (io) => runSample(io, file, options) });
    });
}

/**
 * The image shape of the model's data: a named dataset knows it (MNIST's 784 values are
 * 28×28), a data variable declared [H, W] states it. Only a named dataset is loaded.
 */
async function imageOfModel(io: CliIO, model: CheckpointModel) {
  const spec = datasetSpec(model);
  const named = spec !== null && listDatasets().some((d) => d.name === spec);
  if (!named) return { image: imageShapeOf(model.ir.data) };
  const split = await loadInspectSplit(io, model, { command: "sample" });
  if (split === null) return null;
  return { image: imageShapeOf(model.ir.data, split.data) };
}

async function runSample(io: CliIO, file: string | undefined, o: SampleOptions): Promise<number> {
  const model = await loadCheckpointModel(io, { ...o, file, command: "sample" });
  if (model === null) return 1;
  const shape = await imageOfModel(io, model);
  if (shape === null) return 1;
  const { image } = shape;
  const format = outputFormat(o.out, image !== null, "sample");
  if (typeof format !== "string") return reportUsageError(io, format);
  if (format === "png" && o.count > MAX_GRID_IMAGES)
    return reportUsageError(io, tooManyImages("--count", o.count, "sample"));
  const out = o.out ?? path.join(o.checkpoint, `samples.${format}`);
  const backend = await initBackend(o.backend ?? model.ir.train.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const s = await sampleModel(model.ir, model.weights, {
    n: o.count,
    seed: o.seed,
    mean: o.mean,
    backend: backend.name,
  });
  let content: Uint8Array | string;
  if (format === "png" && image !== null) {
    const { imageGridPng, gridScale } = await import("../../report/image-grid.js");
    content = imageGridPng(
      { values: s.data, count: o.count, ...image },
      { columns: Math.min(o.count, 8), scale: gridScale(image) },
    );
  } else {
    const columns = [
      ...valueColumns(model.ir.latent),
      ...valueColumns(model.ir.data, { categories: s.categories }),
    ];
    const cell = sideBySide([
      { values: s.latent, width: s.latentDim },
      { values: s.data, width: s.dataDim },
    ]);
    content = csvText(columns, o.count, cell);
  }
  if (!(await writeOutput(io, out, content, "sample"))) return 1;
  io.stderr.write(`wrote ${o.count} ${o.mean ? "means E[x|z]" : "samples"} to ${shownPath(out)}\n`);
  return 0;
}
