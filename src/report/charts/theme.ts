import type { Config } from "vega-lite";

/** The schema every spec declares; a URL in a JSON field, never fetched. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/**
 * DejaVu Sans first because the PNG rasteriser finds it on Linux; the rest lets a browser
 * fall back to a face it has.
 */
export const FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** Ten categories that stay distinguishable in print and for common colour blindness. */
export const CATEGORY_SCHEME = "tableau10";

/** One look for every chart: white background, nothing smaller than 11 px. */
export function chartConfig(): Config {
  return {
    background: "white",
    font: FONT_FAMILY,
    padding: 8,
    title: { fontSize: 15, subtitleFontSize: 12, anchor: "start", offset: 10, color: "#222" },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: "normal",
      titleColor: "#333",
      labelColor: "#333",
      gridColor: "#e6e6e6",
      domainColor: "#888",
      tickColor: "#888",
    },
    legend: {
      labelFontSize: 11,
      labelLimit: 320,
      titleFontSize: 12,
      titleFontWeight: "normal",
      symbolSize: 80,
    },
    header: { labelFontSize: 12, titleFontSize: 12 },
    text: { fontSize: 11 },
    view: { stroke: "#cccccc" },
    concat: { spacing: 24 },
  };
}

/** A value safe to put in inline chart data: non-finite numbers become null (a gap). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
