import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { imageShapeOf, subsetRows } from "../data/index.js";
import type { Dataset, DatasetSplits } from "../data/types.js";
import type { NamedWeights } from "../engine/types.js";
import { initBackend, loadCheckpoint } from "../index.js";
import { heldOutSplit } from "./execute-run.js";
import type { PlannedRun, RunPlan, RunRecord } from "./types.js";

/** A figure as written to DIR/figures/: an SVG chart (with its PNG) or a PNG image grid. */
export type Figure =
  | { id: string; kind: "chart"; title: string; caption: string; svg: string }
  | { id: string; kind: "image"; title: string; caption: string; png: Uint8Array };

export interface FigureSet {
  figures: Figure[];
  /** Figures that were skipped and why (non-image data, no successful run, …). */
  notes: string[];
}

/** Images per objective in the reconstruction and sample grids. */
export const GRID_COLUMNS = 8;

/** Output pixels per image pixel: about 56 pixels a cell, so 8×8 images are not specks. */

interface Trained {
  objective: string;
  run: PlannedRun;
  record: RunRecord;
  weights: NamedWeights;
}

/**
 * Per objective, its lowest-seed successful run with the weights of its checkpoint: the
 * figures that show one model per objective use it.
 */
async function firstTrainedRuns(plan: RunPlan, records: RunRecord[]): Promise<Trained[]> {
  const out: Trained[] = [];
  for (const objective of plan.objectives) {
    const i = plan.runs.findIndex(
      (r, j) => r.objective === objective && records[j]!.status === "ok",
    );
    if (i < 0) continue;
    const ckpt = await loadCheckpoint(plan.runs[i]!.dir);
    if (!ckpt.value) continue;
    out.push({ objective, run: plan.runs[i]!, record: records[i]!, weights: ckpt.value.weights });
  }
  return out;
}

/**
 * Every figure of a compare, computed in this process from the runs' results and
 * checkpoints: the R–D plane, R and D per epoch, reconstructions and prior samples (image
 * data), and Alemi et al.'s Figure 2 panels (a single categorical data and latent variable).
 */
export async function compareFigures(
  plan: RunPlan,
  records: RunRecord[],
  splits: DatasetSplits,
): Promise<FigureSet> {
  const report = await import("../report/index.js");
  const figures: Figure[] = [];
  const notes: string[] = [];
  const chart = async (id: string, title: string, caption: string, spec: TopLevelSpec) =>
    figures.push({ id, kind: "chart", title, caption, svg: await report.renderSvg(spec) });

  const ok = records.filter((r) => r.status === "ok" && r.metrics);
  if (ok.length === 0) return { figures, notes: ["no run succeeded: no figures"] };

  await chart(
    "rate-distortion",
    "The rate–distortion plane",
    "Each small point is one run (seed), each large point an objective's mean over seeds; " +
      "dashed lines are equal ELBO (D + R = c)" +
      (splits.entropy !== null ? "; the shaded region D < H − R is unreachable." : "."),
    report.rateDistortionSpec({
      runs: ok.map((r) => ({
        label: r.objective,
        seed: r.seed,
        rate: r.metrics!.rate,
        distortion: r.metrics!.distortion,
        ...(r.sweep && { sweep: r.sweep.sweep, sweepValue: r.sweep.value }),
      })),
      entropy: splits.entropy,
    }),
  );

  const trained = await firstTrainedRuns(plan, records);
  // Started here, before any inspection touches tfjs, so its default backend never runs.
  const backend = await initBackend(plan.runs[0]!.train.backend ?? "auto");
  if ("diagnostics" in backend) {
    notes.push(
      `no figure needing the models: ${backend.diagnostics.map((d) => d.message).join("; ")}`,
    );
    trained.length = 0;
  }
  await chart(
    "objective-curves",
    "Rate and distortion during training",
    "Held-out R and D after each epoch, one line per objective (its lowest seed).",
    report.objectiveCurvesSpec(
      trained.map((t) => ({ label: t.objective, history: t.record.history })),
    ),
  );

  const first = plan.runs[0]!;
  const held = heldOutSplit(splits);
  const image = imageShapeOf(first.ir.data, held.split);
  if (image === null) {
    notes.push(
      `reconstructions and samples are drawn only for image data; '${first.ir.data.name}' is not an image`,
    );
  } else {
    figures.push(...(await imageGrids(trained, held.split, image, first, report)));
  }

  const panels = await categoricalFigures(trained, held.split, chart, report);
  if (!panels)
    notes.push(
      "Alemi et al.'s Figure 2 panels are drawn only when the data and the latent are each one categorical variable",
    );
  return { figures, notes };
}

