import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EpochMetrics } from "../engine/types.js";

export interface MetricsLog {
  append(m: EpochMetrics): void;
  close(): Promise<void>;
}

/**
 * `metrics.jsonl` in the run directory, one JSON object per epoch, written as each epoch
 * ends so a long run can be watched. The writes are synchronous on purpose: the training
 * loop may not yield to the event loop between epochs, and queued asynchronous writes
 * would then only land when training ends (or never, if it is interrupted).
 */
export async function openMetricsLog(dir: string): Promise<MetricsLog> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "metrics.jsonl");
  writeFileSync(file, "");
  return {
    append(m) {
      appendFileSync(file, JSON.stringify(m) + "\n");
    },
    async close() {},
  };
}
