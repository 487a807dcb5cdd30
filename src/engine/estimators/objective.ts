import type { ObjectiveExpr } from "../../ir/types.js";

/**
 * The operations an objective needs, so one evaluator serves both training (tensors, with
 * gradients) and reporting (plain numbers averaged over a split).
 */
export interface Algebra<T> {
  constant(v: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  neg(a: T): T;
  abs(a: T): T;
  max(a: T, b: T): T;
  min(a: T, b: T): T;
}

/** Per-point averages of the information terms, in nats. */
export interface TermValues<T> {
  distortion: T;
  rate: T;
  /** The data entropy H; 0 when unknown (the loss is then reported up to that constant). */
  entropy: T;
  /** The k-sample importance-weighted bound on log p(x). */
  iwBound(k: number): T;
  /** The factor min(1, t / anneal) that scales every anneal(v); absent: 1 (schedule done). */
  annealFactor?: number;
}

/**
 * Evaluates the objective. Terms follow the language definitions: mutual_info is
 * optimised through its Barber–Agakov bound H − D, marginal_kl through ELBO surgery
 * R − (H − D).
 */
export function evaluateObjective<T>(
  expr: ObjectiveExpr,
  alg: Algebra<T>,
  terms: TermValues<T>,
): T {
  const ev = (e: ObjectiveExpr): T => {
    switch (e.op) {
      case "const":
        return alg.constant(e.value);
      case "term":
        switch (e.term) {
          case "distortion":
            return terms.distortion;
          case "rate":
            return terms.rate;
          case "entropy":
            return terms.entropy;
          case "mutual_info":
            return alg.sub(terms.entropy, terms.distortion);
          case "marginal_kl":
            return alg.sub(terms.rate, alg.sub(terms.entropy, terms.distortion));
        }
        break;
      case "iw_bound":
        return terms.iwBound(e.k);
      case "unary":
        switch (e.fn) {
          case "neg":
            return alg.neg(ev(e.input));
          case "abs":
            return alg.abs(ev(e.input));
          case "anneal":
            return alg.mul(alg.constant(terms.annealFactor ?? 1), ev(e.input));
        }
        break;
      case "binary": {
        const a = ev(e.lhs);
        const b = ev(e.rhs);
        switch (e.fn) {
          case "add":
            return alg.add(a, b);
          case "sub":
            return alg.sub(a, b);
          case "mul":
            return alg.mul(a, b);
          case "div":
            return alg.div(a, b);
        }
        break;
      }
      case "call": {
        const [first, ...rest] = e.args.map(ev);
        if (first === undefined) throw new Error(`objective: ${e.fn}() needs arguments`);
        return rest.reduce((acc, v) => (e.fn === "max" ? alg.max(acc, v) : alg.min(acc, v)), first);
      }
    }
    throw new Error(`objective: unhandled node ${JSON.stringify(e)}`);
  };
  return ev(expr);
}

/** The distinct sample counts k of the iw_bound(k) terms in `expr`, ascending. */
export function iwSampleCounts(expr: ObjectiveExpr): number[] {
  const ks = new Set<number>();
  const walk = (e: ObjectiveExpr): void => {
    switch (e.op) {
      case "iw_bound":
        ks.add(e.k);
        return;
      case "unary":
        return walk(e.input);
      case "binary":
        walk(e.lhs);
        return walk(e.rhs);
      case "call":
        return e.args.forEach(walk);
      default:
        return;
    }
  };
  walk(expr);
  return [...ks].sort((a, b) => a - b);
}

export const numberAlgebra: Algebra<number> = {
  constant: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  neg: (a) => -a,
  abs: (a) => Math.abs(a),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};
