import type { BinaryFn, ObjectiveExpr } from "../ir/types.js";

const SYMBOL: Record<BinaryFn, string> = { add: "+", sub: "-", mul: "*", div: "/" };
const PRECEDENCE: Record<BinaryFn, number> = { add: 1, sub: 1, mul: 2, div: 2 };

/** A number the way a person writes it: 0.5, 4, 1e-7. */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return "0";
  if (Number.isInteger(n) || Math.abs(n) >= 1e-4) return String(Number(n.toPrecision(12)));
  return String(n);
}

/** An objective expression in the language's own syntax, with only needed parentheses. */
export function formatObjectiveExpr(e: ObjectiveExpr): string {
  return format(e, 0);
}

function format(e: ObjectiveExpr, context: number): string {
  switch (e.op) {
    case "const":
      return e.value < 0 && context > 0 ? `(${formatNumber(e.value)})` : formatNumber(e.value);
    case "term":
      return e.term;
    case "iw_bound":
      return `iw_bound(${e.k})`;
    case "call":
      return `${e.fn}(${e.args.map((a) => format(a, 0)).join(", ")})`;
    case "unary":
      if (e.fn === "abs" || e.fn === "anneal") return `${e.fn}(${format(e.input, 0)})`;
      return wrap(`-${format(e.input, 3)}`, context > 2);
    case "binary": {
      const p = PRECEDENCE[e.fn];
      // Left-associative: the right operand needs parentheses at equal precedence.
      const text = `${format(e.lhs, p)} ${SYMBOL[e.fn]} ${format(e.rhs, p + 1)}`;
      return wrap(text, context > p);
    }
  }
}

function wrap(text: string, parens: boolean): string {
  return parens ? `(${text})` : text;
}