async function imageGrids(
  trained: Trained[],
  held: Dataset,
  image: { height: number; width: number },
  first: PlannedRun,
  report: typeof import("../report/index.js"),
): Promise<Figure[]> {
  const inspect = await import("../engine/inspect/index.js");
  const size = image.height * image.width;
  const seed = first.train.seed - first.seedIndex;
  const inputs = subsetRows(held, GRID_COLUMNS, seed);
  const n = inputs.rows;
  const recon = new Float32Array((trained.length + 1) * n * size);
  recon.set(inputs.values.subarray(0, n * size));
  const samples = new Float32Array(trained.length * GRID_COLUMNS * size);
  for (const [i, t] of trained.entries()) {
    const backend = t.run.train.backend;
    recon.set(
      await inspect.reconstructRows(t.run.ir, t.weights, inputs, { seed, backend }),
      (i + 1) * n * size,
    );
    const s = await inspect.sampleModel(t.run.ir, t.weights, {
      n: GRID_COLUMNS,
      seed,
      mean: true,
      backend,
    });
    samples.set(s.data, i * GRID_COLUMNS * size);
  }
  const order = trained.map((t, i) => `row ${i + 2}: ${t.objective}`).join("; ");
  return [
    {
      id: "reconstructions",
      kind: "image",
      title: "Reconstructions of the same held-out inputs",
      caption: `Row 1: ${n} held-out inputs; then E[x|z] of each objective's model, ${order}.`,
      png: report.imageGridPng(
        { values: recon, count: (trained.length + 1) * n, ...image },
        { columns: n, scale: report.gridScale(image) },
      ),
    },
    {
      id: "samples",
      kind: "image",
      title: "Samples from the prior",
      caption: `E[x|z] for z ~ p(z), ${GRID_COLUMNS} per objective, one row each: ${trained
        .map((t, i) => `row ${i + 1}: ${t.objective}`)
        .join("; ")}.`,
      png: report.imageGridPng(
        { values: samples, count: trained.length * GRID_COLUMNS, ...image },
        { columns: GRID_COLUMNS, scale: report.gridScale(image) },
      ),
    },
  ];
}

/** Alemi et al. (2018), Figure 2, per objective; false when the model is not of that kind. */
async function categoricalFigures(
  trained: Trained[],
  held: Dataset,
  chart: (id: string, title: string, caption: string, spec: TopLevelSpec) => Promise<unknown>,
  report: typeof import("../report/index.js"),
): Promise<boolean> {
  const inspect = await import("../engine/inspect/index.js");
  for (const [i, t] of trained.entries()) {
    const p = await inspect.categoricalPanels(t.run.ir, t.weights, held, {
      backend: t.run.train.backend,
    });
    if (p === null) return false;
    const id = `panels-${i + 1}`;
    const of = `(${t.objective})`;
    await chart(
      `${id}-x`,
      `Data space ${of}`,
      "p*(x): the data's frequencies; g(x) = Σ_z m(z) d(x|z): the model's marginal; d(x): encode then decode.",
      report.distributionsSpec({
        title: `x ${of}`,
        axis: "x",
        series: [
          { name: "p*(x)", values: p.empirical },
          { name: "g(x)", values: p.generative },
          { name: "d(x)", values: p.reconstruction },
        ],
      }),
    );
    await chart(
      `${id}-z`,
      `Latent space ${of}`,
      "m(z): the learned prior; e(z) = Σ_x p*(x) e(z|x): the aggregate posterior.",
      report.distributionsSpec({
        title: `z ${of}`,
        axis: "z",
        series: [
          { name: "m(z)", values: p.marginal },
          { name: "e(z)", values: p.aggregate },
        ],
      }),
    );
    const heat = [
      ["encoder", "e(z|x)", p.encoder, "x", "z"],
      ["decoder", "d(x|z)", p.decoder, "z", "x"],
      ["transition", "p(x'|x)", p.transition, "x", "x'"],
    ] as const;
    for (const [name, title, matrix, rowTitle, columnTitle] of heat)
      await chart(
        `${id}-${name}`,
        `${title} ${of}`,
        `${title}: one row per value of ${rowTitle}.`,
        report.heatmapSpec({
          title: `${title} ${of}`,
          matrix: matrix.map((r) => [...r]),
          rowTitle,
          columnTitle,
        }),
      );
  }
  return trained.length > 0;
}

/** Writes figures/<id>.svg and .png for charts, figures/<id>.png for image grids. */
export async function writeFigureFiles(out: string, figures: Figure[]): Promise<string[]> {
  const { svgToPng } = await import("../report/index.js");
  const dir = path.join(out, "figures");
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const f of figures) {
    if (f.kind === "chart") {
      await writeFile(path.join(dir, `${f.id}.svg`), f.svg);
      await writeFile(path.join(dir, `${f.id}.png`), svgToPng(f.svg));
      files.push(`figures/${f.id}.svg`, `figures/${f.id}.png`);
    } else {
      await writeFile(path.join(dir, `${f.id}.png`), f.png);
      files.push(`figures/${f.id}.png`);
    }
  }
  return files;
}
