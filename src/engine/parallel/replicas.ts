import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Dataset } from "../../data/types.js";
import type { ModelIR, TrainIR } from "../../ir/types.js";
import { packageRoot } from "../../package-root.js";
import type { TrainRunOptions } from "../train.js";
import { ReplicaAbortedError, SharedLink, sharedLinkBytes, type ReplicaLink } from "./link.js";

/** What every worker replica needs to build the same model and data as replica 0. */
export interface ReplicaSetup {
  ir: ModelIR;
  /** With `backend` the name replica 0 runs on (never "auto"). */
  config: TrainIR;
  train: Dataset;
  heldOut: Dataset | null;
  entropy: number | null;
  run: TrainRunOptions;
  world: number;
  /** Float32 values of all trainable variables (the gradient exchanged each step). */
  floats: number;
}

/** The message a worker replica starts from (replica-worker.ts). */
export interface ReplicaInit extends ReplicaSetup {
  rank: number;
  buffer: SharedArrayBuffer;
}

export type ReplicaMessage =
  | { kind: "ready" }
  | { kind: "done"; checksum: number }
  | { kind: "error"; message: string; stack?: string };

export interface ReplicaGroup {
  /** Replica 0's end of the shared buffer. */
  link: ReplicaLink;
  /** Waits for every worker to finish; throws when one ended with other weights. */
  finish(checksum: number): Promise<void>;
  /** What to report for `e`, thrown on this thread: a worker's own error when one failed. */
  failure(e: unknown): Promise<unknown>;
  terminate(): void;
}

/**
 * A compiled worker entry of this folder (`replica-worker.js`, `eval-worker.js`). Under the
 * test runner this module is TypeScript source, and the workers run from dist/.
 */
export function compiledWorkerUrl(file: string): URL {
  const here = new URL(`./${file}`, import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = path.join(packageRoot(), "dist/src/engine/parallel", file);
  if (!existsSync(built)) {
    throw new Error(`worker replicas need the compiled sources (${built}); run 'npm run build'`);
  }
  return pathToFileURL(built);
}

/** The rows in shared memory, so that workers read them without a copy each. */
export function sharedRows(ds: Dataset): Dataset {
  if (ds.values.buffer instanceof SharedArrayBuffer) return ds;
  const n = ds.rows * ds.dim;
  const values = new Float32Array(new SharedArrayBuffer(n * 4));
  values.set(ds.values.subarray(0, n));
  return { ...ds, values };
}

/**
 * Starts replicas 1 … world − 1 in worker threads, each building the model from the same
 * IR and seed (hence the same initial weights) and uploading the same rows; resolves when
 * all are ready to take their first step.
 */
export async function startReplicas(setup: ReplicaSetup): Promise<ReplicaGroup> {
  const buffer = new SharedArrayBuffer(sharedLinkBytes(setup.world, setup.floats));
  const link = new SharedLink(buffer, 0, setup.world, setup.floats);
  const base = {
    ...setup,
    train: sharedRows(setup.train),
    heldOut: setup.heldOut === null ? null : sharedRows(setup.heldOut),
  };
  const url = compiledWorkerUrl("replica-worker.js");
  const workers: Worker[] = [];
  const errors: Error[] = [];
  const done = new Map<number, Promise<ReplicaMessage>>();
  const ready: Promise<void>[] = [];
  for (let rank = 1; rank < setup.world; rank++) {
    const worker = new Worker(url, { workerData: { ...base, rank, buffer } satisfies ReplicaInit });
    workers.push(worker);
    ready.push(
      new Promise<void>((resolve, reject) => {
        let started = false;
        let finished: (m: ReplicaMessage) => void = () => {};
        done.set(rank, new Promise((r) => (finished = r)));
        const fail = (message: string, stack?: string) => {
          const e = new Error(`worker replica ${rank}: ${message}`);
          if (stack !== undefined) e.stack = `${e.message}\n${stack}`;
          errors.push(e);
          link.abort();
          finished({ kind: "error", message });
          if (!started) reject(e);
        };
        worker.on("message", (m: ReplicaMessage) => {
          if (m.kind === "ready") {
            started = true;
            resolve();
          } else if (m.kind === "done") finished(m);
          else fail(m.message, m.stack);
        });
        worker.on("error", (e) => fail(e.message, e.stack));
        worker.on("exit", (code) => {
          if (code !== 0) fail(`exited with code ${code}`);
        });
      }),
    );
  }
  const terminate = () => {
    for (const w of workers) void w.terminate();
  };
  try {
    await Promise.all(ready);
  } catch (e) {
    terminate();
    throw e;
  }
  return {
    link,
    terminate,
    async finish(checksum) {
      for (const [rank, p] of done) {
        const m = await p;
        if (m.kind === "error") throw errors[0]!;
        if (m.kind === "done" && m.checksum !== checksum) {
          throw new Error(`worker replica ${rank} ended with different weights`);
        }
      }
    },
    async failure(e) {
      link.abort();
      if (!(e instanceof ReplicaAbortedError)) return e;
      // The worker's own report may still be queued behind this thread's work.
      for (let i = 0; i < 50 && errors.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return errors[0] ?? e;
    },
  };
}
