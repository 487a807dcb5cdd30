import type { ObjectiveTerm } from "../ir/types.js";

/** The information terms an objective is written over, in the order docs list them. */
export const OBJECTIVE_TERMS: readonly ObjectiveTerm[] = [
  "distortion",
  "rate",
  "mutual_info",
  "marginal_kl",
  "entropy",
];

/** Functions an objective may call besides other objectives. */
export const OBJECTIVE_FUNCTIONS = ["abs", "max", "min", "iw_bound", "anneal"] as const;

export function isObjectiveTerm(name: string): name is ObjectiveTerm {
  return (OBJECTIVE_TERMS as readonly string[]).includes(name);
}
