import type { Span } from "../../src/diagnostics/span.js";
import type { Expr } from "../../src/syntax/ast.js";

/** A compact, fully parenthesized rendering of an expression, for precedence tests. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case "NumberLit":
      return e.text;
    case "StringLit":
      return JSON.stringify(e.value);
    case "Name":
      return e.name;
    case "Call":
      return `(${e.callee.name}${e.args.map((a) => " " + (a.name ? `${a.name.name}:` : "") + sexpr(a.value)).join("")})`;
    case "Member":
      return `(. ${sexpr(e.object)} ${e.member.name})`;
    case "Unary":
      return `(neg ${sexpr(e.operand)})`;
    case "Binary":
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case "Arrow":
      return `(-> ${e.items.map(sexpr).join(" ")})`;
    case "RecordLit":
      return `{${e.fields.map((f) => `${f.name.name}: ${sexpr(f.value)}`).join(", ")}}`;
  }
}

/** The source text a span covers. */
export function slice(text: string, span: Span): string {
  return text.slice(span.start.offset, span.end.offset);
}

let cachedText: string | undefined;
let cachedLineStarts: number[] = [];

/** 1-based line and column of a 0-based offset, counting \n, \r\n and \r as line ends. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  if (text !== cachedText) {
    cachedText = text;
    cachedLineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) cachedLineStarts.push(i + 1);
    }
  }
  let lo = 0;
  let hi = cachedLineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cachedLineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - cachedLineStarts[lo]! + 1 };
}

/**
 * Source with expected spans marked by «guillemets»: returns the text without the marks
 * and the marked ranges as [startOffset, endOffset) pairs, in order.
 */
export function marked(source: string): { text: string; ranges: [number, number][] } {
  let text = "";
  const ranges: [number, number][] = [];
  let open = -1;
  for (const ch of source) {
    if (ch === "«") open = text.length;
    else if (ch === "»") {
      ranges.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text, ranges };
}

/** Every AST node below `root` (objects with a `kind` and a `span`), depth first. */
export function allNodes(root: unknown): { kind: string; span: Span; parent?: Span }[] {
  const out: { kind: string; span: Span; parent?: Span }[] = [];
  const visit = (x: unknown, parent?: Span): void => {
    if (Array.isArray(x)) {
      for (const y of x) visit(y, parent);
      return;
    }
    if (x === null || typeof x !== "object") return;
    const node = x as { kind?: string; span?: Span };
    let here = parent;
    if (typeof node.kind === "string" && node.span) {
      out.push({ kind: node.kind, span: node.span, ...(parent ? { parent } : {}) });
      here = node.span;
    }
    for (const [k, v] of Object.entries(x)) if (k !== "span") visit(v, here);
  };
  visit(root);
  return out;
}
