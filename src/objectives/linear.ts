import type { LinearObjectiveIR, ObjectiveExpr, ObjectiveTerm } from "../ir/types.js";

/** An objective as a sum of coefficient × term plus a constant, before any substitution. */
export type TermCoefficients = Record<ObjectiveTerm, number> & { constant: number };

function zero(): TermCoefficients {
  return { distortion: 0, rate: 0, mutual_info: 0, marginal_kl: 0, entropy: 0, constant: 0 };
}

const KEYS = ["distortion", "rate", "mutual_info", "marginal_kl", "entropy", "constant"] as const;

function isConstant(c: TermCoefficients): boolean {
  return KEYS.every((k) => k === "constant" || c[k] === 0);
}

function combine(a: TermCoefficients, b: TermCoefficients, sign: number): TermCoefficients {
  const out = zero();
  for (const k of KEYS) out[k] = a[k] + sign * b[k];
  return out;
}

function scale(a: TermCoefficients, s: number): TermCoefficients {
  const out = zero();
  for (const k of KEYS) out[k] = a[k] * s;
  return out;
}

/**
 * The objective as a linear combination of the terms as written (mutual_info and
 * marginal_kl kept), or null when it is not linear: abs/max/min of non-constants,
 * products or quotients of terms, and iw_bound (a log-mean-exp, not a sum of terms).
 */
export function termCoefficients(e: ObjectiveExpr): TermCoefficients | null {
  switch (e.op) {
    case "const":
      return { ...zero(), constant: e.value };
    case "term":
      return { ...zero(), [e.term]: 1 };
    case "iw_bound":
      return null;
    case "unary": {
      const a = termCoefficients(e.input);
      if (a === null) return null;
      if (e.fn === "neg") return scale(a, -1);
      // A scheduled weight changes during training: no fixed linear form.
      if (e.fn === "anneal") return null;
      return isConstant(a) ? { ...zero(), constant: Math.abs(a.constant) } : null;
    }
    case "call": {
      const args = e.args.map(termCoefficients);
      if (args.some((a) => a === null || !isConstant(a))) return null;
      const values = args.map((a) => a!.constant);
      return { ...zero(), constant: e.fn === "max" ? Math.max(...values) : Math.min(...values) };
    }
    case "binary": {
      const a = termCoefficients(e.lhs);
      const b = termCoefficients(e.rhs);
      if (a === null || b === null) return null;
      switch (e.fn) {
        case "add":
          return combine(a, b, 1);
        case "sub":
          return combine(a, b, -1);
        case "mul":
          if (isConstant(a)) return scale(b, a.constant);
          if (isConstant(b)) return scale(a, b.constant);
          return null;
        case "div":
          return isConstant(b) && b.constant !== 0 ? scale(a, 1 / b.constant) : null;
      }
    }
  }
}

/**
 * mutual_info → entropy − distortion (the Barber–Agakov bound I ≥ H − D, tight at the
 * optimal decoder) and marginal_kl → rate − mutual_info (ELBO surgery), leaving only
 * D, R, H and a constant.
 */
export function substituteDerivedTerms(c: TermCoefficients): LinearObjectiveIR {
  const mi = c.mutual_info - c.marginal_kl;
  return {
    distortion: clean(c.distortion - mi),
    rate: clean(c.rate + c.marginal_kl),
    entropy: clean(c.entropy + mi),
    constant: clean(c.constant),
  };
}

/** The canonical linear form of an objective, or null when it is not linear. */
export function linearObjective(e: ObjectiveExpr): LinearObjectiveIR | null {
  const c = termCoefficients(e);
  return c === null ? null : substituteDerivedTerms(c);
}

/** Rounds away float noise from 1/(1+λ)-style arithmetic and turns -0 into 0. */
function clean(x: number): number {
  const r = Number(x.toPrecision(12));
  return r === 0 ? 0 : r;
}
