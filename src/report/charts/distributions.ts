import type { TopLevelSpec } from "vega-lite";
import { CATEGORY_SCHEME, chartConfig, finiteOrNull, VEGA_LITE_SCHEMA } from "./theme.js";

export interface DistributionsInput {
  title: string;
  /** What the categories are, e.g. "x" or "z"; the x axis title. */
  axis: string;
  /** Probability vectors over 0..K−1 (entry k is the probability of category k). */
  series: { name: string; values: number[] }[];
}

/** Several distributions over the same categories as lines with a dot per category. */
export function distributionsSpec(input: DistributionsInput): TopLevelSpec {
  const rows = input.series.flatMap((s) =>
    s.values.map((p, k) => ({ series: s.name, category: k, probability: finiteOrNull(p) })),
  );
  const names = [...new Set(input.series.map((s) => s.name))];
  const k = Math.max(1, ...input.series.map((s) => s.values.length));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: { text: input.title },
    width: 420,
    height: 220,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.8, point: { size: 22 } },
    encoding: {
      x: {
        field: "category",
        type: "quantitative",
        title: input.axis,
        scale: { domain: [0, k - 1 > 0 ? k - 1 : 1], nice: false },
        axis: { format: "d", tickMinStep: 1 },
      },
      y: {
        field: "probability",
        type: "quantitative",
        title: "probability",
        scale: { zero: true },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: names, scheme: names.length > 10 ? "tableau20" : CATEGORY_SCHEME },
      },
    },
  };
}
