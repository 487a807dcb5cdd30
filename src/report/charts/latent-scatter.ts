import type { TopLevelSpec } from "vega-lite";
import { CATEGORY_SCHEME, chartConfig, VEGA_LITE_SCHEMA } from "./theme.js";

export interface LatentPoint {
  z1: number;
  z2: number;
  /** The data point's class, or null when the data set has none. */
  label: number | null;
}

/**
 * Posterior means in two latent dimensions, as small translucent points (thousands stay
 * legible), coloured by class when there are classes. Points with a non-finite coordinate
 * are left out; unlabelled points among labelled ones are drawn as class "none".
 */
export function latentScatterSpec(
  points: LatentPoint[],
  opts: { title?: string } = {},
): TopLevelSpec {
  const finite = points.filter((p) => Number.isFinite(p.z1) && Number.isFinite(p.z2));
  const labelled = finite.some((p) => p.label !== null);
  const classes = [...new Set(finite.flatMap((p) => (p.label === null ? [] : [p.label])))].sort(
    (a, b) => a - b,
  );
  const domain = [
    ...classes.map(String),
    ...(finite.some((p) => p.label === null) ? ["none"] : []),
  ];
  const values = finite.map((p) => ({
    z1: p.z1,
    z2: p.z2,
    ...(labelled ? { label: p.label === null ? "none" : String(p.label) } : {}),
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: {
      text: opts.title ?? "Posterior means",
      subtitle: `${finite.length} points, E[z | x] in two latent dimensions`,
    },
    width: 360,
    height: 360,
    data: { values },
    mark: { type: "circle", size: 10, opacity: 0.5, ...(labelled ? {} : { color: "#4c78a8" }) },
    encoding: {
      x: { field: "z1", type: "quantitative", title: "z₁", scale: { zero: false, padding: 6 } },
      y: { field: "z2", type: "quantitative", title: "z₂", scale: { zero: false, padding: 6 } },
      ...(labelled
        ? {
            color: {
              field: "label",
              type: "nominal" as const,
              title: "class",
              scale: { domain, scheme: domain.length > 10 ? "tableau20" : CATEGORY_SCHEME },
              legend: { symbolOpacity: 1 },
            },
          }
        : {}),
    },
  };
}
