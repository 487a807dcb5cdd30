import type { TopLevelSpec } from "vega-lite";
import type { EpochMetrics } from "../../engine/types.js";
import { epochPoints, epochX, panelYScale } from "./epoch-axis.js";
import { CATEGORY_SCHEME, chartConfig, finiteOrNull, VEGA_LITE_SCHEMA } from "./theme.js";

export interface ObjectiveSeries {
  label: string;
  history: EpochMetrics[];
}

const PANELS = [
  { key: "rate", title: "rate R" },
  { key: "distortion", title: "distortion D" },
] as const;

/**
 * How several objectives move through R and D during training: one line per label in each
 * of two panels, from the held-out split where an epoch has one, else the training split.
 */
export function objectiveCurvesSpec(series: ObjectiveSeries[]): TopLevelSpec {
  const rows = series.flatMap(({ label, history }) =>
    history.flatMap((m) => {
      const split = m.test ?? m.train;
      return PANELS.map(({ key }) => ({
        label,
        epoch: m.epoch,
        metric: key,
        value: finiteOrNull(split[key]),
      }));
    }),
  );
  const labels = [...new Set(series.map((s) => s.label))];
  const all = series.flatMap((s) => s.history);
  const heldOut = all.filter((m) => m.test !== null).length;
  const source =
    heldOut === all.length
      ? "held-out split"
      : heldOut === 0
        ? "training split"
        : "held-out split where evaluated, else training split";
  const longest = Math.max(0, ...series.map((s) => s.history.length));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: {
      text: "Rate and distortion during training",
      subtitle: `nats per data point, ${source}`,
    },
    data: { values: rows },
    hconcat: PANELS.map(({ key, title }) => ({
      title: {
        text: title,
        fontSize: 12,
        fontWeight: "normal" as const,
        anchor: "middle" as const,
      },
      width: 300,
      height: 200,
      transform: [{ filter: { field: "metric", equal: key } }],
      mark: { type: "line" as const, strokeWidth: 1.8, point: epochPoints(longest) },
      encoding: {
        x: epochX(all.map((m) => m.epoch)),
        y: {
          field: "value",
          type: "quantitative" as const,
          title: "nats",
          scale: panelYScale(rows.filter((r) => r.metric === key).map((r) => r.value)),
        },
        color: {
          field: "label",
          type: "nominal" as const,
          title: null,
          scale: { domain: labels, scheme: labels.length > 10 ? "tableau20" : CATEGORY_SCHEME },
        },
      },
    })),
    resolve: { scale: { y: "independent" } },
  };
}
