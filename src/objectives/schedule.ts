import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import type { ObjectiveExpr, ObjectiveIR, TrainIR } from "../ir/types.js";

/** Whether `expr` contains a node for which `pred` holds. */
export function objectiveContains(
  expr: ObjectiveExpr,
  pred: (e: ObjectiveExpr) => boolean,
): boolean {
  if (pred(expr)) return true;
  switch (expr.op) {
    case "unary":
      return objectiveContains(expr.input, pred);
    case "binary":
      return objectiveContains(expr.lhs, pred) || objectiveContains(expr.rhs, pred);
    case "call":
      return expr.args.some((a) => objectiveContains(a, pred));
    default:
      return false;
  }
}

/** The objective weighs the rate R, directly or through marginal_kl = R − I. */
export function usesRate(expr: ObjectiveExpr): boolean {
  return objectiveContains(
    expr,
    (e) => e.op === "term" && (e.term === "rate" || e.term === "marginal_kl"),
  );
}

export function usesAnneal(expr: ObjectiveExpr): boolean {
  return objectiveContains(expr, (e) => e.op === "unary" && e.fn === "anneal");
}

/**
 * Reports training options that cannot change what is trained: a warm-up or free bits
 * without a rate term to act on, an anneal schedule without anneal(...) to scale. Asking
 * for a schedule that silently does nothing is almost always a mistake in the objective.
 * `spanOf` gives where an option was written (the `train { }` key).
 */
export function verifyTrainOptions(
  objective: ObjectiveIR,
  train: TrainIR,
  spanOf: (option: string) => Span | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (option: string, reason: string): void => {
    const span = spanOf(option);
    if (span !== undefined)
      out.push(diagnostic("train-option-no-effect", span, { option, reason }));
  };
  const noRate = `the objective ${objective.source} has no rate term`;
  if (train.warmup !== undefined && !usesRate(objective.expr)) report("warmup", noRate);
  if (train.freeBits !== undefined && !usesRate(objective.expr)) report("free_bits", noRate);
  if (train.anneal !== undefined && !usesAnneal(objective.expr)) {
    report("anneal", `the objective ${objective.source} has no anneal(...) to scale`);
  }
  return out;
}
