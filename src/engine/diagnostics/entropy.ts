import type { Dataset } from "../../data/types.js";
import type { ValueKind } from "../../ir/types.js";
import type { EntropySource } from "./types.js";

/**
 * Plug-in entropy of the rows of a discrete dataset, −Σ_x p̂(x) log p̂(x) with p̂ the
 * empirical frequencies: the exact entropy of the empirical distribution the metrics
 * average over. When every row is distinct (e.g. MNIST) it is log N.
 */
export function empiricalEntropy(ds: Dataset): number {
  const counts = new Map<string, number>();
  for (let r = 0; r < ds.rows; r++) {
    const row = ds.values.subarray(r * ds.dim, (r + 1) * ds.dim);
    // Discrete values are small integers, so one UTF-16 unit per value is a faithful key.
    const key = String.fromCharCode(...Array.from(row, (v) => v & 0xffff));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / ds.rows;
    h -= p * Math.log(p);
  }
  return h;
}

/**
 * H for the bounds: the dataset's exact entropy when known, else the plug-in entropy of
 * the rows for discrete data (binary, categorical), else (real or unit data) unknown.
 */
export function dataEntropy(
  kind: ValueKind,
  known: number | null | undefined,
  ds: Dataset,
): { value: number; source: EntropySource } | null {
  if (known !== null && known !== undefined) return { value: known, source: "exact" };
  if (kind === "real" || kind === "unit" || ds.rows === 0) return null;
  return { value: empiricalEntropy(ds), source: "empirical" };
}
