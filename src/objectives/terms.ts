import type { ObjectiveExpr, ObjectiveTerm } from "../ir/types.js";

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

/**
 * Whether an objective's value depends on the data entropy H: directly, or through
 * mutual_info (optimised as H − D) and marginal_kl (R − I). With H unknown such a loss is
 * only known up to a constant, which the trainer and generated code say.
 */
export function usesEntropy(e: ObjectiveExpr): boolean {
  switch (e.op) {
    case "term":
      return e.term === "entropy" || e.term === "mutual_info" || e.term === "marginal_kl";
    case "unary":
      return usesEntropy(e.input);
    case "binary":
      return usesEntropy(e.lhs) || usesEntropy(e.rhs);
    case "call":
      return e.args.some(usesEntropy);
    default:
      return false;
  }
}
