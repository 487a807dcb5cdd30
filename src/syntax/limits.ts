import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Expr, NumberLit, Program } from "./ast.js";

/**
 * Levels one expression may nest, counting every operator of a chain (`1 + 1 + 1` is
 * three levels: it parses as ((1 + 1) + 1)) and every call, head and sign. Real models
 * use fewer than ten; every later stage recurses over expressions, and at this depth
 * each of them stays far from the end of a default Node stack.
 */
export const MAX_EXPRESSION_DEPTH = 500;

/** Nodes in one expression: bounds the work of every later pass over it. */
export const MAX_EXPRESSION_NODES = 10_000;

const EXPR_KINDS: ReadonlySet<string> = new Set<Expr["kind"]>([
  "NumberLit",
  "StringLit",
  "Name",
  "Call",
  "Member",
  "Unary",
  "Binary",
  "Arrow",
  "RecordLit",
]);

interface Pending {
  node: object;
  /** The outermost expression this node belongs to; undefined outside expressions. */
  root: Expr | undefined;
  /** Levels below `root` (0 for the root itself). */
  depth: number;
}

/**
 * Expressions too deep or too large for the recursive stages after parsing, and number
 * literals that are not finite (`1e309`), found by one walk with an explicit stack, so
 * that the walk itself cannot overflow. One diagnostic per offending expression, at the
 * expression (depth, size) or the literal.
 */
export function limitDiagnostics(tree: Program | Expr): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sizes = new Map<Expr, number>();
  const reported = new Set<Expr>();
  const stack: Pending[] = [{ node: tree, root: undefined, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node } = item;
    const kind = (node as { kind?: unknown }).kind;
    let { root, depth } = item;
    if (typeof kind === "string" && EXPR_KINDS.has(kind)) {
      const expr = node as Expr;
      if (root === undefined) {
        root = expr;
        depth = 0;
      }
      const size = (sizes.get(root) ?? 0) + 1;
      sizes.set(root, size);
      if (reported.has(root)) continue;
      if (depth > MAX_EXPRESSION_DEPTH || size > MAX_EXPRESSION_NODES) {
        reported.add(root);
        const what =
          depth > MAX_EXPRESSION_DEPTH
            ? `nested more than ${MAX_EXPRESSION_DEPTH} levels (each operator of a chain is a level)`
            : `more than ${MAX_EXPRESSION_NODES} nodes`;
        out.push(diagnostic("expression-too-large", root.span, { what }));
        continue;
      }
      if (kind === "NumberLit" && !Number.isFinite((expr as NumberLit).value)) {
        out.push(
          diagnostic("number-out-of-range", expr.span, {
            text: (expr as NumberLit).text,
            range: "a 64-bit float",
          }),
        );
      }
    }
    for (const value of Object.values(node)) {
      if (value === null || typeof value !== "object" || isSpan(value)) continue;
      if (Array.isArray(value)) {
        for (const v of value) {
          if (v !== null && typeof v === "object") stack.push(child(v, root, depth));
        }
      } else {
        stack.push(child(value, root, depth));
      }
    }
  }
  return out;
}

function child(node: object, root: Expr | undefined, depth: number): Pending {
  return { node, root, depth: root === undefined ? 0 : depth + 1 };
}

function isSpan(v: object): boolean {
  return "start" in v && "end" in v && "file" in v;
}

/** The largest finite float32: tensors are float32, so a larger constant becomes Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** How `number-out-of-range` names the float32 range. */
export const FLOAT32_RANGE = "float32, whose magnitudes end at 3.4e38";

/** False for a number whose float32 rounding is infinite. */
export function fitsFloat32(value: number): boolean {
  return Math.abs(value) <= FLOAT32_MAX;
}
