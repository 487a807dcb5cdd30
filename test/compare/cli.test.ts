import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { runLine, runFraction } from "../../src/cli/compare-progress.js";

function io() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

it("vae compare: flag mistakes are coded diagnostics pointing into the flags", async () => {
  const { out, io: cli } = io();
  const status = await runCli(
    [
      "compare",
      "examples/broken-elbo-toy.vae",
      "--objective",
      "elbo",
      "--sweep",
      "beta_vae(beta: 1..4 log 1)",
      "--jobs",
      "0",
    ],
    cli,
  );
  expect(status).toBe(1);
  expect(out.stderr).toContain(
    "error[compare-count-invalid]: option --jobs must be a positive whole number, found '0'",
  );
  expect(out.stderr).toContain("--sweep:1:25: error[sweep-too-few-values]");
  expect(out.stderr).not.toMatch(/at .*\.ts:\d+/);

  const file = path.join(mkdtempSync(path.join(tmpdir(), "vae-compare-out-")), "a-file");
  writeFileSync(file, "");
  const bad = io();
  expect(
    await runCli(
      ["compare", "examples/broken-elbo-toy.vae", "--out", path.join(file, "x")],
      bad.io,
    ),
  ).toBe(1);
  expect(bad.out.stderr).toMatch(/^vae: error\[invalid-option\]: option --out: cannot create/);
});

it("vae compare trains, prints the table and writes the report; a second call is all cached", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "vae-compare-cli-"));
  const csv = path.join(dir, "points.csv");
  writeFileSync(
    csv,
    Array.from(
      { length: 200 },
      (_, i) => `${Math.sin(i).toFixed(3)},${Math.cos(i * 3).toFixed(3)}`,
    ).join("\n"),
  );
  const spec = path.join(dir, "m.vae");
  writeFileSync(
    spec,
    `model M {
      data x: real[2]
      latent z: real[1]
      net enc = mlp(2 -> 4 -> (loc: 1, log_scale: 1), activation: tanh)
      net dec = mlp(1 -> 4 -> 2, activation: tanh)
      prior p(z) = Normal(loc: 0, scale: 1)
      encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
      decoder p(x|z) = Normal(loc: dec(z), scale: 1)
      train { batch: 50 epochs: 1 }
    }`,
  );
  const argv = [
    "compare",
    spec,
    "--data",
    csv,
    "--sweep",
    "beta_vae(beta: [0.5, 2])",
    "--out",
    path.join(dir, "out"),
  ];
  const first = io();
  expect(await runCli(argv, first.io)).toBe(0);
  expect(first.out.stdout).toMatch(/^objective\s+ok\s+R\s+D\s+ELBO\s+log p\(x\)/);
  expect(first.out.stdout).toMatch(/beta_vae\(beta: 0\.5\)\s+1\/1/);
  expect(first.out.stderr).toContain("2 run(s): 0 cached, 2 to train");
  expect(first.out.stderr).toMatch(/done beta_vae\(beta: 2\), seed 0: R /);
  expect(first.out.stderr).toContain("report.html");
  const second = io();
  expect(await runCli(argv, second.io)).toBe(0);
  expect(second.out.stderr).toContain("2 run(s): 2 cached, 0 to train");
  expect(second.out.stdout).toBe(first.out.stdout);
});

it("progress lines: fraction from step counts, ETA from the elapsed time", () => {
  const p = {
    epoch: 2,
    epochs: 4,
    step: 5,
    stepsPerEpoch: 10,
    loss: 1,
    rate: 0.5,
    elapsedSeconds: 30,
  };
  expect(runFraction(p)).toBe(15 / 40);
  const run = { objective: "elbo", train: { seed: 3 } } as Parameters<typeof runLine>[0];
  // 15 of 40 steps in 30 s: 25 steps left at 2 s each.
  expect(runLine(run, p)).toBe("  elbo, seed 3: epoch 2/4, R 0.50, ETA 00:50");
});
