import type { ReportBlock, ReportDoc } from "../report/index.js";
import type { Figure } from "./figures.js";
import { formatMeanSd } from "./results.js";
import type { CompareOptions, ObjectiveSummary, RunPlan, RunRecord } from "./types.js";

export const REPORT_FILE = "report.html";

/** The results table: one row per objective, mean ± sd over its successful seeds. */
export function resultsTable(
  summaries: ObjectiveSummary[],
): Extract<ReportBlock, { kind: "table" }> {
  const head = [
    "objective",
    "runs ok",
    "R",
    "D",
    "ELBO",
    "H − D ≤ I ≤ R",
    "log p(x)",
    "KL[q(z)‖p(z)]",
    "active units",
    "train time (s)",
  ];
  const rows = summaries.map((s) => {
    const m = s.metrics;
    const lower = m.mi_lower ? formatMeanSd(m.mi_lower) : "?";
    const interval = m.mi_estimate
      ? `${lower} ≤ ${formatMeanSd(m.mi_estimate)} ≤ ${formatMeanSd(m.mi_upper)}`
      : "—";
    const units = m.active_units
      ? `${formatMeanSd(m.active_units, 1)} / ${m.latent_dims?.mean ?? "?"}`
      : "—";
    return [
      s.objective,
      `${s.succeeded}/${s.runs}`,
      formatMeanSd(m.rate),
      formatMeanSd(m.distortion),
      formatMeanSd(m.elbo),
      interval,
      formatMeanSd(m.log_likelihood),
      formatMeanSd(m.marginal_kl, 3),
      units,
      formatMeanSd(m.train_seconds, 1),
    ];
  });
  return {
    kind: "table",
    id: "results",
    head,
    rows,
    caption: "Per data point, in nats, on the held-out evaluation rows; mean ± sd over seeds.",
  };
}

export interface PageInput {
  plan: RunPlan;
  options: CompareOptions;
  records: RunRecord[];
  summaries: ObjectiveSummary[];
  figures: Figure[];
  notes: string[];
  entropy: number | null;
  version: string;
  date: string;
}

/** report.html's content: the table, failures, every figure, the spec, and provenance. */
export function comparePage(p: PageInput): ReportDoc {
  const { plan, records } = p;
  const failed = records.filter((r) => r.status === "failed");
  const first = plan.runs[0]!;
  const ll = records.find((r) => r.metrics)?.metrics;
  const provenance: [string, string][] = [
    ["spec", plan.file],
    ["spec SHA-256", plan.sourceHash],
    ["model", plan.model],
    ["dataset", plan.dataset],
    ["evaluated on", records.find((r) => r.evaluated)?.evaluated ?? "—"],
    ["entropy H", p.entropy === null ? "unknown" : `${p.entropy.toFixed(4)} nats`],
    ["seeds", [...new Set(plan.runs.map((r) => r.train.seed))].join(", ")],
    ["epochs", String(first.train.epochs)],
    ["batch", String(first.train.batch)],
    ["learning rate", String(first.train.optimizer.lr)],
    ["samples L", String(first.train.samples)],
    [
      "log p(x)",
      ll?.log_likelihood_method === "exact"
        ? "exact (enumerated latent)"
        : `importance sampled, k = ${first.iw}`,
    ],
    ["eval rows", String(first.evalRows)],
    ["options", JSON.stringify(p.options)],
    ["Vaelang", p.version],
    ["date", p.date],
  ];
  const blocks: ReportBlock[] = [resultsTable(p.summaries)];
  if (failed.length > 0)
    blocks.push({
      kind: "table",
      id: "failures",
      head: ["objective", "seed", "reason"],
      rows: failed.map((r) => [r.objective, r.seed, r.reason]),
      caption: "Runs that did not finish; they are left out of the means.",
    });
  const figureBlocks: ReportBlock[] = p.figures.map((f) =>
    f.kind === "chart"
      ? { kind: "figure", id: f.id, svg: f.svg, caption: `${f.title}. ${f.caption}` }
      : { kind: "image", id: f.id, png: f.png, alt: f.title, caption: `${f.title}. ${f.caption}` },
  );
  if (p.notes.length > 0)
    figureBlocks.push({ kind: "text", text: p.notes.map((n) => `Not drawn: ${n}.`).join("\n\n") });
  return {
    title: `vae compare — ${plan.model}`,
    subtitle: `${plan.objectives.length} objective(s) × ${plan.seeds} seed(s) on ${plan.dataset}`,
    provenance,
    sections: [
      { heading: "Results", blocks },
      { heading: "Figures", blocks: figureBlocks },
      {
        heading: "Specification",
        blocks: [{ kind: "code", text: plan.source, caption: plan.file }],
      },
    ],
  };
}
