import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCompare } from "../../src/index.js";
import {
  chromiumMissing,
  figureSizes,
  launchChromium,
  openReport,
  screenshotPath,
} from "./chromium.js";

const missing = chromiumMissing();
if (missing !== null) console.warn(`skipping the compare report in a browser: ${missing}`);

const IMAGES = `model Small {
  data   x: real[64]
  latent z: real[2]
  net enc = mlp(64 -> 16 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 16 -> 64, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 0.3)
  train { dataset: "mnist-8x8" batch: 200 epochs: 1 seed: 3 }
}
`;

/** Runs a compare and opens its report.html; returns what the page shows. */
async function openedCompare(
  spec: string,
  options: { objectives: string[]; sweeps: string[]; epochs?: number },
  shot: string,
) {
  const dir = mkdtempSync(path.join(tmpdir(), "vae-compare-browser-"));
  const file = path.join(dir, "model.vae");
  writeFileSync(file, spec);
  const out = path.join(dir, "out");
  const outcome = await runCompare(file, { ...options, jobs: 2, evalRows: 200, iw: 10, out });
  expect(outcome.diagnostics).toEqual([]);
  expect(outcome.records.every((r) => r.status === "ok")).toBe(true);
  const browser = await launchChromium();
  try {
    const { page, problems } = await openReport(browser, path.join(out, "report.html"));
    const rows = await page.$$eval('[data-table="results"] tbody tr', (trs) =>
      trs.map((tr) => (tr.querySelector("td")?.textContent ?? "").trim()),
    );
    const sizes = await figureSizes(page);
    await page.screenshot({ path: screenshotPath(shot), fullPage: true });
    return { rows, sizes, problems, files: outcome.files };
  } finally {
    await browser.close();
  }
}

describe.skipIf(missing !== null)("a vae compare report in headless chromium", () => {
  it("image data with a sweep: a row per objective, every figure drawn, nothing fetched", async () => {
    const r = await openedCompare(
      IMAGES,
      { objectives: ["elbo"], sweeps: ["beta_vae(beta: [0.5, 2])"] },
      "compare-report-images.png",
    );
    expect(r.problems).toEqual({ console: [], requests: [] });
    expect(r.rows).toEqual(["elbo", "beta_vae(beta: 0.5)", "beta_vae(beta: 2)"]);
    const ids = r.sizes.map((s) => s.id);
    for (const id of ["rate-distortion", "objective-curves", "reconstructions", "samples"])
      expect(
        ids.some((x) => x.includes(id)),
        `${id} in ${ids.join(", ")}`,
      ).toBe(true);
    for (const s of r.sizes) expect(s.width * s.height, s.id).toBeGreaterThan(0);
    // Every figure of the page is also written as SVG or PNG.
    expect(r.files.filter((f) => f.endsWith(".svg")).length).toBeGreaterThanOrEqual(2);
  });

  it("the Broken-ELBO toy: Alemi et al.'s Figure 2 panels for each objective", async () => {
    const toy = (await import("node:fs")).readFileSync("examples/broken-elbo-toy.vae", "utf8");
    const r = await openedCompare(
      toy,
      { objectives: ["elbo", "target_rate(sigma: 0.5)"], sweeps: [], epochs: 1 },
      "compare-report-toy.png",
    );
    expect(r.problems).toEqual({ console: [], requests: [] });
    expect(r.rows).toEqual(["elbo", "target_rate(sigma: 0.5)"]);
    // Per objective: p*(x), g(x), d(x); m(z), e(z); and the three K×K heatmaps.
    const panels = r.sizes.filter((s) => s.id.startsWith("panels-"));
    expect(panels.length).toBe(2 * 5);
    for (const s of r.sizes) expect(s.width * s.height, s.id).toBeGreaterThan(0);
  });
});
