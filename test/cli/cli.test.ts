import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";

/** Runs the CLI in-process and captures what it prints. */
async function vae(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const tmp = () => mkdtempSync(path.join(tmpdir(), "vae-cli-"));

describe("vae check", () => {
  it("accepts every example", async () => {
    for (const f of [
      "mnist-vae",
      "beta-vae",
      "infomax",
      "broken-elbo-toy",
      "gaussian-vae",
      "linear-vae",
    ]) {
      const r = await vae("check", `examples/${f}.vae`);
      expect(r, f).toMatchObject({ code: 0, stderr: "" });
      expect(r.stdout).toContain(": ok — model");
    }
  });

  it("emits the IR as JSON", async () => {
    const r = await vae("check", "examples/mnist-vae.vae", "--emit", "ir");
    const ir = JSON.parse(r.stdout);
    expect(ir.latent).toEqual({ name: "z", kind: "real", shape: [20] });
    expect(ir.objective.linear).toEqual({ distortion: 1, rate: 1, entropy: 0, constant: 0 });
  });

  it("renders several errors with carets and exits 1, without a stack trace", async () => {
    const dir = tmp();
    const f = path.join(dir, "bad.vae");
    writeFileSync(
      f,
      `model M {
  data x: binary[784]
  latent z: real[20]
  net enc = mlp(784 -> 400 -> (loc: 20, log_scale: 20))
  net dec = mlp(20 -> 400 -> 784)
  prior p(z) = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Gaussian(logits: dec(z))
  objective elbo
  train { optimizer: adamw(lr: 0.1) }
}
`,
    );
    const r = await vae("check", f);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:8:20: error[unknown-distribution]`);
    expect(r.stderr).toContain(`${f}:10:22: error[unknown-optimizer]`);
    expect(r.stderr).toMatch(
      /\n8 \|   decoder p\(x\|z\) = Gaussian\(logits: dec\(z\)\)\n {2}\| {20}\^{8}/,
    );
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("points into a command-line objective", async () => {
    const r = await vae("check", "examples/mnist-vae.vae", "--objective", "beta_vae(bta: 2)");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("<command line>:1:1: error[objective-argument-mismatch]");
    expect(r.stderr).toContain("beta_vae(bta: 2)");
  });

  it("reports a missing file", async () => {
    const r = await vae("check", "no/such/file.vae");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[file-not-found]");
  });

  it("reports command-line mistakes as diagnostics", async () => {
    const r = await vae("train", "examples/mnist-vae.vae", "--epochs", "zero");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "vae: error[invalid-option]: option --epochs: expects an integer ≥ 1, got 'zero'",
    );
  });
});

describe("usage", () => {
  it("prints the overview and each command's usage on stdout with status 0", async () => {
    const top = await vae("--help");
    expect(top).toMatchObject({ code: 0, stderr: "" });
    for (const c of [
      "check",
      "explain",
      "train",
      "eval",
      "sample",
      "reconstruct",
      "encode",
      "traverse",
      "codegen",
      "datasets",
    ])
      expect(top.stdout).toMatch(new RegExp(`\\n  ${c} .*\\S`));
    const train = await vae("train", "--help");
    expect(train).toMatchObject({ code: 0, stderr: "" });
    expect((await vae("help", "train")).stdout).toBe(train.stdout);
    for (const flag of [
      "--data",
      "--epochs",
      "--batch",
      "--lr",
      "--samples",
      "--seed",
      "--optimizer",
      "--estimator",
      "--kl",
      "--warmup",
      "--free-bits",
      "--anneal",
      "--weight-prior",
      "--backend",
      "--workers",
      "--out",
      "--on-nan",
      "--json",
      "--quiet",
    ])
      expect(train.stdout, flag).toMatch(new RegExp(`\\n  ${flag}( <[^>]+>)? +\\S`));
    expect(train.stdout).toContain("Examples:\n  $ vae train ");
    expect(train.stdout.replace(/\s+/g, " ")).toContain(
      "--epochs <N> passes over the training set (default: the file's, else 10)",
    );
  });

  it("reports a bad value of any flag as invalid-option naming it, even a negative number", async () => {
    const r = await vae("train", "examples/mnist-vae.vae", "--epochs", "-1");
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe(
      "vae: error[invalid-option]: option --epochs: expects an integer ≥ 1, got '-1'\n" +
        "Run 'vae train --help' for usage.\n",
    );
    const out = await vae("train", "examples/mnist-vae.vae", "--out", "");
    expect(out.stderr).toContain("option --out: expects a path, got ''");
    const u = await vae("eval", "examples/mnist-vae.vae", "--checkpoint", "d", "--iww", "3");
    expect(u.code).toBe(1);
    expect(u.stderr).toContain("option --iww: is not an option of 'vae eval' (did you mean --iw?)");
  });
});

describe("vae codegen", () => {
  it("writes a standalone module, and refuses what it cannot translate", async () => {
    const out = path.join(tmp(), "model.ts");
    const r = await vae("codegen", "examples/linear-vae.vae", "--out", out);
    expect(r.code).toBe(0);
    const code = readFileSync(out, "utf8");
    expect(code).toContain('import * as tf from "@tensorflow/tfjs";');
    expect(code).toMatch(/export function loss\(/);
    const bad = await vae("codegen", "examples/mixture-prior.vae");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error[codegen-unsupported]");
  });
});

describe("vae train and eval", () => {
  it("trains the toy model, writes a checkpoint and metrics, and evaluates it", async () => {
    const out = tmp();
    const r = await vae(
      "train",
      "examples/broken-elbo-toy.vae",
      "--objective",
      "elbo",
      "--epochs",
      "3",
      "--out",
      out,
      "--json",
      "--quiet",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(last).toMatchObject({ objective: "elbo", epochs: 3 });
    for (const split of ["train", "test"]) {
      const m = last[split];
      // ELBO = −(D + R) exactly under enumeration, and R ≥ 0, D ≥ 0 for categorical data.
      expect(m.elbo).toBeCloseTo(-(m.distortion + m.rate), 4);
      expect(m.rate).toBeGreaterThanOrEqual(-1e-6);
      expect(m.loss).toBeCloseTo(m.distortion + m.rate, 4);
    }
    expect(last.samples_per_second).toBeGreaterThan(0);
    const lines = readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 3]);
    for (const f of ["spec.vae", "ir.json", "weights.json", "config.json"])
      expect(existsSync(path.join(out, f))).toBe(true);

    const e = await vae("eval", "examples/broken-elbo-toy.vae", "--checkpoint", out, "--json");
    expect(e.code).toBe(0);
    const m = JSON.parse(e.stdout.trim().split("\n").pop()!);
    // Enumeration is exact, so evaluating the saved weights reproduces the last epoch's test metrics.
    expect(m.elbo).toBeCloseTo(last.test.elbo, 3);
    expect(m.rows).toBe(10000);
  });

  it("trains with --workers 2: two replicas, and the saved weights reproduce the metrics", async () => {
    const out = tmp();
    const r = await vae(
      "train",
      "examples/broken-elbo-toy.vae",
      "--epochs",
      "2",
      "--workers",
      "2",
      "--backend",
      "wasm",
      "--out",
      out,
      "--json",
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/workers: 2 data-parallel replicas/);
    const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(last).toMatchObject({ workers: 2, epochs: 2, backend: "wasm" });
    const e = await vae("eval", "examples/broken-elbo-toy.vae", "--checkpoint", out, "--json");
    expect(e.code).toBe(0);
    // The test split was evaluated by both replicas (half the batches each) during
    // training, and by one thread here: the same exact sums, in another order.
    expect(JSON.parse(e.stdout.trim().split("\n").pop()!).elbo).toBeCloseTo(last.test.elbo, 4);
  });

  it("rejects a checkpoint of another model", async () => {
    const out = tmp();
    expect(
      (await vae("train", "examples/broken-elbo-toy.vae", "--epochs", "1", "--out", out, "--quiet"))
        .code,
    ).toBe(0);
    const e = await vae("eval", "examples/mnist-vae.vae", "--checkpoint", out);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain("error[checkpoint-invalid]");
  });

  it("points at the bad value in a data file", async () => {
    const dir = tmp();
    const data = path.join(dir, "bad.csv");
    writeFileSync(data, "3\n7\n31\n4\n");
    const r = await vae("train", "examples/broken-elbo-toy.vae", "--data", data, "--epochs", "1");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${data}:3:1: error[data-bad-value]`);
    expect(r.stderr).toContain("3 | 31");
  });

  it("checks --estimator and --kl like train { } entries, pointing into the flag", async () => {
    const r = await vae("train", "examples/broken-elbo-toy.vae", "--estimator", "reparam");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--estimator:1:1: error[estimator-not-applicable]");
    expect(r.stderr).toContain("estimator: enumerate or estimator: score");
    const k = await vae("train", "examples/mnist-vae.vae", "--kl", "montecarlo");
    expect(k.code).toBe(1);
    expect(k.stderr).toContain("--kl:1:1: error[invalid-train-value]");
  });

  it("rejects --workers 0 and --workers x before reading the file, like --batch 0", async () => {
    const batch = await vae("train", "examples/mnist-vae.vae", "--batch", "0");
    for (const n of ["0", "x"]) {
      const r = await vae("train", "examples/mnist-vae.vae", "--workers", n);
      expect(r.code).toBe(batch.code);
      expect(r.stderr).toContain(
        `vae: error[invalid-option]: option --workers: expects an integer ≥ 1, got '${n}'`,
      );
    }
    expect(batch.code).toBe(1);
  });

  it("checks every train { } flag like the file's entries, pointing into the flag", async () => {
    const r = await vae(
      "train",
      "examples/mnist-vae.vae",
      "--warmup",
      "-1",
      "--free-bits",
      "0",
      "--weight-prior",
      "normal(scale: 0)",
      "--optimizer",
      "adamw",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--optimizer:1:1: error[unknown-optimizer]");
    expect(r.stderr).toContain("--warmup:1:1: error[invalid-train-value]");
    expect(r.stderr).toContain("--free-bits:1:1: error[invalid-train-value]");
    expect(r.stderr).toContain("--weight-prior:1:1: error[invalid-train-value]");
    // elbo has no anneal(...) for --anneal to scale: refused before any training.
    const a = await vae("train", "examples/mnist-vae.vae", "--anneal", "2");
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("--anneal:1:1: error[train-option-no-effect]");
  });

  it("trains with the train { } flags, and the checkpoint's config records them", async () => {
    const out = tmp();
    const r = await vae(
      "train",
      "examples/broken-elbo-toy.vae",
      "--objective",
      "elbo",
      "--epochs",
      "1",
      "--optimizer",
      "sgd",
      "--warmup",
      "0.5",
      "--free-bits",
      "0.25",
      "--weight-prior",
      "normal(scale: 2)",
      "--out",
      out,
      "--quiet",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(path.join(out, "config.json"), "utf8"));
    expect(config.train).toMatchObject({
      optimizer: { name: "sgd", lr: 0.01 },
      warmup: 0.5,
      freeBits: 0.25,
      weightPrior: { kind: "normal", scale: 2 },
      epochs: 1,
    });
  });

  it("asks for --data when the model names no dataset", async () => {
    const r = await vae("train", "examples/gaussian-vae.vae");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[invalid-option]: option --data");
  });
});
