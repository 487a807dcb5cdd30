import { ceilTo, floorTo, multipleOf, niceStep } from "./nice.js";

/** One trained run placed on the rate–distortion plane (nats per data point). */
export interface RdRun {
  label: string;
  seed: number;
  rate: number;
  distortion: number;
  /** Runs of one sweep (e.g. "β") are joined by a line through their labels' means. */
  sweep?: string;
  /** The swept parameter's value; orders the sweep line. */
  sweepValue?: number;
}

export type Interval = [number, number];

export interface RdDomains {
  rate: Interval;
  distortion: Interval;
}

/** The mean over seeds of one label. */
export interface RdMean {
  label: string;
  rate: number;
  distortion: number;
  seeds: number;
  sweep?: string;
  sweepValue?: number;
}

/** Runs whose coordinates are finite; a diverged run has nowhere to be drawn. */
export function plottableRuns(runs: readonly RdRun[]): RdRun[] {
  return runs.filter((r) => Number.isFinite(r.rate) && Number.isFinite(r.distortion));
}

/** Labels in order of first appearance, so colours do not depend on sorting. */
export function labelsInOrder(runs: readonly RdRun[]): string[] {
  return [...new Set(runs.map((r) => r.label))];
}

/** One mean per label over its plottable runs, in order of first appearance. */
export function rateDistortionMeans(runs: readonly RdRun[]): RdMean[] {
  const finite = plottableRuns(runs);
  return labelsInOrder(finite).map((label) => {
    const own = finite.filter((r) => r.label === label);
    const mean = (f: (r: RdRun) => number) => own.reduce((s, r) => s + f(r), 0) / own.length;
    const swept = own.find((r) => r.sweep !== undefined);
    const values = own.map((r) => r.sweepValue).filter((v): v is number => Number.isFinite(v));
    return {
      label,
      rate: mean((r) => r.rate),
      distortion: mean((r) => r.distortion),
      seeds: own.length,
      ...(swept ? { sweep: swept.sweep } : {}),
      ...(values.length > 0
        ? { sweepValue: values.reduce((s, v) => s + v, 0) / values.length }
        : {}),
    };
  });
}

/**
 * One label per place on the plane: means that land within 1 % of the axes' spans of each
 * other (infomax(lambda: 1) and beta_vae(beta: 0.5) train to the same point) share one
 * label, "a = b", instead of printing over each other.
 */
export function coincidentMeanLabels(
  means: readonly RdMean[],
  domains: RdDomains,
): { label: string; rate: number; distortion: number }[] {
  const near = (a: RdMean, b: RdMean) =>
    Math.abs(a.rate - b.rate) <= 0.01 * (domains.rate[1] - domains.rate[0]) &&
    Math.abs(a.distortion - b.distortion) <= 0.01 * (domains.distortion[1] - domains.distortion[0]);
  const groups: RdMean[][] = [];
  for (const m of means) {
    const group = groups.find((g) => near(g[0]!, m));
    if (group) group.push(m);
    else groups.push([m]);
  }
  return groups.map((g) => ({
    label: g.map((m) => m.label).join(" = "),
    rate: g[0]!.rate,
    distortion: g[0]!.distortion,
  }));
}

/**
 * Axis ranges holding every point, the origin (R ≥ 0 and usually D ≥ 0: the plane is read
 * from there) and, when H is known, both intercepts of D = H − R. A negative coordinate
 * (a continuous decoder's distortion, a Monte Carlo rate) extends the range below zero.
 */
export function rateDistortionDomains(runs: readonly RdRun[], entropy: number | null): RdDomains {
  const finite = plottableRuns(runs);
  const h = entropy !== null && Number.isFinite(entropy) ? [entropy] : [];
  return {
    rate: paddedInterval([0, ...h, ...finite.map((r) => r.rate)]),
    distortion: paddedInterval([0, ...h, ...finite.map((r) => r.distortion)]),
  };
}

function paddedInterval(values: number[]): Interval {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo > 0 ? hi - lo : Math.max(Math.abs(hi), 1);
  const step = niceStep(span, 5);
  // 4 % of room so the largest point's symbol is not cut by the frame, then a round end.
  hi = ceilTo(hi + 0.04 * span, step);
  if (lo < 0) lo = floorTo(lo - 0.04 * span, step);
  return [lo, hi];
}

/**
 * Round values of −ELBO = D + R whose lines cross the plane, spanning the runs' values
 * (at most six; an empty list without runs).
 */
export function isoElboLevels(runs: readonly RdRun[], domains: RdDomains): number[] {
  const sums = plottableRuns(runs).map((r) => r.rate + r.distortion);
  if (sums.length === 0) return [];
  const lo = Math.min(...sums);
  const hi = Math.max(...sums);
  const spread = Math.max(hi - lo, 0.1 * Math.max(Math.abs(hi), 1));
  let step = niceStep(spread, 3);
  let first = floorTo(lo, step);
  let last = ceilTo(hi, step);
  while ((last - first) / step > 5) {
    step *= 2;
    first = floorTo(lo, step);
    last = ceilTo(hi, step);
  }
  const levels: number[] = [];
  for (let k = Math.round(first / step); multipleOf(step, k) <= last; k++) {
    const c = multipleOf(step, k);
    if (visibleSegment(c, domains) !== null) levels.push(c);
  }
  return levels;
}

/** A segment of the line D + R = c, from its upper-left to its lower-right end. */
export interface Segment {
  r1: number;
  d1: number;
  r2: number;
  d2: number;
}

/** The part of D + R = c inside the plot, or null when the line misses it. */
export function visibleSegment(c: number, domains: RdDomains): Segment | null {
  const [rLo, rHi] = domains.rate;
  const [dLo, dHi] = domains.distortion;
  const r1 = Math.max(rLo, c - dHi);
  const r2 = Math.min(rHi, c - dLo);
  if (!(r2 > r1)) return null;
  return { r1, d1: c - r1, r2, d2: c - r2 };
}
