import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { imageShapeOf, resolveDatasetSplit, subsetRows } from "../data/index.js";
import type { Dataset } from "../data/types.js";
import { diagnostic, syntheticSpan, type Diagnostic } from "../diagnostics/index.js";
import { loadCheckpoint, type Checkpoint } from "../engine/checkpoint.js";
import type { EpochMetrics } from "../engine/types.js";
import { packageVersion } from "../package-root.js";
import { trainingCurvesSpec } from "./charts/training-curves.js";
import { htmlReport, type ReportBlock, type ReportSection } from "./html.js";
import { imageGridPng } from "./image-grid.js";
import { reconstructionGrid, valuesTable } from "./inspect-blocks.js";
import { renderSvg } from "./render.js";

export const RUN_REPORT_FILE = "report.html";

/** Prior samples and reconstructions shown in a run's report. */
const SAMPLES = 64;
const RECONSTRUCTIONS = 16;

/**
 * The per-epoch metrics of the latest run in a folder; lines that are not whole JSON objects
 * are skipped. Runs into one folder append to one file: a run starts where the epoch
 * number stops increasing, and only the last run's epochs are returned.
 */
export async function readMetricsLog(dir: string): Promise<EpochMetrics[]> {
  let text: string;
  try {
    text = await readFile(join(dir, "metrics.jsonl"), "utf8");
  } catch {
    return [];
  }
  const out: EpochMetrics[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const m = JSON.parse(line) as EpochMetrics;
      if (typeof m.epoch === "number" && typeof m.train === "object" && m.train !== null) {
        if (out.length > 0 && m.epoch <= out[out.length - 1]!.epoch) out.length = 0;
        out.push(m);
      }
    } catch {
      // A line cut short by an interrupted run: the epochs before it still count.
    }
  }
  return out;
}

const fmt = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x.toFixed(2);

function metricsBlock(last: EpochMetrics): ReportBlock {
  const rows: (string | null)[][] = [];
  for (const [name, m] of [
    ["train", last.train],
    ["held-out", last.test],
  ] as const) {
    if (m) rows.push([name, fmt(m.loss), fmt(m.elbo), fmt(m.rate), fmt(m.distortion)]);
  }
  return {
    kind: "table",
    id: "final-metrics",
    head: ["split", "loss", "ELBO", "rate R", "distortion D"],
    rows,
    caption: `After epoch ${last.epoch}, in nats per data point.`,
  };
}

/**
 * The held-out split the run was evaluated on (test, else valid), or its training data when
 * it has neither; undefined when the dataset cannot be read now (e.g. a relative path
 * resolved from another folder).
 */
async function heldOutData(ckpt: Checkpoint, baseDir: string): Promise<Dataset | undefined> {
  const spec = ckpt.config.train.dataset ?? ckpt.ir.train.dataset;
  if (spec === null) return undefined;
  for (const split of ["test", "valid", "train"] as const) {
    const r = await resolveDatasetSplit(spec, ckpt.ir.data, split, { baseDir });
    if (r.value !== undefined) return r.value;
  }
  return undefined;
}

async function lookSections(ckpt: Checkpoint, data: Dataset | undefined): Promise<ReportSection[]> {
  const { sampleModel, reconstructRows } = await import("../engine/inspect/index.js");
  const { ir, weights } = ckpt;
  const seed = ckpt.config.train.seed;
  const image = imageShapeOf(ir.data, data);
  const samples = await sampleModel(ir, weights, { n: SAMPLES, seed, mean: true });
  const sections: ReportSection[] = [];
  sections.push({
    heading: "Samples",
    intro: "z ~ p(z), then the decoder's mean E[x | z].",
    blocks: [
      image
        ? {
            kind: "image",
            id: "samples",
            alt: "prior samples",
            png: imageGridPng({ values: samples.data, count: SAMPLES, ...image }, { columns: 8 }),
          }
        : valuesTable("samples", samples.data, samples.dataDim, 10),
    ],
  });
  if (data !== undefined) {
    const shown = subsetRows(data, RECONSTRUCTIONS, seed);
    const recon = await reconstructRows(ir, weights, shown, { seed });
    sections.push({
      heading: "Reconstructions",
      intro: `${shown.rows} held-out inputs (${data.source}), each above its reconstruction.`,
      blocks: [
        image
          ? {
              kind: "image",
              id: "reconstructions",
              alt: "inputs and reconstructions",
              png: reconstructionGrid(shown, recon, image, 8),
            }
          : valuesTable("reconstructions", recon, recon.length / shown.rows, 10),
      ],
    });
  }
  return sections;
}

/**
 * Writes DIR/report.html for a run folder (a checkpoint plus metrics.jsonl): the spec, the
 * per-epoch curves, the final metrics, prior samples and reconstructions. `baseDir` is the
 * folder relative dataset paths of the run were given from. Returns the report's path, or
 * the diagnostics that prevented it (an unreadable checkpoint, an unwritable folder).
 */
export async function writeRunReport(
  dir: string,
  opts: { baseDir?: string; data?: Dataset } = {},
): Promise<{ path?: string; diagnostics: Diagnostic[] }> {
  const loaded = await loadCheckpoint(dir);
  if (!loaded.value) return { diagnostics: loaded.diagnostics };
  const ckpt = loaded.value;
  const history = await readMetricsLog(dir);
  const data = opts.data ?? (await heldOutData(ckpt, opts.baseDir ?? process.cwd()));
  const t = ckpt.config.train;
  const sections: ReportSection[] = [];
  if (history.length > 0) {
    sections.push({
      heading: "Training",
      blocks: [
        { kind: "figure", id: "curves", svg: await renderSvg(trainingCurvesSpec(history)) },
        metricsBlock(history[history.length - 1]!),
      ],
    });
  }
  sections.push(...(await lookSections(ckpt, data)));
  sections.push({ heading: "Spec", blocks: [{ kind: "code", text: ckpt.source }] });
  const html = htmlReport({
    title: `${ckpt.ir.name}: ${ckpt.ir.objective.source}`,
    subtitle: `${history.length} epoch(s)${t.dataset ? ` on ${t.dataset}` : ""}`,
    provenance: [
      ["objective", ckpt.ir.objective.source],
      ["dataset", t.dataset ?? "(passed in by the caller)"],
      ["epochs × batch", `${t.epochs} × ${t.batch}`],
      ["optimizer", `${t.optimizer.name}(lr: ${t.optimizer.lr})`],
      ["samples L", String(t.samples)],
      ["seed", String(t.seed)],
      ["backend", ckpt.config.backend],
      ["trained with", `vaelang ${ckpt.config.vaelang}`],
      ["report by", `vaelang ${packageVersion()}, ${new Date().toISOString()}`],
    ],
    sections,
  });
  const path = join(dir, RUN_REPORT_FILE);
  try {
    await writeFile(path + ".tmp", html);
    await rename(path + ".tmp", path);
  } catch (e) {
    const reason = `cannot write ${RUN_REPORT_FILE}: ${e instanceof Error ? e.message : String(e)}`;
    return {
      diagnostics: [diagnostic("checkpoint-invalid", syntheticSpan(dir), { path: dir, reason })],
    };
  }
  return { path, diagnostics: [] };
}
