import type { TopLevelSpec } from "vega-lite";
import {
  isoElboLevels,
  labelsInOrder,
  plottableRuns,
  rateDistortionDomains,
  rateDistortionMeans,
  coincidentMeanLabels,
  visibleSegment,
  type RdDomains,
  type RdMean,
  type RdRun,
} from "./rd-geometry.js";
import { clearLabelAnchor, labelFootprint, type PlanePoint } from "./rd-label-layout.js";
import { CATEGORY_SCHEME, chartConfig, VEGA_LITE_SCHEMA } from "./theme.js";

export type { RdRun } from "./rd-geometry.js";

export interface RateDistortionInput {
  runs: RdRun[];
  /** Data entropy H in nats per point, or null when unknown. */
  entropy: number | null;
  title?: string;
}

type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number];

const WIDTH = 480;
const HEIGHT = 360;
const PLOT_SIZE = { width: WIDTH, height: HEIGHT };
const MEAN_LABEL_SHIFT = { dx: 8, dy: -5 };
const REFERENCE_GREY = "#9a9a9a";
const INFEASIBLE_FILL = "#d62728";

/**
 * The R–D plane of Alemi et al. (2018): every run a small point, each label's mean over
 * seeds a large labelled point, sweeps joined through their means, dashed iso-ELBO lines
 * D + R = c and, when H is known, the bound D ≥ H − R with the region below it shaded.
 */
export function rateDistortionSpec(input: RateDistortionInput): TopLevelSpec {
  const entropy = input.entropy !== null && Number.isFinite(input.entropy) ? input.entropy : null;
  const runs = plottableRuns(input.runs);
  const domains = rateDistortionDomains(runs, entropy);
  const means = rateDistortionMeans(runs);
  const labels = labelsInOrder(runs);
  const axes = planeAxes(domains);
  const color = {
    field: "label",
    type: "nominal" as const,
    title: null,
    scale: { domain: labels, scheme: labels.length > 10 ? "tableau20" : CATEGORY_SCHEME },
  };

  const layers: Layer[] = [
    ...(entropy !== null ? entropyLayers(entropy, domains, axes) : []),
    ...isoElboLayers(
      isoElboLevels(runs, domains),
      domains,
      axes,
      obstaclesOf(runs, means, domains),
    ),
    ...sweepLayers(means, axes),
    {
      name: "runs",
      data: {
        values: runs.map((r) => ({
          label: r.label,
          seed: r.seed,
          rate: r.rate,
          distortion: r.distortion,
        })),
      },
      mark: { type: "point", filled: true, size: 36, opacity: 0.75 },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), color },
    },
    {
      name: "means",
      data: {
        values: means.map((m) => ({
          label: m.label,
          rate: m.rate,
          distortion: m.distortion,
          seeds: m.seeds,
        })),
      },
      mark: { type: "point", filled: true, size: 170, stroke: "#222", strokeWidth: 1, opacity: 1 },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), color },
    },
    {
      name: "mean-labels",
      data: {
        values: coincidentMeanLabels(means, domains),
      },
      mark: {
        type: "text",
        align: "left",
        baseline: "bottom",
        dx: 8,
        dy: -5,
        fontSize: 11,
        color: "#222",
      },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), text: { field: "label" } },
    },
  ];

  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: {
      text: input.title ?? "Rate–distortion plane",
      subtitle:
        "small points: one seed each; large points: mean over seeds" +
        (entropy !== null ? `; H = ${formatNats(entropy)} nats` : ""),
    },
    width: WIDTH,
    height: HEIGHT,
    layer: layers,
  };
}

interface PlaneAxes {
  x(field: string): Record<string, unknown> & { field: string; type: "quantitative" };
  y(field: string): Record<string, unknown> & { field: string; type: "quantitative" };
  /** Clockwise screen angle, in degrees, of a line of slope −1 in data units. */
  diagonalAngle: number;
}

function planeAxes(domains: RdDomains): PlaneAxes {
  const pxPerRate = WIDTH / (domains.rate[1] - domains.rate[0]);
  const pxPerDistortion = HEIGHT / (domains.distortion[1] - domains.distortion[0]);
  return {
    x: (field) => ({
      field,
      type: "quantitative",
      title: "rate R (nats)",
      scale: { domain: domains.rate, nice: false, zero: false },
    }),
    y: (field) => ({
      field,
      type: "quantitative",
      title: "distortion D (nats)",
      scale: { domain: domains.distortion, nice: false, zero: false },
    }),
    diagonalAngle: (Math.atan2(pxPerDistortion, pxPerRate) * 180) / Math.PI,
  };
}

