import type { ModelIR } from "../ir/types.js";
import type { NamedWeights } from "./types.js";
import { weightMismatches } from "./weights.js";

/** The parts of a model that its weights mean something for; objective and training may differ. */
const MODEL_PARTS = ["data", "latent", "params", "nets", "prior", "encoder", "decoder"] as const;

/** JSON with sorted keys, so that two IRs written by different runs compare as text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * Why a checkpoint cannot stand for the model `ir`: one line per part of the model that
 * differs from the checkpoint's (its variables, params, nets and distributions; a weight
 * of the right shape under another activation or family would otherwise load silently),
 * then any weight that does not fit. Empty when the checkpoint fits. Pure (no tfjs).
 */
export function checkpointFitProblems(
  ir: ModelIR,
  checkpoint: { ir: ModelIR; weights: NamedWeights },
): string[] {
  const problems: string[] = [];
  for (const part of MODEL_PARTS) {
    if (canonical(ir[part]) !== canonical(checkpoint.ir[part]))
      problems.push(
        part === "params" || part === "nets"
          ? `its ${part} differ from model '${ir.name}'`
          : `its ${part} declaration differs from model '${ir.name}'`,
      );
  }
  return [...problems, ...weightMismatches(ir, checkpoint.weights)];
}
