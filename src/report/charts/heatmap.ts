import type { TopLevelSpec } from "vega-lite";
import { chartConfig, VEGA_LITE_SCHEMA } from "./theme.js";

export interface HeatmapInput {
  title: string;
  /** matrix[i][j]: row i (the conditioning variable's value), column j. */
  matrix: number[][];
  rowTitle: string;
  columnTitle: string;
  /** The colour legend's title (default "probability"). */
  valueTitle?: string;
}

/** A matrix as coloured cells on a sequential scale, row 0 at the top. Non-finite cells stay blank. */
export function heatmapSpec(input: HeatmapInput): TopLevelSpec {
  const rows = input.matrix.length;
  const columns = Math.max(0, ...input.matrix.map((r) => r.length));
  const cells = input.matrix.flatMap((r, i) =>
    r.flatMap((value, j) => (Number.isFinite(value) ? [{ row: i, column: j, value }] : [])),
  );
  // Square cells that keep the chart between about 120 and 360 pixels a side.
  const cell = Math.max(4, Math.min(24, Math.floor(360 / Math.max(rows, columns, 1))));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: { text: input.title },
    width: Math.max(1, columns) * cell,
    height: Math.max(1, rows) * cell,
    data: { values: cells },
    mark: { type: "rect" },
    encoding: {
      x: indexAxis("column", input.columnTitle, columns, "top"),
      y: indexAxis("row", input.rowTitle, rows, "left"),
      color: {
        field: "value",
        type: "quantitative",
        title: input.valueTitle ?? "probability",
        // From white, so cells of probability ≈ 0 read as empty.
        scale: {
          range: ["#ffffff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
          interpolate: "rgb",
          zero: true,
        },
      },
    },
  };
}

/** Indices 0..n−1 in order; with many, only every fifth is labelled so labels do not collide. */
function indexAxis(field: string, title: string, n: number, orient: "top" | "left") {
  const indices = Array.from({ length: n }, (_, i) => i);
  return {
    field,
    type: "ordinal" as const,
    title,
    scale: { domain: indices, paddingInner: 0, paddingOuter: 0 },
    axis: {
      orient,
      labelAngle: 0,
      ...(n > 15 ? { values: indices.filter((i) => i % 5 === 0) } : {}),
    },
  };
}