/** The line D = H − R and the shaded infeasible region D < H − R below it. */
function entropyLayers(entropy: number, domains: RdDomains, axes: PlaneAxes): Layer[] {
  const segment = visibleSegment(entropy, domains);
  if (segment === null) return [];
  const [rLo] = domains.rate;
  const [dLo, dHi] = domains.distortion;
  // The region's upper edge: along the top of the frame while H − R > top, then the line.
  const edge = [rLo, segment.r1, segment.r2].map((r) => ({
    rate: r,
    distortion: Math.min(dHi, entropy - r),
    floor: dLo,
  }));
  const centroid = {
    rate: (segment.r1 + segment.r2 + rLo) / 3,
    distortion: (Math.min(dHi, entropy - rLo) + dLo + dLo) / 3,
  };
  return [
    {
      name: "infeasible-region",
      data: { values: edge },
      mark: { type: "area", color: INFEASIBLE_FILL, opacity: 0.1, line: false },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), y2: { field: "floor" } },
    },
    {
      name: "infeasible-label",
      data: { values: [centroid] },
      mark: { type: "text", color: INFEASIBLE_FILL, fontSize: 11, opacity: 0.8 },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), text: { value: "infeasible" } },
    },
    {
      name: "entropy-line",
      data: { values: [segment] },
      mark: { type: "rule", color: INFEASIBLE_FILL, strokeWidth: 1.5, opacity: 0.8 },
      encoding: {
        x: axes.x("r1"),
        y: axes.y("d1"),
        x2: { field: "r2" },
        y2: { field: "d2" },
      },
    },
    {
      name: "entropy-label",
      data: { values: [labelAnchor(segment, 0.55)] },
      mark: {
        type: "text",
        align: "center",
        baseline: "top",
        dy: 4,
        angle: axes.diagonalAngle,
        color: INFEASIBLE_FILL,
        fontSize: 11,
      },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), text: { value: `D = H − R` } },
    },
  ];
}

/** The runs, the means and the means' labels, which reference-line labels should avoid. */
function obstaclesOf(runs: RdRun[], means: RdMean[], domains: RdDomains): PlanePoint[] {
  return [
    ...runs,
    ...means,
    ...means.flatMap((m) => labelFootprint(m, m.label, MEAN_LABEL_SHIFT, domains, PLOT_SIZE)),
  ];
}

function isoElboLayers(
  levels: number[],
  domains: RdDomains,
  axes: PlaneAxes,
  obstacles: PlanePoint[],
): Layer[] {
  const segments = levels.flatMap((c) => {
    const s = visibleSegment(c, domains);
    if (s === null) return [];
    const text = `−ELBO = ${formatNats(c)}`;
    return [{ ...s, text, ...clearLabelAnchor(s, text, obstacles, domains, PLOT_SIZE) }];
  });
  if (segments.length === 0) return [];
  return [
    {
      name: "iso-elbo-lines",
      data: { values: segments },
      mark: { type: "rule", color: REFERENCE_GREY, strokeDash: [5, 4], strokeWidth: 1 },
      encoding: { x: axes.x("r1"), y: axes.y("d1"), x2: { field: "r2" }, y2: { field: "d2" } },
    },
    {
      name: "iso-elbo-labels",
      data: { values: segments },
      mark: {
        type: "text",
        align: "left",
        baseline: "top",
        dy: 3,
        angle: axes.diagonalAngle,
        color: "#777777",
        fontSize: 11,
      },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), text: { field: "text" } },
    },
  ];
}

/** A point a fraction `t` of the way along a segment, from its upper-left end. */
function labelAnchor(s: { r1: number; d1: number; r2: number; d2: number }, t: number) {
  return { rate: s.r1 + t * (s.r2 - s.r1), distortion: s.d1 + t * (s.d2 - s.d1) };
}

/** Each sweep's labels' means joined in order of the swept value, its name at the end. */
function sweepLayers(means: RdMean[], axes: PlaneAxes): Layer[] {
  const sweeps = [...new Set(means.flatMap((m) => (m.sweep === undefined ? [] : [m.sweep])))];
  const path = sweeps.flatMap((sweep) =>
    means
      .map((m, index) => ({ m, index }))
      .filter(({ m }) => m.sweep === sweep)
      .sort(
        (a, b) => (a.m.sweepValue ?? a.index) - (b.m.sweepValue ?? b.index) || a.index - b.index,
      )
      .map(({ m }, order) => ({ sweep, order, rate: m.rate, distortion: m.distortion })),
  );
  if (path.length === 0) return [];
  const ends = sweeps.map((sweep) => path.filter((p) => p.sweep === sweep).at(-1)!);
  return [
    {
      name: "sweep-lines",
      data: { values: path },
      mark: { type: "line", color: "#555555", strokeWidth: 1.5, opacity: 0.7 },
      encoding: {
        x: axes.x("rate"),
        y: axes.y("distortion"),
        detail: { field: "sweep" },
        order: { field: "order", type: "quantitative" },
      },
    },
    {
      name: "sweep-labels",
      data: { values: ends },
      mark: {
        type: "text",
        align: "left",
        baseline: "top",
        dx: 8,
        dy: 4,
        fontStyle: "italic",
        color: "#555555",
      },
      encoding: { x: axes.x("rate"), y: axes.y("distortion"), text: { field: "sweep" } },
    },
  ];
}

/** Up to four significant digits, no trailing zeros: 3.4012, 100, 0.05. */
function formatNats(x: number): string {
  return String(Number(x.toPrecision(Math.abs(x) >= 1000 ? 6 : 4)));
}
