import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg, svgToPng } from "../../src/report/index.js";

/** Dark pixels (all channels below 100) inside a rectangle of an RGBA image. */
function darkPixels(img: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      if (img.data[i]! < 100 && img.data[i + 1]! < 100 && img.data[i + 2]! < 100) n++;
    }
  return n;
}

describe("renderSvg / svgToPng", () => {
  it("draws text: a title-only chart has dark pixels where the title is and nowhere else", async () => {
    const spec: TopLevelSpec = {
      title: { text: "WWWWWWWW", fontSize: 20, color: "black", anchor: "start" },
      width: 300,
      height: 100,
      config: { view: { stroke: null } },
      data: { values: [] },
      mark: "point",
    };
    const svg = await renderSvg(spec);
    const img = PNG.sync.read(Buffer.from(svgToPng(svg, { scale: 1 })));
    // The title sits in the top band; the empty plot below it stays white.
    expect(darkPixels(img, 0, 0, img.width, 40)).toBeGreaterThan(100);
    expect(darkPixels(img, 0, 60, img.width, img.height)).toBe(0);
    // White background, not transparent.
    expect([...img.data.subarray(img.data.length - 4)]).toEqual([255, 255, 255, 255]);
  });

  it("scales the raster by the given factor", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="10" height="10" fill="black"/></svg>';
    const img = PNG.sync.read(Buffer.from(svgToPng(svg, { scale: 3 })));
    expect([img.width, img.height]).toEqual([90, 60]);
    expect(darkPixels(img, 0, 0, 30, 30)).toBe(900);
    expect(darkPixels(img, 30, 0, 90, 60) + darkPixels(img, 0, 30, 30, 60)).toBe(0);
  });

  it("a malformed spec or SVG is an Error with a message, not a blank picture", async () => {
    const bad = { mark: "nonsense", data: { values: [] } } as unknown as TopLevelSpec;
    await expect(renderSvg(bad)).rejects.toThrow(/chart could not be rendered/);
    const badField = {
      data: { values: [{ a: 1 }] },
      mark: "point",
      transform: [{ calculate: "datum.a +", as: "b" }],
      encoding: { x: { field: "b", type: "quantitative" } },
    } as TopLevelSpec;
    await expect(renderSvg(badField)).rejects.toThrow(/chart could not be rendered/);
    expect(() => svgToPng("<svg")).toThrow(/SVG could not be rasterised/);
    expect(() => svgToPng("<svg/>", { scale: 0 })).toThrow(RangeError);
  });
});
