// Wall-clock measurements of the commands that look at models: `vae compare` in parallel
// against the same runs one after another, and `vae sample` / `vae reconstruct` on a
// trained MNIST model. Each is a whole `node bin/vae.js …` process, as a user runs it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { median } from "./stats.mjs";

/** Runs `vae ARGS` from the package root; returns its wall time and exit status. */
function timed(root, args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["bin/vae.js", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 1200_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  const tail = (r.stderr ?? "").trim().split("\n").slice(-2).join(" / ");
  return {
    seconds,
    status: r.status,
    error: r.status === 0 ? undefined : tail || `exit ${r.status}`,
  };
}

/**
 * `vae compare` of `plan.objectives` with `--jobs jobs` against `--jobs 1` (the same runs one
 * after another), each into a fresh folder so nothing is cached. Returns the run folder of
 * one trained model for the inspection timings.
 */
export function measureCompare(root, plan, jobs, log) {
  const base = mkdtempSync(join(os.tmpdir(), "vae-bench-compare-"));
  const args = (out, j) => [
    "compare",
    plan.file,
    ...plan.objectives.flatMap((o) => ["--objective", o]),
    "--epochs",
    String(plan.epochs),
    "--jobs",
    String(j),
    "--out",
    out,
  ];
  const parallel = [];
  const sequential = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    log(`vae compare, ${plan.objectives.length} runs, --jobs ${jobs} (rep ${rep + 1})`);
    parallel.push(timed(root, args(join(base, `parallel-${rep}`), jobs)));
    log(`vae compare, ${plan.objectives.length} runs, --jobs 1 (rep ${rep + 1})`);
    sequential.push(timed(root, args(join(base, `sequential-${rep}`), 1)));
  }
  const failed = [...parallel, ...sequential].find((r) => r.status !== 0);
  const runs = join(base, "parallel-0", "runs");
  const keys = failed ? [] : readdirSync(runs);
  return {
    base,
    checkpoint: keys.length > 0 ? join(runs, keys[0]) : null,
    result: failed
      ? { error: failed.error }
      : {
          runs: plan.objectives.length,
          jobs,
          parallel_seconds: median(parallel.map((r) => r.seconds)),
          sequential_seconds: median(sequential.map((r) => r.seconds)),
          all: {
            parallel: parallel.map((r) => r.seconds),
            sequential: sequential.map((r) => r.seconds),
          },
        },
  };
}

/** Median wall time of `vae sample` and `vae reconstruct` on a run folder, after a warm-up. */
export function measureInspect(root, checkpoint, reps, log) {
  const out = mkdtempSync(join(os.tmpdir(), "vae-bench-inspect-"));
  const commands = {
    sample: ["sample", "--checkpoint", checkpoint, "-n", "64", "--out", join(out, "s.png")],
    reconstruct: [
      "reconstruct",
      "--checkpoint",
      checkpoint,
      "-n",
      "16",
      "--out",
      join(out, "r.png"),
    ],
  };
  const result = {};
  for (const [name, args] of Object.entries(commands)) {
    log(`vae ${name} × ${reps + 1}`);
    timed(root, args);
    const runs = Array.from({ length: reps }, () => timed(root, args));
    const failed = runs.find((r) => r.status !== 0);
    result[name] = failed
      ? { error: failed.error }
      : { seconds: median(runs.map((r) => r.seconds)), all: runs.map((r) => r.seconds) };
  }
  rmSync(out, { recursive: true, force: true });
  return result;
}
