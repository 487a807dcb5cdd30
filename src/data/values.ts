import type { Shape, ValueKind, VariableIR } from "../ir/types.js";

/** Numbers per data point: the product of the event shape (1 for a scalar). */
export function variableWidth(v: Pick<VariableIR, "shape">): number {
  return shapeSize(v.shape);
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The type as the language spells it: `binary[784]`, `categorical<30>`, `real`. */
export function formatValueType(v: Pick<VariableIR, "kind" | "shape" | "categories">): string {
  const base = v.kind === "categorical" ? `categorical<${v.categories ?? "?"}>` : v.kind;
  return v.shape.length === 0 ? base : `${base}[${v.shape.join(", ")}]`;
}

/** Kinds as small integers so the hot parsing loops compare numbers, not strings. */
export const KindCode = { Real: 0, Binary: 1, Unit: 2, Categorical: 3 } as const;
export type KindCode = (typeof KindCode)[keyof typeof KindCode];

export function kindCode(kind: ValueKind): KindCode {
  switch (kind) {
    case "real":
      return KindCode.Real;
    case "binary":
      return KindCode.Binary;
    case "unit":
      return KindCode.Unit;
    case "categorical":
      return KindCode.Categorical;
  }
}

/** Whether `x` is a legal value of a variable of this kind (K = categories). */
export function isLegalValue(code: KindCode, k: number, x: number): boolean {
  switch (code) {
    case KindCode.Real:
      // Values are stored as float32: a finite float64 beyond its range would become ±∞.
      return Number.isFinite(Math.fround(x));
    case KindCode.Binary:
      return x === 0 || x === 1;
    case KindCode.Unit:
      return x >= 0 && x <= 1;
    case KindCode.Categorical:
      return Number.isInteger(x) && x >= 0 && x < k;
  }
}

/** What a legal value looks like, for `data-bad-value` messages. */
export function describeLegalValues(v: Pick<VariableIR, "kind" | "categories">): string {
  switch (v.kind) {
    case "real":
      return "a finite number within float32's range (magnitude at most 3.4028235e38)";
    case "binary":
      return "0 or 1 (binary data)";
    case "unit":
      return "a number in [0, 1] (unit data)";
    case "categorical":
      return `an integer in 0..${(v.categories ?? 0) - 1} (categorical<${v.categories ?? "?"}>)`;
  }
}

/**
 * Whether every value of a dataset of kind `data` is a legal value of a variable of kind
 * `variable`: binary ⊂ unit ⊂ real, binary ⊂ categorical<K≥2>, categorical<K> ⊂ categorical<K'≥K>.
 */
export function kindFits(
  data: Pick<VariableIR, "kind" | "categories">,
  variable: Pick<VariableIR, "kind" | "categories">,
): boolean {
  const vk = variable.kind;
  switch (data.kind) {
    case "binary":
      return vk !== "categorical" || (variable.categories ?? 0) >= 2;
    case "unit":
      return vk === "unit" || vk === "real";
    case "real":
      return vk === "real";
    case "categorical":
      return vk === "categorical" && (variable.categories ?? 0) >= (data.categories ?? Infinity);
  }
}
