import { appendFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import type { EpochMetrics } from "../engine/types.js";

export interface MetricsLog {
  append(m: EpochMetrics): void;
  close(): Promise<void>;
}

/**
 * `metrics.jsonl` in the run directory, one JSON object per epoch, written as each epoch
 * ends so a long run can be watched. A new run appends to the lines of earlier runs in the
 * same folder rather than emptying the file: they are the only record of those runs. The
 * writes are synchronous on purpose: the training loop may not yield to the event loop
 * between epochs, and queued asynchronous writes would then only land when training ends
 * (or never, if it is interrupted). Only one run writes at a time (see run-lock.ts).
 */
export async function openMetricsLog(dir: string): Promise<MetricsLog> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "metrics.jsonl");
  // Created now, so that a run that ends before its first epoch still leaves the file.
  appendFileSync(file, "");
  return {
    append(m) {
      appendFileSync(file, JSON.stringify(m) + "\n");
    },
    async close() {},
  };
}
