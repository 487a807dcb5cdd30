import * as path from "node:path";
import { Option, type Command } from "commander";
import {
  decodeLatents,
  encodeRows,
  imageShapeOf,
  initBackend,
  manifoldLatents,
  subsetRows,
  traversalLatents,
  type Dataset,
  type ImageShape,
} from "../../index.js";
import { loadCheckpointModel, type CheckpointModel } from "../checkpoint-model.js";
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
import { integerAtLeast, integerBetween, nonEmpty } from "../flags.js";
import { loadInspectSplit, type SplitName } from "../inspect-data.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "../io.js";
import { outputFormat, shownPath, withoutExtension, writeOutput } from "../output-file.js";

export interface TraverseOptions extends InspectFlags {
  steps: number;
  rows?: number;
}

export const DEFAULT_STEPS = 9;
/** A traversal row wider than this is no longer readable as images. */
export const MAX_STEPS = 50;

export function registerTraverse(program: Command, accept: Accept): void {
  program
    .command("traverse")
    .summary("latent traversals; for a 2-D latent also the manifold and the latent scatter")
    .description(
      "Decode latent traversals: each active latent dimension (Var_x E[z_u|x] > 0.01 on the " +
        "split, at most 10, by decreasing variance) runs over ±2.5 prior standard deviations " +
        "while the others stay at the prior mean. Image data give a PNG grid with one row per " +
        "dimension; other data a CSV. For a 2-D continuous latent also writes the decoded " +
        "manifold (STEM-manifold.png) and the split's posterior means coloured by label " +
        "(STEM-latent.svg and STEM-latent.png), STEM being the output path without extension.",
    )
    .argument("[file]", inspectFileArgument)
    .addOption(inspectCheckpointOption())
    .addOption(dataOption())
    .addOption(inspectSplitOption())
    .addOption(
      new Option("--steps <N>", `decoded points along each dimension, 2 to ${MAX_STEPS}`)
        .default(DEFAULT_STEPS)
        .argParser(integerBetween(2, MAX_STEPS)),
    )
    .addOption(
      new Option(
        "--rows <N>",
        "use N points of the split, drawn at random, to find the active dimensions and for the scatter (default: all)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(seedOption("the choice of --rows points", "0"))
    .addOption(
      new Option(
        "--out <path>",
        "the traversal: .png (image data) or .csv (default: DIR/traversal.png for images, else DIR/traversal.csv)",
      ).argParser(nonEmpty),
    )
    .addOption(modelOption())
    .addOption(backendOption())
    .addHelpText(
      "after",
      examplesHelp([
        [
          "vae traverse --checkpoint runs/mnist-2d",
          "runs/mnist-2d/traversal.png, traversal-manifold.png, traversal-latent.svg and .png",
        ],
      ]),
    )
    .action((file: string | undefined, o: Record<string, unknown>) => {
      const options: TraverseOptions = {
        ...inspectFlags(o),
        steps: o.steps as number,
        rows: o.rows as number | undefined,
      };
      accept({ kind: "traverse", file, options, run: (io) => runTraverse(io, file, options) });
    });
}

async function runTraverse(
  io: CliIO,
  file: string | undefined,
  o: TraverseOptions,
): Promise<number> {
  const command = "traverse";
  const model = await loadCheckpointModel(io, { ...o, file, command });
  if (model === null) return 1;
  const { ir, weights } = model;
  if (ir.latent.kind !== "real" && ir.latent.kind !== "unit")
    return reportUsageError(io, {
      option: command,
      reason: `needs a continuous latent; model '${ir.name}' has ${ir.latent.kind} ${ir.latent.name}`,
      command,
    });
  const loaded = await loadInspectSplit(io, model, { ...o, command });
  if (loaded === null) return 1;
  const data = o.rows === undefined ? loaded.data : subsetRows(loaded.data, o.rows, o.seed);
  const image = imageShapeOf(ir.data, data);
  const format = outputFormat(o.out, image !== null, command);
  if (typeof format !== "string") return reportUsageError(io, format);
  const out = o.out ?? path.join(o.checkpoint, `traversal.${format}`);
  const backend = await initBackend(o.backend ?? ir.train.backend ?? "auto");
  if ("diagnostics" in backend) {
    reportDiagnostics(io, backend.diagnostics);
    return 1;
  }
  const opts = { backend: backend.name };

  const t = await traversalLatents(ir, weights, data, { ...opts, steps: o.steps });
  if (t.dims.length === 0)
    return reportUsageError(io, {
      option: command,
      reason: `the prior of model '${ir.name}' has no mean and standard deviation to traverse around`,
      command,
    });
  const rows = t.dims.length * t.steps;
  const decoded = await decodeLatents(ir, weights, t.z, rows, opts);
  const cell = rowCell(t.z, decoded, rows);
  const traversal =
    format === "png" && image !== null
      ? await gridPng(decoded, rows, image, t.steps)
      : csvText(
          ["dim", "offset", ...latentColumns(model), ...decodedColumns(model)],
          rows,
          (r, c) => {
            if (c === 0) return t.dims[Math.floor(r / t.steps)]!;
            if (c === 1) return t.values[r % t.steps]!;
            return cell(r, c - 2);
          },
        );
  const written: string[] = [];
  if (!(await writeOutput(io, out, traversal, command))) return 1;
  written.push(`${shownPath(out)} (dimensions ${t.dims.join(", ")}; ${t.steps} steps of ±2.5 sd)`);

  const stem = withoutExtension(out);
  const manifold = await manifoldLatents(ir, weights, opts);
  if (manifold !== null) {
    const cells = manifold.steps * manifold.steps;
    const x = await decodeLatents(ir, weights, manifold.z, cells, opts);
    const target = `${stem}-manifold.${image ? "png" : "csv"}`;
    const content = image
      ? await gridPng(x, cells, image, manifold.steps)
      : csvText(
          [...latentColumns(model), ...decodedColumns(model)],
          cells,
          rowCell(manifold.z, x, cells),
        );
    if (!(await writeOutput(io, target, content, command))) return 1;
    written.push(
      `${target} (${manifold.steps}×${manifold.steps} decoded grid of the prior's quantiles)`,
    );

    const scatter = await latentScatter(model, data, opts.backend);
    for (const [ext, body] of [
      ["svg", scatter.svg],
      ["png", scatter.png],
    ] as const) {
      const target = `${stem}-latent.${ext}`;
      if (!(await writeOutput(io, target, body, command))) return 1;
      written.push(
        `${target} (posterior means of ${data.rows} points${data.labels ? " by label" : ""})`,
      );
    }
  }
  io.stderr.write(written.map((w) => `wrote ${w}\n`).join(""));
  return 0;
}

const latentColumns = (m: CheckpointModel) => valueColumns(m.ir.latent);

function decodedColumns(m: CheckpointModel): string[] {
  const d = m.ir.data;
  return valueColumns(d, {
    suffix: "_mean",
    ...(d.kind === "categorical" && { categories: d.categories ?? 1 }),
  });
}

/** Latent row r beside its decoded mean. */
function rowCell(z: Float32Array, x: Float32Array, rows: number) {
  return sideBySide([
    { values: z, width: z.length / rows },
    { values: x, width: x.length / rows },
  ]);
}

async function gridPng(
  values: Float32Array,
  count: number,
  image: ImageShape,
  columns: number,
): Promise<Uint8Array> {
  const { imageGridPng, gridScale } = await import("../../report/image-grid.js");
  return imageGridPng({ values, count, ...image }, { columns, scale: gridScale(image) });
}

/** The posterior means of `data` in the two latent dimensions, coloured by label. */
async function latentScatter(m: CheckpointModel, data: Dataset, backend: string) {
  const codes = await encodeRows(m.ir, m.weights, data, { backend });
  const width = codes.columns.length;
  const [c1, c2] = [0, 1].map((u) => codes.columns.indexOf(`${m.ir.latent.name}${u}_mean`));
  const points = Array.from({ length: codes.rows }, (_, r) => ({
    z1: codes.values[r * width + c1!]!,
    z2: codes.values[r * width + c2!]!,
    label: data.labels ? data.labels[r]! : null,
  }));
  const { latentScatterSpec, renderSvg, svgToPng } = await import("../../report/index.js");
  const svg = await renderSvg(
    latentScatterSpec(points, { title: `${m.ir.name}: posterior means` }),
  );
  return { svg, png: svgToPng(svg) };
}
