import { modelWeightSpecs } from "../backends/tfjs/layout.js";
import type { ModelIR } from "../ir/types.js";
import type { NamedWeights } from "./types.js";

/**
 * Why `weights` cannot be loaded into a model compiled from `ir`: one line per missing,
 * unexpected or misshapen tensor; empty when they fit. Pure (no tfjs).
 */
export function weightMismatches(ir: ModelIR, weights: NamedWeights): string[] {
  const problems: string[] = [];
  const specs = modelWeightSpecs(ir);
  const expected = new Set(specs.map((s) => s.name));
  for (const spec of specs) {
    const w = weights[spec.name];
    if (w === undefined) {
      problems.push(`missing weight '${spec.name}'`);
      continue;
    }
    if (!sameShape(w.shape, spec.shape)) {
      problems.push(
        `weight '${spec.name}' has shape [${w.shape.join(", ")}], the model needs [${spec.shape.join(", ")}]`,
      );
    } else if (w.values.length !== size(spec.shape)) {
      problems.push(
        `weight '${spec.name}' holds ${w.values.length} values, its shape needs ${size(spec.shape)}`,
      );
    }
  }
  for (const name of Object.keys(weights)) {
    if (!expected.has(name)) problems.push(`unexpected weight '${name}'`);
  }
  return problems;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Names of the weights holding a NaN or ±∞ (never written over a finite checkpoint). */
export function nonFiniteWeightNames(weights: NamedWeights): string[] {
  return Object.entries(weights)
    .filter(([, w]) => !w.values.every(Number.isFinite))
    .map(([name]) => name);
}
