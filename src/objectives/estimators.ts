import type { ModelIR, ObjectiveExpr } from "../ir/types.js";
import { lookupDistribution } from "../stdlib/distributions/index.js";
import { formatNumber } from "./print.js";
import { objectiveContains, usesAnneal, usesRate } from "./schedule.js";

/** Whether KL[a ‖ b] has a closed form, from the tfjs-free signatures. */
export function hasAnalyticKl(a: string, b: string): boolean {
  return lookupDistribution(a)?.analyticKl?.includes(b) ?? false;
}

/** The distinct k of the objective's iw_bound(k) terms, ascending. */
function iwCounts(expr: ObjectiveExpr): number[] {
  const ks = new Set<number>();
  objectiveContains(expr, (e) => {
    if (e.op === "iw_bound") ks.add(e.k);
    return false;
  });
  return [...ks].sort((a, b) => a - b);
}

const usesTerm = (expr: ObjectiveExpr, term: string): boolean =>
  objectiveContains(expr, (e) => e.op === "term" && e.term === term);

/**
 * Which estimator computes each information term for this model and its `train { }`
 * settings, one line per term (`vae explain`). Only signatures are consulted, so this
 * never loads a backend.
 */
export function explainEstimators(ir: ModelIR): string {
  const t = ir.train;
  const q = ir.encoder.dist;
  const p = ir.prior.dist;
  const z = ir.latent.name;
  const x = ir.data.name;
  const samples = t.samples === 1 ? "1 sample" : `${t.samples} samples`;
  const rows: [string, string][] = [];
  const analytic = t.kl === "analytic" && hasAnalyticKl(q, p);
  const klName = `KL[${q} ‖ ${p}]`;
  const mcRate = `Monte Carlo log q(${z}|${x}) − log p(${z}) on the same draws (SGVB estimator A${
    t.kl === "analytic" ? `: ${klName} has no closed form` : ", kl: monte_carlo"
  })`;

  switch (t.estimator) {
    case "reparam":
      rows.push([
        "distortion",
        `Monte Carlo with L = ${samples} of ${z} = g(ε, ${x}) reparameterised, pathwise gradients (SGVB)`,
      ]);
      rows.push(["rate", analytic ? `analytic ${klName} (SGVB estimator B)` : mcRate]);
      break;
    case "enumerate": {
      const k = ir.latent.categories ?? 0;
      rows.push(["distortion", `exact sum over the ${k} values of ${z} (enumerate)`]);
      rows.push(["rate", `exact sum over the ${k} values of ${z} (enumerate)`]);
      break;
    }
    case "score":
      rows.push([
        "distortion",
        `score-function (REINFORCE) gradient over L = ${samples} of ${z} ~ q(${z}|${x}), ` +
          `moving-average baseline; value Monte Carlo`,
      ]);
      rows.push([
        "rate",
        analytic
          ? `analytic ${klName} (SGVB estimator B), differentiated directly`
          : `${mcRate}, score-function gradient`,
      ]);
      break;
  }
  const expr = ir.objective.expr;
  if (usesTerm(expr, "mutual_info")) {
    rows.push(["mutual_info", "via its bound H − D (Barber–Agakov): the distortion above"]);
  }
  if (usesTerm(expr, "marginal_kl")) {
    rows.push(["marginal_kl", "via R − (H − D) (ELBO surgery): the rate and distortion above"]);
  }
  for (const k of iwCounts(expr)) {
    const how =
      t.estimator === "enumerate"
        ? `exact log p(${x}) = log Σ_${z} p(${z}) p(${x}|${z}) (the k → ∞ limit of the bound)`
        : `log-mean-exp of ${k} importance weights p(${x}, ${z}_i) / q(${z}_i|${x})` +
          (t.estimator === "score"
            ? ", score-function gradient over the k draws"
            : ", reparameterised draws") +
          (k === t.samples ? " (reuses the distortion's draws)" : "");
    rows.push([`iw_bound(${k})`, how]);
  }
  const notes: string[] = [];
  if (t.freeBits !== undefined && usesRate(expr)) {
    notes.push(
      `free bits: the training loss uses Σ_j max(${formatNumber(t.freeBits)}, KL_j) for the rate`,
    );
  }
  if (t.warmup !== undefined && usesRate(expr)) {
    notes.push(`warm-up: the rate is weighted min(1, t / ${formatNumber(t.warmup)}) in training`);
  }
  if (t.anneal !== undefined && usesAnneal(expr)) {
    notes.push(`anneal: anneal(v) is v·min(1, t / ${formatNumber(t.anneal)}) in training`);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`estimators (estimator: ${t.estimator}, kl: ${t.kl}, samples: ${t.samples}):`];
  for (const [name, how] of rows) lines.push(`  ${name.padEnd(width)}  ${how}`);
  for (const n of notes) lines.push(`  ${n} (t = epochs completed)`);
  return lines.join("\n");
}
