import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { RunRecord } from "./types.js";

export const RESULT_FILE = "result.json";

/**
 * The finished run in `dir`, or null when there is none: no result.json, or one that is
 * not a well-formed successful record of this key (a half-written or foreign file is
 * trained again, never trusted).
 */
export function readCachedRecord(dir: string, key: string): RunRecord | null {
  const file = path.join(dir, RESULT_FILE);
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
  if (!isRecord(parsed) || parsed.key !== key || parsed.status !== "ok") return null;
  return { ...parsed, cached: true };
}

function isRecord(v: unknown): v is RunRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Partial<RunRecord>;
  const m = r.metrics;
  return (
    typeof r.key === "string" &&
    typeof r.objective === "string" &&
    typeof r.seed === "number" &&
    typeof r.seedIndex === "number" &&
    Array.isArray(r.history) &&
    typeof m === "object" &&
    m !== null &&
    [m.rate, m.distortion, m.elbo, m.loss, m.train_seconds].every(
      (x) => typeof x === "number" && Number.isFinite(x),
    ) &&
    typeof m.mutual_info === "object" &&
    m.mutual_info !== null
  );
}

/** Writes result.json through a temporary file and a rename, so a reader never sees half of it. */
export async function writeRecordAtomically(dir: string, record: RunRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${RESULT_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify({ ...record, cached: false }, null, 1) + "\n");
  await rename(tmp, path.join(dir, RESULT_FILE));
}
