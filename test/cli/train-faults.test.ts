import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { loadCheckpoint } from "../../src/engine/checkpoint.js";

async function vae(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), "vae-faults-"));
const MODEL = path.join(dir, "tiny.vae");
const DATA = path.join(dir, "d.csv");
writeFileSync(
  MODEL,
  `model Tiny {
  data   x: real[2]
  latent z: real[1]
  param enc_log_scale: real[1] = 0
  param log_sigma: real = 0
  net   enc_mean = linear(2 -> 1)
  net   dec_mean = linear(1 -> 2)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc_mean(x), log_scale: enc_log_scale)
  decoder p(x|z) = Normal(loc: dec_mean(z), log_scale: log_sigma)
  objective elbo
  train { batch: 10, epochs: 2, backend: "wasm" }
}
`,
);
// 50 rows, 5 steps per epoch.
writeFileSync(
  DATA,
  Array.from({ length: 50 }, (_, i) => `${((i * 37) % 11) / 5 - 1},${((i * 53) % 13) / 4}`).join(
    "\n",
  ) + "\n",
);

const train = (...flags: string[]) => vae("train", MODEL, "--data", DATA, ...flags);
const jsonOf = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!);
const metricLines = (out: string) =>
  readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n");

describe("vae train on numerical faults", () => {
  it("stops an exploding run with exit 1 and training-diverged, keeping the earlier checkpoint and metrics", async () => {
    const out = path.join(dir, "explode");
    const good = await train("--out", out, "--quiet");
    expect(good.code).toBe(0);
    const before = await loadCheckpoint(out);
    expect(before.value).toBeDefined();
    expect(metricLines(out)).toHaveLength(2);

    const r = await train("--out", out, "--lr", "1e6", "--epochs", "5", "--quiet", "--json");
    expect(r.code).toBe(1);
    // --quiet hides progress, not the outcome.
    expect(r.stderr).toMatch(
      /error\[training-diverged\]: training diverged at epoch 1, step \d+: loss (NaN|-?Infinity); non-finite terms?: (distortion|rate)/,
    );
    expect(r.stderr).toContain(`the last good checkpoint is '${out}'`);
    const j = jsonOf(r.stdout);
    expect(j.status).toBe("diverged");
    expect(j.reason.epoch).toBe(1);
    expect(j.reason.terms.length).toBeGreaterThan(0);
    expect(j.reason.gradients).toContain("param.log_sigma");
    expect(j.checkpoint).toBe(out);
    expect(j.epochs_completed).toBe(0);

    // The previous checkpoint is intact, bit for bit, and the earlier run's lines stay.
    const after = await loadCheckpoint(out);
    expect(after.diagnostics).toEqual([]);
    for (const [name, w] of Object.entries(before.value!.weights))
      expect(Buffer.from(after.value!.weights[name]!.values.buffer)).toEqual(
        Buffer.from(w.values.buffer),
      );
    expect(metricLines(out)).toHaveLength(2);
  });

  it("skips and counts non-finite steps with --on-nan skip, and gives up after 100 in a row", async () => {
    const out = path.join(dir, "skip");
    const r = await train(
      "--out",
      out,
      "--lr",
      "1e6",
      "--epochs",
      "30",
      "--on-nan",
      "skip",
      "--json",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/epoch 1, step \d+: loss \S+, update skipped \(non-finite/);
    expect(r.stderr).toContain("100 steps in a row skipped (--on-nan skip)");
    expect(r.stderr).toContain("no checkpoint was written");
    const j = jsonOf(r.stdout);
    expect(j).toMatchObject({ status: "diverged", skipped_steps: 100, checkpoint: null });
    expect(j.reason.why).toBe("too-many-skipped");
    expect(existsSync(path.join(out, "weights.json"))).toBe(false);
  });

  it("reports a completed run's status and skipped steps in --json", async () => {
    const out = path.join(dir, "fine");
    const r = await train("--out", out, "--json", "--quiet", "--on-nan", "skip");
    expect(r.code).toBe(0);
    expect(jsonOf(r.stdout)).toMatchObject({ status: "completed", skipped_steps: 0 });
  });

  it("rejects a data value beyond float32 at its line and column", async () => {
    const bad = path.join(dir, "big.csv");
    writeFileSync(bad, "0.5,1\n1e39,2\n");
    const r = await vae("train", MODEL, "--data", bad, "--out", path.join(dir, "big"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:1: error[data-bad-value]: value '1e39' is not a finite`);
  });
});

describe("run folder lock and metrics", () => {
  it("appends metrics.jsonl across runs instead of emptying it", async () => {
    const out = path.join(dir, "append");
    expect((await train("--out", out, "--quiet")).code).toBe(0);
    expect((await train("--out", out, "--quiet", "--epochs", "3")).code).toBe(0);
    expect(metricLines(out).map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 1, 2, 3]);
    expect(existsSync(path.join(out, "train.lock"))).toBe(false);
  });

  it("refuses a second writer while a live process holds the lock", async () => {
    const out = path.join(dir, "locked");
    mkdirSync(out, { recursive: true });
    // This process is alive: the lock is held.
    writeFileSync(path.join(out, "train.lock"), `${process.pid}\n`);
    const r = await train("--out", out, "--quiet");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error[run-folder-locked]: run folder '${out}' is in use by process ${process.pid}`,
    );
    expect(existsSync(path.join(out, "metrics.jsonl"))).toBe(false);
    expect(readFileSync(path.join(out, "train.lock"), "utf8")).toBe(`${process.pid}\n`);
  });

  it("takes over the stale lock of a process that no longer runs, with a note", async () => {
    const out = path.join(dir, "stale");
    mkdirSync(out, { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(path.join(out, "train.lock"), `${dead}\n`);
    const r = await train("--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`note: took over the lock of process ${dead}`);
    expect(existsSync(path.join(out, "train.lock"))).toBe(false);
    expect((await loadCheckpoint(out)).value).toBeDefined();
  });
});
