import type { DistributionIR, ModelIR, ObjectiveExpr } from "../../ir/types.js";

/** Distribution families and their accepted parameter sets. */
export const SUPPORTED_DISTRIBUTIONS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Normal: [
    ["loc", "scale"],
    ["loc", "log_scale"],
  ],
  Bernoulli: [["logits"], ["probs"]],
  Categorical: [["logits"], ["probs"]],
};

export const SUPPORTED_NETS: ReadonlySet<string> = new Set(["linear", "mlp", "table"]);

/** Pairs with a closed-form KL in the generated code, keyed "<encoder>|<prior>". */
export const ANALYTIC_KL_PAIRS: ReadonlySet<string> = new Set([
  "Normal|Normal",
  "Bernoulli|Bernoulli",
  "Categorical|Categorical",
]);

function distributionProblems(d: DistributionIR): string[] {
  const forms = SUPPORTED_DISTRIBUTIONS[d.dist];
  if (forms === undefined) return [`the ${d.dist} distribution`];
  const names = Object.keys(d.params).sort();
  const ok = forms.some(
    (f) => f.length === names.length && [...f].sort().every((n, i) => n === names[i]),
  );
  return ok ? [] : [`${d.dist}(${names.join(", ")})`];
}

function objectiveProblems(e: ObjectiveExpr): string[] {
  switch (e.op) {
    case "iw_bound":
      return [`iw_bound(${e.k}) in the objective`];
    case "unary":
      return e.fn === "anneal"
        ? ["anneal() in the objective", ...objectiveProblems(e.input)]
        : objectiveProblems(e.input);
    case "binary":
      return [...objectiveProblems(e.lhs), ...objectiveProblems(e.rhs)];
    case "call":
      return e.args.flatMap(objectiveProblems);
    default:
      return [];
  }
}

/**
 * What the generator cannot translate, one phrase per construct (the `what` of a
 * `codegen-unsupported` diagnostic), without duplicates; empty when the model is supported.
 */
export function unsupportedConstructs(ir: ModelIR): string[] {
  const out: string[] = [];
  for (const d of [ir.prior, ir.encoder, ir.decoder]) out.push(...distributionProblems(d));
  for (const n of ir.nets) {
    if (!SUPPORTED_NETS.has(n.kind)) out.push(`the ${n.kind} net ('${n.name}')`);
  }
  out.push(...objectiveProblems(ir.objective.expr));
  const t = ir.train;
  if (t.estimator === "score") out.push("the score estimator");
  if (t.estimator === "reparam" && ir.encoder.dist !== "Normal") {
    out.push(`a ${ir.encoder.dist} encoder with the reparam estimator`);
  }
  if (t.estimator === "enumerate") {
    const categorical = ir.encoder.dist === "Categorical" && ir.prior.dist === "Categorical";
    if (!categorical || ir.latent.kind !== "categorical" || ir.latent.shape.length !== 0) {
      out.push("enumeration over anything but one categorical latent");
    }
  }
  if (t.freeBits !== undefined) out.push("free bits");
  if (t.warmup !== undefined) out.push("KL warm-up");
  if (t.weightPrior !== undefined) out.push("a weight prior");
  return [...new Set(out)];
}
