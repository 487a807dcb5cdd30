import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { forkedLauncher } from "../../src/compare/pool.js";
import { runCompare } from "../../src/compare/run-compare.js";
import type { CompareOptions, PlannedRun, RunRecord } from "../../src/compare/types.js";

// A two-dimensional Gaussian VAE on 400 points: a run takes about a second, mostly start-up.
const SPEC = `model Tiny {
  data   x: real[2]
  latent z: real[1]
  param log_sigma: real = 0
  net   enc = mlp(2 -> 8 -> (loc: 1, log_scale: 1), activation: tanh)
  net   dec = mlp(1 -> 8 -> 2, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), log_scale: log_sigma)
  objective elbo
  train { optimizer: adam(lr: 0.01) batch: 50 epochs: 2 }
}
`;

let dir: string;
let spec: string;
let csv: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "vae-compare-"));
  spec = path.join(dir, "tiny.vae");
  csv = path.join(dir, "points.csv");
  writeFileSync(spec, SPEC);
  // Points on a noisy line, so the latent has something to encode.
  const rows = Array.from({ length: 400 }, (_, i) => {
    const t = Math.sin(i * 12.9898) * 2;
    return `${t.toFixed(4)},${(0.5 * t + 0.1 * Math.cos(i * 78.233)).toFixed(4)}`;
  });
  writeFileSync(csv, rows.join("\n") + "\n");
});

const options = (out: string, objectives: string[], extra: Partial<CompareOptions> = {}) => ({
  objectives,
  sweeps: [],
  data: csv,
  jobs: 2,
  out: path.join(dir, out),
  ...extra,
});

/** The forked launcher, counting what it was asked to train. */
function counting() {
  const launched: string[] = [];
  return {
    launched,
    launch: (run: PlannedRun, p: Parameters<typeof forkedLauncher>[1]) => {
      launched.push(run.objective);
      return forkedLauncher(run, p);
    },
  };
}

const uncached = (rs: RunRecord[]) => rs.map((r) => ({ ...r, cached: false }));

