import type { Shape } from "../ir/types.js";
import type { ExprType } from "./types.js";

/** NumPy broadcasting of two event shapes; undefined when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** True when a value of shape `from` can stand in for one of shape `to` by broadcasting. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  const b = broadcastShapes(from, to);
  return b !== undefined && sameShape(b, to);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function formatShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

/** A type written the way programs write types: `real[20]`, `binary[784]`, `categorical<30>`. */
export function formatType(t: ExprType): string {
  switch (t.kind) {
    case "tensor":
      return t.value + (t.shape.length > 0 ? formatShape(t.shape) : "");
    case "index":
      return `categorical<${t.categories}>` + (t.shape.length > 0 ? formatShape(t.shape) : "");
    case "heads":
      return `the named heads of net '${t.net}' (${t.heads.map((h) => h.name).join(", ")})`;
    case "error":
      return "an invalid expression";
  }
}
