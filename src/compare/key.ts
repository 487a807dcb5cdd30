import { createHash } from "node:crypto";

/** Everything a run's result depends on; a change in any of them trains the run again. */
export interface KeyIngredients {
  source: string;
  model: string;
  objective: string;
  seed: number;
  epochs: number;
  dataset: string;
  batch: number;
  lr: number;
  samples: number;
  iw: number;
  evalRows: number;
  version: string;
}

/** Hex characters of a run key: 48 bits, so a collision among a few thousand runs is ~1e-8. */
export const KEY_LENGTH = 12;

/** The cache key of a run: a short SHA-256 of its ingredients, in a fixed order. */
export function runKey(k: KeyIngredients): string {
  const fields = [
    k.version,
    k.source,
    k.model,
    k.objective,
    k.seed,
    k.epochs,
    k.dataset,
    k.batch,
    k.lr,
    k.samples,
    k.iw,
    k.evalRows,
  ];
  return sha256Hex(JSON.stringify(fields)).slice(0, KEY_LENGTH);
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
