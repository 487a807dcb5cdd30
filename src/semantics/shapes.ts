import { broadcastShapes, elementCount, isFlatVectorOf } from "../ir/shapes.js";
import type { Shape } from "../ir/types.js";

export { broadcastShapes, elementCount, isFlatVectorOf };
import type { ExprType } from "./types.js";

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
