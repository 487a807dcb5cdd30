import type { MeanSd, ObjectiveSummary, RunMetrics, RunRecord } from "./types.js";

/** The metrics a compare summarises, in table order, by their column name. */
export const METRIC_COLUMNS = [
  "rate",
  "distortion",
  "elbo",
  "loss",
  "entropy",
  "mi_lower",
  "mi_estimate",
  "mi_upper",
  "log_likelihood",
  "iw_samples",
  "marginal_kl",
  "active_units",
  "latent_dims",
  "train_seconds",
] as const;

export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** A run's metrics as one flat row (null where a metric is unknown). */
export function flatMetrics(m: RunMetrics): Record<MetricColumn, number | null> {
  return {
    rate: m.rate,
    distortion: m.distortion,
    elbo: m.elbo,
    loss: m.loss,
    entropy: m.entropy,
    mi_lower: m.mutual_info.lower,
    mi_estimate: m.mutual_info.estimate,
    mi_upper: m.mutual_info.upper,
    log_likelihood: m.log_likelihood,
    iw_samples: m.iw_samples,
    marginal_kl: m.marginal_kl,
    active_units: m.active_units,
    latent_dims: m.latent_dims,
    train_seconds: m.train_seconds,
  };
}

/** Mean and sample standard deviation (n − 1) of finite values; null when there are none. */
export function meanSd(values: readonly number[]): MeanSd | null {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, sd: null, n };
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/** Per objective, in order of first appearance: mean ± sd over its successful seeds. */
export function summarise(records: readonly RunRecord[]): ObjectiveSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) groups.set(r.objective, [...(groups.get(r.objective) ?? []), r]);
  return [...groups].map(([objective, rs]) => {
    const ok = rs.filter((r) => r.status === "ok" && r.metrics);
    const metrics: Record<string, MeanSd> = {};
    for (const c of METRIC_COLUMNS) {
      const s = meanSd(ok.map((r) => flatMetrics(r.metrics!)[c]).filter((v) => v !== null));
      if (s) metrics[c] = s;
    }
    return { objective, sweep: rs[0]!.sweep, runs: rs.length, succeeded: ok.length, metrics };
  });
}

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** results.csv: one row per run, every metric a column; failed runs keep their reason. */
export function resultsCsv(records: readonly RunRecord[]): string {
  const head = [
    "objective",
    "sweep",
    "sweep_param",
    "sweep_value",
    "seed",
    "key",
    "status",
    "reason",
  ];
  const lines = [[...head, ...METRIC_COLUMNS].join(",")];
  for (const r of records) {
    const m = r.metrics ? flatMetrics(r.metrics) : null;
    const cells: (string | number | null)[] = [
      r.objective,
      r.sweep?.name ?? null,
      r.sweep?.param ?? null,
      r.sweep?.value ?? null,
      r.seed,
      r.key,
      r.status,
      r.reason,
      ...METRIC_COLUMNS.map((c) => (m ? m[c] : null)),
    ];
    lines.push(cells.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

/** x to `digits` decimals, without the sign of a value that rounds to zero ("-0.00"). */
export function fixed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
}

/** "1.23 ± 0.04" (or "1.23" from one seed, "—" when unknown). */
export function formatMeanSd(s: MeanSd | undefined, digits = 2): string {
  if (!s) return "—";
  const mean = fixed(s.mean, digits);
  return s.sd === null ? mean : `${mean} ± ${fixed(s.sd, digits)}`;
}
