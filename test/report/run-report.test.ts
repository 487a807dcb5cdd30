import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  compileSource,
  initBackend,
  openMetricsLog,
  saveCheckpoint,
  train,
  writeRunReport,
  type Dataset,
} from "../../src/index.js";
import { readMetricsLog } from "../../src/report/run-report.js";
import {
  chromiumMissing,
  figureSizes,
  launchChromium,
  openReport,
  screenshotPath,
} from "./chromium.js";

// A 6×6-pixel image model (the dataset says its rows are images), small enough to train in a second, so the report has images.
const SPEC = `model Tiny {
  data   x: binary[36]
  latent z: real[2]
  net enc = mlp(36 -> 16 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 16 -> 36, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective elbo
  train { optimizer: adam(lr: 0.01)  batch: 20  epochs: 3 }
}
`;

/** Bars of random width: images with structure a VAE can learn. */
function bars(rows: number, seed: number): Dataset {
  const values = new Float32Array(rows * 36);
  let s = seed;
  for (let r = 0; r < rows; r++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const row = s % 6;
    for (let c = 0; c < 6; c++) values[r * 36 + row * 6 + c] = 1;
  }
  return { source: "bars", rows, dim: 36, values, image: { height: 6, width: 6 } };
}

async function trainedRun(): Promise<{ dir: string; test: Dataset }> {
  await initBackend("cpu");
  const compiled = compileSource(SPEC, "tiny.vae");
  const ir = compiled.ir!;
  const dir = mkdtempSync(path.join(tmpdir(), "vae-run-"));
  const data = { train: bars(200, 1), test: bars(50, 2), entropy: null };
  const log = await openMetricsLog(dir);
  const config = { ...ir.train, backend: "cpu" };
  const result = await train(ir, data, config, { onEpoch: (m) => log.append(m) });
  await log.close();
  expect(
    await saveCheckpoint(dir, {
      source: SPEC,
      ir,
      train: config,
      backend: "cpu",
      weights: result.weights,
    }),
  ).toEqual([]);
  return { dir, test: data.test };
}

describe("writeRunReport", () => {
  it("writes a self-contained report.html with curves, metrics, samples and reconstructions", async () => {
    const { dir, test } = await trainedRun();
    const r = await writeRunReport(dir, { data: test });
    expect(r.diagnostics).toEqual([]);
    expect(r.path).toBe(path.join(dir, "report.html"));
    const html = readFileSync(r.path!, "utf8");
    for (const id of [
      'data-figure="curves"',
      'data-table="final-metrics"',
      'data-figure="samples"',
      'data-figure="reconstructions"',
    ])
      expect(html).toContain(id);
    expect(html).toContain("model Tiny {");
    expect(html).not.toMatch(/(src|href)="https?:/);
    // The reconstruction grid: 16 inputs over their 16 reconstructions, 8 a row, 6×6 pixels.
    const png = /data-figure="reconstructions"[\s\S]*?src="data:image\/png;base64,([^"]+)"/.exec(
      html,
    )![1]!;
    const image = PNG.sync.read(Buffer.from(png, "base64"));
    expect(image.width).toBeGreaterThanOrEqual(8 * 6);
    expect(image.height).toBeGreaterThanOrEqual(4 * 6);
    expect(image.width / image.height).toBeCloseTo(8 / 4, 1);

    const missing = chromiumMissing();
    if (missing !== null) {
      console.warn(`skipping the browser check: ${missing}`);
      return;
    }
    const browser = await launchChromium();
    try {
      const { page, problems } = await openReport(browser, r.path!);
      const sizes = await figureSizes(page);
      expect(sizes.map((s) => s.id).sort()).toEqual(["curves", "reconstructions", "samples"]);
      for (const s of sizes) expect(s.width * s.height, s.id).toBeGreaterThan(0);
      await page.screenshot({ path: screenshotPath("run-report.png"), fullPage: true });
      expect(problems).toEqual({ console: [], requests: [] });
    } finally {
      await browser.close();
    }
  });

  it("reports an unreadable run folder as a diagnostic, and skips torn metrics lines", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "vae-run-"));
    const r = await writeRunReport(empty);
    expect(r.path).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain("checkpoint-invalid");
    writeFileSync(
      path.join(empty, "metrics.jsonl"),
      '{"epoch":1,"train":{"loss":1}}\n{"epoch":2,"tr',
    );
    expect((await readMetricsLog(empty)).map((m) => m.epoch)).toEqual([1]);
    expect(existsSync(path.join(empty, "report.html"))).toBe(false);
  });
});
