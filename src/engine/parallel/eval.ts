import { Worker } from "node:worker_threads";
import type { Dataset } from "../../data/types.js";
import type { ModelIR } from "../../ir/types.js";
import { importanceRowBlock, type ImportanceOptions } from "../diagnostics/log-likelihood.js";
import type { NamedWeights } from "../types.js";
import { compiledWorkerUrl, sharedRows } from "./replicas.js";

/** What an evaluation worker (eval-worker.ts) needs: the model, its weights, its rows. */
export interface EvalWorkerInit {
  ir: ModelIR;
  weights: NamedWeights;
  rows: Dataset;
  /** The backend the calling thread runs on (never "auto"). */
  backend: string;
  /** Seed of compileModel (the weights are then overwritten). */
  seed: number;
  /** The part of `rows` to evaluate: [from, to). */
  from: number;
  to: number;
  importance: ImportanceOptions;
}

export type EvalWorkerMessage =
  { kind: "done"; values: Float64Array } | { kind: "error"; message: string };

/**
 * Per-row importance-sampled log p(x) of all rows of `rows`, split into `workers` parts:
 * the first computed by `local(from, to)` on this thread, the others by worker threads
 * with the same model and weights. The parts start at multiples of importanceRowBlock
 * and draws are seeded by the row's index in the split, so the values are those of a
 * single-threaded run, bit for bit.
 */
export async function importanceLogLikelihoodOnWorkers(
  setup: Omit<EvalWorkerInit, "from" | "to">,
  workers: number,
  local: (from: number, to: number) => Promise<Float64Array>,
): Promise<Float64Array> {
  const n = setup.rows.rows;
  const block = importanceRowBlock(setup.importance.samples, setup.importance.maxLatentRows);
  const blocks = Math.ceil(n / block);
  const bounds = Array.from({ length: workers + 1 }, (_, i) =>
    Math.min(n, Math.round((i * blocks) / workers) * block),
  );
  const rows = sharedRows(setup.rows);
  const url = compiledWorkerUrl("eval-worker.js");
  const started: Worker[] = [];
  const remote = bounds.slice(1, -1).map((from, i) => {
    const to = bounds[i + 2]!;
    if (to === from) return Promise.resolve(new Float64Array(0));
    const init: EvalWorkerInit = { ...setup, rows, from, to };
    const worker = new Worker(url, { workerData: init });
    started.push(worker);
    return new Promise<Float64Array>((resolve, reject) => {
      worker.once("message", (m: EvalWorkerMessage) => {
        if (m.kind === "done") resolve(m.values);
        else reject(new Error(`evaluation worker: ${m.message}`));
      });
      worker.once("error", reject);
      worker.once("exit", (code) => {
        if (code !== 0) reject(new Error(`evaluation worker exited with code ${code}`));
      });
    });
  });
  try {
    const parts = [await local(bounds[0]!, bounds[1]!), ...(await Promise.all(remote))];
    const out = new Float64Array(n);
    parts.forEach((p, i) => out.set(p, bounds[i]!));
    return out;
  } finally {
    for (const w of started) void w.terminate();
  }
}
