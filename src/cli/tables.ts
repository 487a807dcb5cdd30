import type { EpochMetrics, InformationReport, SplitMetrics } from "../index.js";
import { formatDuration } from "./progress.js";

/** A metric with fixed decimals; "—" for a missing or non-finite value. */
export const formatMetric = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);

/** Loss, ELBO, R and D per split, right-aligned. */
export function metricsTable(rows: [string, SplitMetrics | null][]): string {
  const fmt = formatMetric;
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

/** The progress line printed after each training epoch. */
export function epochLine(m: EpochMetrics, epochs: number): string {
  const fmt = formatMetric;
  const t = m.train;
  const held = m.test ? ` | test ELBO ${fmt(m.test.elbo)}` : "";
  return (
    `epoch ${String(m.epoch).padStart(String(epochs).length)}/${epochs}  loss ${fmt(t.loss)}  ` +
    `ELBO ${fmt(t.elbo)} (R ${fmt(t.rate)}, D ${fmt(t.distortion)})${held}  ` +
    `${Math.round(m.samples_per_second)} samples/s, ${formatDuration(m.seconds)}`
  );
}

/** The diagnostics of `vae eval` with their estimators and the bounds H − D ≤ I ≤ R. */
export function informationTable(m: InformationReport, rows: number): string {
  const fmt = formatMetric;
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
