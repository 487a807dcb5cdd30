import type { DistributionIR, ModelIR, ObjectiveExpr, TensorExpr } from "../../ir/types.js";

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

/**
 * Every name in the IR that the generated module spells as code or quotes in a comment:
 * variables, labels, parameters, nets and their heads, bindings, and the names inside
 * parameter expressions (walked with an explicit stack: expression depth is unbounded).
 */
export function namesInIr(ir: ModelIR): string[] {
  const names = [ir.name, ir.data.name, ir.latent.name, ir.train.optimizer.name];
  for (const p of ir.params) names.push(p.name);
  for (const n of ir.nets) {
    names.push(n.name, n.activation);
    if (n.output.kind === "heads") names.push(...n.output.heads.map((h) => h.name));
  }
  const pending: TensorExpr[] = [];
  for (const d of [ir.prior, ir.encoder, ir.decoder]) {
    names.push(d.label, d.variable, d.dist, ...Object.keys(d.params));
    if (d.given !== null) names.push(d.given);
    for (const b of d.bindings) {
      names.push(b.name);
      pending.push(b.value);
    }
    pending.push(...Object.values(d.params));
  }
  for (let e = pending.pop(); e !== undefined; e = pending.pop()) {
    switch (e.op) {
      case "variable":
      case "param":
      case "local":
        names.push(e.name);
        break;
      case "net":
        names.push(e.net);
        pending.push(e.input);
        break;
      case "head":
        names.push(e.head);
        pending.push(e.input);
        break;
      case "unary":
      case "reshape":
        pending.push(e.input);
        break;
      case "binary":
        pending.push(e.lhs, e.rhs);
        break;
      case "const":
        break;
    }
  }
  return names;
}