describe("runCompare", () => {
  it("trains each run once: a second compare reads every result; a new objective trains alone", async () => {
    const first = counting();
    const a = await runCompare(spec, options("cache", ["elbo", "beta_vae(beta: 2)"]), {}, first);
    expect(a.diagnostics).toEqual([]);
    expect(first.launched.sort()).toEqual(["beta_vae(beta: 2)", "elbo"]);
    expect(a.records.map((r) => [r.objective, r.status, r.reason])).toEqual([
      ["elbo", "ok", null],
      ["beta_vae(beta: 2)", "ok", null],
    ]);
    expect(a.exitCode).toBe(0);
    for (const r of a.records) {
      const runDir = path.join(dir, "cache/runs", r.key);
      for (const f of ["result.json", "weights.json", "config.json", "metrics.jsonl"])
        expect(existsSync(path.join(runDir, f)), f).toBe(true);
      expect(
        readFileSync(path.join(runDir, "metrics.jsonl"), "utf8").trim().split("\n"),
      ).toHaveLength(2);
      const m = r.metrics!;
      // The evaluation's own identities: ELBO = −(R + D), I between its bounds.
      expect(m.elbo).toBeCloseTo(-(m.rate + m.distortion), 4);
      expect(m.mutual_info.upper).toBe(m.rate);
      expect(m.log_likelihood_method).toBe("importance");
      expect(m.iw_samples).toBe(100);
      // log p(x) ≥ ELBO in expectation; k = 100 draws tighten the bound.
      expect(m.log_likelihood!).toBeGreaterThan(m.elbo - 0.05);
      expect(r.history).toHaveLength(2);
    }
    expect(a.files).toEqual(
      expect.arrayContaining([
        "results.json",
        "results.csv",
        "report.html",
        "figures/rate-distortion.svg",
        "figures/rate-distortion.png",
        "figures/objective-curves.svg",
        "figures/objective-curves.png",
      ]),
    );
    for (const f of a.files) expect(existsSync(path.join(dir, "cache", f)), f).toBe(true);
    // Two real numbers per point are neither an image nor a categorical toy.
    expect(a.notes.join("\n")).toMatch(/image data/);
    expect(a.notes.join("\n")).toMatch(/Figure 2/);
    const html = readFileSync(path.join(dir, "cache/report.html"), "utf8");
    expect(html).toContain('data-table="results"');
    expect(html).toContain('data-figure="rate-distortion"');
    expect(html).toContain("beta_vae(beta: 2)");
    const results = JSON.parse(readFileSync(path.join(dir, "cache/results.json"), "utf8"));
    expect(results.runs).toHaveLength(2);
    expect(results.summary[0].metrics.rate.mean).toBe(a.records[0]!.metrics!.rate);
    // beta = 2 weighs the rate twice: its rate is below the ELBO run's.
    expect(a.records[1]!.metrics!.rate).toBeLessThan(a.records[0]!.metrics!.rate);

    const second = counting();
    const t0 = performance.now();
    const b = await runCompare(spec, options("cache", ["elbo", "beta_vae(beta: 2)"]), {}, second);
    expect(second.launched).toEqual([]);
    expect(b.cached).toBe(2);
    expect(b.records.every((r) => r.cached)).toBe(true);
    expect(uncached(b.records)).toEqual(uncached(a.records));
    expect(performance.now() - t0).toBeLessThan(5000);

    const third = counting();
    const lines: string[] = [];
    const c = await runCompare(
      spec,
      options("cache", ["elbo", "beta_vae(beta: 2)", "beta_vae(beta: 0.5)"]),
      { log: (s) => lines.push(s) },
      third,
    );
    expect(third.launched).toEqual(["beta_vae(beta: 0.5)"]);
    expect(lines[0]).toMatch(/3 run\(s\): 2 cached, 1 to train/);
    expect(c.summaries.map((s) => s.objective)).toEqual([
      "elbo",
      "beta_vae(beta: 2)",
      "beta_vae(beta: 0.5)",
    ]);

    // A damaged result.json is not trusted: that run trains again.
    writeFileSync(path.join(dir, "cache/runs", a.records[0]!.key, "result.json"), '{"key": "');
    const fourth = counting();
    await runCompare(spec, options("cache", ["elbo", "beta_vae(beta: 2)"]), {}, fourth);
    expect(fourth.launched).toEqual(["elbo"]);

    const csvText = readFileSync(path.join(dir, "cache/results.csv"), "utf8").trim().split("\n");
    expect(csvText).toHaveLength(3);
    expect(csvText[0]).toMatch(
      /^objective,sweep,sweep_param,sweep_value,seed,key,status,reason,rate,/,
    );
  });

  it("a run that fails in its process is reported with its reason; the others are kept", async () => {
    const launch = (run: PlannedRun, p: Parameters<typeof forkedLauncher>[1]) =>
      forkedLauncher(
        run.objective === "elbo"
          ? run
          : { ...run, train: { ...run.train, dataset: path.join(dir, "gone.csv") } },
        p,
      );
    const o = await runCompare(
      spec,
      options("fail", ["elbo", "beta_vae(beta: 2)"]),
      {},
      { launch },
    );
    expect(o.records.map((r) => r.status)).toEqual(["ok", "failed"]);
    expect(o.records[1]!.reason).toMatch(/gone\.csv/);
    expect(o.records[1]!.metrics).toBeNull();
    expect(o.exitCode).toBe(0);
    expect(existsSync(path.join(dir, "fail/runs", o.records[1]!.key, "result.json"))).toBe(false);
    expect(o.summaries[1]).toMatchObject({ runs: 1, succeeded: 0, metrics: {} });
  });

  it("a diverging run (learning rate 1000) fails with the reason; none succeeded → exit code 1", async () => {
    const o = await runCompare(spec, options("diverge", ["elbo"], { lr: 1000, seeds: 2 }), {});
    expect(o.records.map((r) => r.status)).toEqual(["failed", "failed"]);
    for (const r of o.records)
      expect(r.reason).toMatch(/^diverged: loss (NaN|-?Infinity) at epoch \d+, step \d+$/);
    expect(o.exitCode).toBe(1);
  });
});
