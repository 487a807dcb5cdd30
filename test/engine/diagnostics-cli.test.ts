import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/parse.js";
import { runCli } from "../../src/cli/main.js";

async function vae(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe("vae eval options for the diagnostics", () => {
  it("parses --iw, --rows and --mi, and rejects bad values", () => {
    const ok = parseCommandLine([
      "eval",
      "m.vae",
      "--checkpoint",
      "d",
      "--iw",
      "5000",
      "--rows",
      "100",
      "--mi",
      "mws",
    ]);
    expect(ok).toMatchObject({ command: { options: { iw: 5000, rows: 100, mi: "mws" } } });
    for (const [flag, value] of [
      ["--iw", "0"],
      ["--iw", "x"],
      ["--rows", "-1"],
      ["--mi", "exact"],
    ] as const) {
      const r = parseCommandLine(["eval", "m.vae", "--checkpoint", "d", flag, value]);
      expect(r, `${flag} ${value}`).toMatchObject({ error: { option: flag } });
    }
    expect(parseCommandLine(["train", "m.vae", "--iw", "5"])).toMatchObject({
      error: { option: "--iw" },
    });
  });
});

describe("vae eval --json on the toy model (enumerate)", () => {
  it("reports exact log p(x), I inside its bounds, I + KL = R, and per-epoch diagnostics", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "vae-diag-"));
    const t = await vae(
      "train",
      "examples/broken-elbo-toy.vae",
      "--epochs",
      "2",
      "--out",
      out,
      "--quiet",
    );
    expect(t.code).toBe(0);
    const epochs = readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    const last = JSON.parse(epochs[epochs.length - 1]!);
    expect(last.diagnostics).toMatchObject({ mi_estimator: "exact", active_units: null });
    // ELBO surgery holds exactly under enumeration (float32 sums over 10,000 rows).
    expect(
      Math.abs(last.diagnostics.mutual_info + last.diagnostics.marginal_kl - last.test.rate),
    ).toBeLessThan(1e-3);

    const e = await vae("eval", "examples/broken-elbo-toy.vae", "--checkpoint", out, "--json");
    expect(e.code).toBe(0);
    const r = JSON.parse(e.stdout.trim().split("\n").pop()!);
    for (const key of [
      "model",
      "split",
      "rows",
      "elbo",
      "rate",
      "distortion",
      "loss",
      "log_likelihood",
      "entropy",
      "mutual_info",
      "marginal_kl",
      "active_units",
    ]) {
      expect(r, key).toHaveProperty(key);
    }
    expect(r).toMatchObject({
      split: "test",
      rows: 10000,
      log_likelihood_method: "exact",
      entropy_source: "exact",
      mi_estimator: "exact",
      active_units: null,
    });
    // The same estimates as the last epoch's (same rows, exact computations).
    expect(Math.abs(r.mutual_info.estimate - last.diagnostics.mutual_info)).toBeLessThan(1e-9);
    expect(r.log_likelihood).toBeGreaterThanOrEqual(r.elbo - 1e-4);
    expect(r.mutual_info.estimate).toBeLessThanOrEqual(r.mutual_info.upper + 1e-4);
    expect(r.mutual_info.upper).toBe(r.rate);
    expect(r.mutual_info.lower).toBeCloseTo(Math.max(0, r.entropy - r.distortion), 12);

    const h = await vae(
      "eval",
      "examples/broken-elbo-toy.vae",
      "--checkpoint",
      out,
      "--rows",
      "500",
    );
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/log p\(x\)\s+-?\d+\.\d\d\s+exact/);
    expect(h.stdout).toMatch(
      /I_q\(X;Z\)\s+\d+\.\d\d\s+exact aggregate posterior; \d+\.\d\d = max\(0, H − D\) ≤ I ≤ R = /,
    );
    expect(h.stdout).toContain("(nats per data point, 500 points)");
  });
});
