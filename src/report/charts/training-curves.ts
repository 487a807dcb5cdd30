import type { TopLevelSpec } from "vega-lite";
import type { EpochMetrics, SplitMetrics } from "../../engine/types.js";
import { epochPoints, epochX, panelYScale } from "./epoch-axis.js";
import { chartConfig, finiteOrNull, VEGA_LITE_SCHEMA } from "./theme.js";

const PANELS: { key: keyof SplitMetrics; title: string }[] = [
  { key: "loss", title: "loss (objective)" },
  { key: "elbo", title: "ELBO" },
  { key: "rate", title: "rate R" },
  { key: "distortion", title: "distortion D" },
];

const SPLIT_COLORS = { train: "#4c78a8", "held-out": "#f58518" };

/**
 * Loss, ELBO, R and D against epoch in four small panels, the training split and the
 * held-out split (when evaluated) as two coloured lines, each panel on its own y scale.
 */
export function trainingCurvesSpec(history: EpochMetrics[]): TopLevelSpec {
  const rows = history.flatMap((m) =>
    PANELS.flatMap(({ key }) => [
      { epoch: m.epoch, split: "train", metric: key, value: finiteOrNull(m.train[key]) },
      ...(m.test
        ? [{ epoch: m.epoch, split: "held-out", metric: key, value: finiteOrNull(m.test[key]) }]
        : []),
    ]),
  );
  const splits = history.some((m) => m.test !== null) ? ["train", "held-out"] : ["train"];
  const x = epochX(history.map((m) => m.epoch));
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: chartConfig(),
    title: {
      text: "Training curves",
      subtitle: "nats per data point, evaluated after each epoch",
    },
    data: { values: rows },
    columns: 2,
    concat: PANELS.map(({ key, title }) => ({
      title: {
        text: title,
        fontSize: 12,
        fontWeight: "normal" as const,
        anchor: "middle" as const,
      },
      width: 260,
      height: 150,
      transform: [{ filter: { field: "metric", equal: key } }],
      mark: { type: "line" as const, strokeWidth: 1.8, point: epochPoints(history.length) },
      encoding: {
        x,
        y: {
          field: "value",
          type: "quantitative" as const,
          title: "nats",
          scale: panelYScale(rows.filter((r) => r.metric === key).map((r) => r.value)),
        },
        color: {
          field: "split",
          type: "nominal" as const,
          title: null,
          scale: {
            domain: splits,
            range: splits.map((s) => SPLIT_COLORS[s as keyof typeof SPLIT_COLORS]),
          },
          legend: { orient: "top" as const },
        },
      },
    })),
    resolve: { scale: { y: "independent" } },
  };
}
