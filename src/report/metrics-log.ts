import { mkdir, open, type FileHandle } from "node:fs/promises";
import * as path from "node:path";
import type { EpochMetrics } from "../engine/types.js";

export interface MetricsLog {
  append(m: EpochMetrics): void;
  close(): Promise<void>;
}

/**
 * `metrics.jsonl` in the run directory, one JSON object per epoch, written as each epoch
 * ends so a long run can be watched (and survives being interrupted).
 */
export async function openMetricsLog(dir: string): Promise<MetricsLog> {
  await mkdir(dir, { recursive: true });
  const fh: FileHandle = await open(path.join(dir, "metrics.jsonl"), "w");
  let pending: Promise<unknown> = Promise.resolve();
  return {
    append(m) {
      pending = pending.then(() => fh.appendFile(JSON.stringify(m) + "\n"));
    },
    async close() {
      await pending;
      await fh.close();
    },
  };
}
