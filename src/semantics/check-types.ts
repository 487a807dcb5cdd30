import { diagnostic, type Diagnostic } from "../diagnostics/index.js";
import type { ValueKind, VariableIR } from "../ir/types.js";
import { checkSizeLiteral } from "../stdlib/nets/index.js";
import type { TypeExpr } from "../syntax/ast.js";

const BASES: readonly ValueKind[] = ["real", "binary", "unit", "categorical"];

/** A checked type: the value kind, event shape and, for categorical<K>, K. */
export type CheckedType = Pick<VariableIR, "kind" | "shape" | "categories">;

/** `real[784]`, `categorical<30>`, ... as a checked type, or undefined after reporting. */
export function checkTypeExpr(t: TypeExpr, diagnostics: Diagnostic[]): CheckedType | undefined {
  const before = diagnostics.length;
  const kind = BASES.find((b) => b === t.base.name);
  if (kind === undefined) {
    diagnostics.push(diagnostic("unknown-type", t.base.span, { name: t.base.name }));
  } else if (kind === "categorical" && t.categories === undefined) {
    // `categorical` alone names no category count; the message lists categorical<K>.
    diagnostics.push(diagnostic("unknown-type", t.base.span, { name: t.base.name }));
  } else if (kind !== "categorical" && t.categories !== undefined) {
    diagnostics.push(
      diagnostic("unknown-type", t.span, { name: `${t.base.name}<${t.categories.text}>` }),
    );
  }
  let categories: number | undefined;
  if (kind === "categorical" && t.categories !== undefined) {
    categories = checkSizeLiteral(t.categories, diagnostics);
  }
  const shape: number[] = [];
  for (const n of t.shape) {
    const size = checkSizeLiteral(n, diagnostics);
    if (size !== undefined) shape.push(size);
  }
  if (diagnostics.length > before || kind === undefined) return undefined;
  return categories === undefined ? { kind, shape } : { kind, shape, categories };
}

/** The type as programs write it, e.g. `binary[784]` or `categorical<30>`. */
export function formatCheckedType(t: CheckedType): string {
  const base = t.kind === "categorical" ? `categorical<${t.categories}>` : t.kind;
  return base + (t.shape.length > 0 ? `[${t.shape.join(", ")}]` : "");
}
