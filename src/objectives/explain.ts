import type { LinearObjectiveIR, ObjectiveIR } from "../ir/types.js";
import { substituteDerivedTerms, termCoefficients, type TermCoefficients } from "./linear.js";
import { formatNumber, formatObjectiveExpr } from "./print.js";

type Terms = Partial<Record<keyof TermCoefficients, number>>;

const ORDER = ["distortion", "rate", "marginal_kl", "mutual_info", "entropy", "constant"] as const;

/** `2 * distortion + rate - 2 * entropy`: a linear combination, omitting zero terms. */
export function formatLinear(c: Terms): string {
  let out = "";
  for (const k of ORDER) {
    const v = c[k] ?? 0;
    if (v === 0) continue;
    const magnitude = Math.abs(v);
    const body =
      k === "constant"
        ? formatNumber(magnitude)
        : magnitude === 1
          ? k
          : `${formatNumber(magnitude)} * ${k}`;
    out += out === "" ? (v < 0 ? `-${body}` : body) : v < 0 ? ` - ${body}` : ` + ${body}`;
  }
  return out === "" ? "0" : out;
}

/** The canonical linear form as an expression, e.g. `2 * distortion + rate - 2 * entropy`. */
export function describeLinearObjective(l: LinearObjectiveIR): string {
  return formatLinear(l);
}

/**
 * How an objective reduces to distortion, rate and entropy, step by step, for humans
 * (`vae explain`). Ends with the β-VAE it trains like, when there is one.
 */
export function explainObjective(objective: ObjectiveIR): string {
  const lines: string[] = [];
  const step = (text: string, why?: string): void => {
    lines.push(why === undefined ? `  = ${text}` : `  = ${text.padEnd(40)}  [${why}]`);
  };
  lines.push(`objective ${objective.source}`);
  const inlined = formatObjectiveExpr(objective.expr);
  step(inlined, "inlined");
  const c = termCoefficients(objective.expr);
  if (c === null || objective.linear === null) {
    lines.push(
      "This objective is not linear in the information terms (it uses abs, max, min, iw_bound, anneal",
      "or a product of terms), so it has no canonical distortion/rate/entropy form.",
    );
    return lines.join("\n");
  }
  const collected = formatLinear(c);
  if (collected !== inlined) step(collected, "collected terms");
  let current: Terms = { ...c };
  if (c.marginal_kl !== 0) {
    current = {
      ...current,
      marginal_kl: 0,
      rate: (current.rate ?? 0) + c.marginal_kl,
      mutual_info: (current.mutual_info ?? 0) - c.marginal_kl,
    };
    step(formatLinear(current), "marginal_kl = rate - mutual_info (ELBO surgery)");
  }
  const mi = current.mutual_info ?? 0;
  if (mi !== 0) {
    const linear = substituteDerivedTerms({ ...zeroTerms(), ...current } as TermCoefficients);
    step(formatLinear(linear), "mutual_info >= entropy - distortion (Barber-Agakov)");
    if (mi > 0) {
      lines.push(
        "  note: mutual_info enters with a positive weight, so the substituted loss is a lower",
        "  bound on the objective as written; minimising it is a heuristic, not a bound.",
      );
    }
  }
  lines.push(`linear form: ${describeLinear(objective.linear)}`);
  const equivalent = betaVaeEquivalent(objective.linear);
  if (equivalent !== null) lines.push(equivalent);
  return lines.join("\n");
}

function zeroTerms(): TermCoefficients {
  return { distortion: 0, rate: 0, mutual_info: 0, marginal_kl: 0, entropy: 0, constant: 0 };
}

function describeLinear(l: LinearObjectiveIR): string {
  return (
    `distortion ${formatNumber(l.distortion)}, rate ${formatNumber(l.rate)}, ` +
    `entropy ${formatNumber(l.entropy)}, constant ${formatNumber(l.constant)}`
  );
}

/**
 * D·a + R·b + H·c + k with a > 0 and b ≥ 0 is a·(D + (b/a)·R) plus a constant (H is a
 * property of the data): it has the gradients of beta_vae(beta: b/a), scaled by a.
 */
export function betaVaeEquivalent(l: LinearObjectiveIR): string | null {
  if (!(l.distortion > 0) || l.rate < 0) return null;
  const beta = Number((l.rate / l.distortion).toPrecision(12));
  const target = beta === 1 ? "elbo" : `beta_vae(beta: ${formatNumber(beta)})`;
  const parts: string[] = [];
  if (l.distortion !== 1) parts.push(`the positive scale ${formatNumber(l.distortion)}`);
  if (l.entropy !== 0 || l.constant !== 0) parts.push("a constant");
  return parts.length === 0
    ? `This is exactly ${target}.`
    : `This trains exactly like ${target}, up to ${parts.join(" and ")}.`;
}
