import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../package-root.js";
import type { PlannedRun, RunProgress, RunRecord, WorkerMessage } from "./types.js";

/**
 * The compiled worker script. The package runs from dist/src (installed CLI) or from src/
 * (the test runner), and the child must be plain JavaScript either way: the sibling .js
 * when it exists, else the one `npm run build` wrote to dist/.
 */
export function runWorkerPath(): string {
  const here = fileURLToPath(new URL("./run-worker.js", import.meta.url));
  if (existsSync(here)) return here;
  const built = path.join(packageRoot(), "dist/src/compare/run-worker.js");
  if (!existsSync(built))
    throw new Error(`vae compare needs the compiled sources (${built}); run 'npm run build'`);
  return built;
}

/** Runs one planned run to its record; a failure is a record with status "failed". */
export type RunLauncher = (
  run: PlannedRun,
  onProgress: (p: RunProgress) => void,
) => Promise<RunRecord>;

export function failedRecord(run: PlannedRun, reason: string): RunRecord {
  return {
    key: run.key,
    objective: run.objective,
    sweep: run.sweep,
    seed: run.train.seed,
    seedIndex: run.seedIndex,
    status: "failed",
    reason,
    metrics: null,
    evaluated: null,
    history: [],
    cached: false,
  };
}

/** A child process per run (see run-worker.ts); a crash or an early exit is a failed record. */
export const forkedLauncher: RunLauncher = (run, onProgress) =>
  new Promise((resolve) => {
    let settled = false;
    let stderr = "";
    const settle = (r: RunRecord) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const child: ChildProcess = fork(runWorkerPath(), [], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    child.stderr?.on("data", (b: Buffer) => {
      // The last few kilobytes are enough to say why a process died.
      stderr = (stderr + b.toString()).slice(-4000);
    });
    child.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") onProgress(m.progress);
      else if (m.type === "done") settle(m.record);
      else settle(failedRecord(run, m.reason));
    });
    child.on("error", (e) => settle(failedRecord(run, `could not start: ${e.message}`)));
    // "close", not "exit": it comes after the IPC channel has delivered every message.
    child.on("close", (code, signal) => {
      const last = stderr.trim().split("\n").slice(-3).join(" | ");
      settle(
        failedRecord(
          run,
          `process ended (${signal ?? `exit ${code}`}) before finishing` +
            (last ? `: ${last}` : ""),
        ),
      );
    });
    child.send({ run });
  });

/**
 * Runs `runs` with at most `jobs` at once, in plan order, and returns their records in
 * the same order. Every run ends in a record: one failing never stops the others.
 */
export async function runAll(
  runs: readonly PlannedRun[],
  jobs: number,
  launch: RunLauncher,
  hooks: {
    onStart?(run: PlannedRun): void;
    onProgress?(run: PlannedRun, p: RunProgress): void;
    onEnd?(run: PlannedRun, r: RunRecord): void;
  } = {},
): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array(runs.length);
  let next = 0;
  const lane = async () => {
    while (next < runs.length) {
      const i = next++;
      const run = runs[i]!;
      hooks.onStart?.(run);
      let record: RunRecord;
      try {
        record = await launch(run, (p) => hooks.onProgress?.(run, p));
      } catch (e) {
        record = failedRecord(run, e instanceof Error ? e.message : String(e));
      }
      records[i] = record;
      hooks.onEnd?.(run, record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, runs.length)) }, lane));
  return records;
}
