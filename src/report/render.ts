import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * A vega logger that prints nothing and keeps errors, so a broken spec becomes an
 * exception here instead of a line on the console and a blank chart.
 */
function collectingLogger(): { logger: vega.LoggerInterface; errors: string[] } {
  const errors: string[] = [];
  const logger = vega.logger(vega.Error, "error", (_method, _level, args) => {
    errors.push(args.map(describe).join(" "));
  });
  return { logger, errors };
}

function describe(x: unknown): string {
  return x instanceof Error ? x.message : typeof x === "string" ? x : JSON.stringify(x);
}

/**
 * The chart as a standalone SVG document. Rendered headless (`renderer: "none"`); without
 * the canvas package vega estimates text widths from font size, which is close enough for
 * layout with the sans-serif faces the theme asks for.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { logger, errors } = collectingLogger();
  let view: vega.View | undefined;
  // Def ids (clip paths, gradients) count from zero in every chart, so equal specs give
  // equal SVG; html.ts makes them unique per page.
  vega.resetSVGDefIds();
  try {
    const compiled = compile(spec, { logger }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: "none", logger });
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(errors.join("; "));
    return svg;
  } catch (e) {
    throw new Error(`chart could not be rendered: ${describe(e)}`, { cause: e });
  } finally {
    view?.finalize();
  }
}

export interface PngOptions {
  /** Device pixels per SVG pixel (default 2, sharp on high-density screens and in print). */
  scale?: number;
}

/** An SVG rasterised to PNG on white, text set in the system's DejaVu Sans (or sans-serif). */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const scale = opts.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0))
    throw new RangeError(`PNG scale must be a positive number, got ${scale}`);
  try {
    const image = new Resvg(svg, {
      background: "white",
      fitTo: { mode: "zoom", value: scale },
      font: {
        loadSystemFonts: true,
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
      },
      logLevel: "off",
    }).render();
    return new Uint8Array(image.asPng());
  } catch (e) {
    throw new Error(`SVG could not be rasterised: ${describe(e)}`, { cause: e });
  }
}
