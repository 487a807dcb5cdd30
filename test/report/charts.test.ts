import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  distributionsSpec,
  heatmapSpec,
  latentScatterSpec,
  objectiveCurvesSpec,
  rateDistortionSpec,
  renderSvg,
  svgToPng,
  trainingCurvesSpec,
} from "../../src/report/index.js";
import { history, sweepRuns } from "./fixtures.js";

const chartsDir = path.resolve(import.meta.dirname, "../../src/report/charts");

const charts = {
  "rate–distortion": {
    spec: () => rateDistortionSpec({ runs: sweepRuns(), entropy: Math.log(30), title: "β sweep" }),
    title: "β sweep",
  },
  "training curves": { spec: () => trainingCurvesSpec(history(12)), title: "Training curves" },
  "training curves, one epoch, no held-out split": {
    spec: () => trainingCurvesSpec(history(1, false)),
    title: "Training curves",
  },
  "objective curves": {
    spec: () =>
      objectiveCurvesSpec([
        { label: "elbo", history: history(5) },
        { label: "beta_vae(beta: 4)", history: history(5, false) },
      ]),
    title: "Rate and distortion during training",
  },
  "latent scatter": {
    spec: () =>
      latentScatterSpec(
        Array.from({ length: 2000 }, (_, i) => ({
          z1: Math.sin(i),
          z2: Math.cos(1.3 * i),
          label: i % 10,
        })),
        { title: "Posterior means, MNIST" },
      ),
    title: "Posterior means, MNIST",
  },
  "latent scatter without labels": {
    spec: () => latentScatterSpec([{ z1: 0, z2: 1, label: null }]),
    title: "Posterior means",
  },
  distributions: {
    spec: () =>
      distributionsSpec({
        title: "Marginals over x",
        axis: "x",
        series: [
          { name: "p*(x)", values: [0.1, 0.2, 0.3, 0.4] },
          { name: "g(x)", values: [0.25, 0.25, 0.25, 0.25] },
        ],
      }),
    title: "Marginals over x",
  },
  heatmap: {
    spec: () =>
      heatmapSpec({
        title: "Encoder e(z|x)",
        matrix: Array.from({ length: 20 }, (_, i) =>
          Array.from({ length: 20 }, (_, j) => (i === j ? 1 : 0)),
        ),
        rowTitle: "x",
        columnTitle: "z",
      }),
    title: "Encoder e(z|x)",
  },
};

describe("charts render headless", () => {
  for (const [name, { spec, title }] of Object.entries(charts)) {
    it(`${name}: SVG with its title, and a PNG of the same size at scale 1`, async () => {
      const s = spec();
      const svg = await renderSvg(s);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain(`>${escapeXml(title)}</text>`);
      const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);
      const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)![1]);
      expect(width).toBeGreaterThan(200);
      expect(height).toBeGreaterThan(150);
      const png = svgToPng(svg, { scale: 1 });
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const image = PNG.sync.read(Buffer.from(png));
      expect(image.width).toBe(Math.ceil(width));
      expect(image.height).toBe(Math.ceil(height));
      // Same spec, same SVG: nothing depends on time or on charts rendered before.
      expect(await renderSvg(spec())).toBe(svg);
    });
  }

  it("the chart modules use no Node API and load no renderer (a browser reuses them)", () => {
    const files = readdirSync(chartsDir).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const src = readFileSync(path.join(chartsDir, f), "utf8");
      const imports = [...src.matchAll(/^\s*(import|export)\b([^;]*?)\bfrom\s*["']([^"']+)["']/gm)];
      const dynamic = [...src.matchAll(/\bimport\s*\(\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(dynamic, `${f} imports at run time`).toEqual([]);
      for (const [, keyword, clause, specifier] of imports) {
        expect(specifier!.startsWith("node:"), `${f} imports ${specifier}`).toBe(false);
        if (specifier!.startsWith("./")) continue;
        // Outside the folder, only types: vega-lite's spec types, the engine's metrics.
        expect(
          `${keyword}${clause}`.trim().startsWith(`${keyword} type`),
          `${f} imports ${specifier}`,
        ).toBe(true);
        if (!specifier!.startsWith(".")) expect(specifier).toBe("vega-lite");
      }
      expect(/\b(process|Buffer|require)\b\s*[.(]/.test(src), `${f} uses a Node global`).toBe(
        false,
      );
    }
  });
});

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
