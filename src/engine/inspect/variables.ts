import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { ModelIR, VariableIR } from "../../ir/types.js";

/** Values of `v` per row (indices for a categorical variable). */
export function valueWidth(v: VariableIR): number {
  return v.shape.reduce((p, d) => p * d, 1);
}

/**
 * Values per row of E[v] as the families return it: for a categorical variable the
 * probability vector of every index, valueWidth × K.
 */
export function meanWidth(v: VariableIR): number {
  return valueWidth(v) * (v.kind === "categorical" ? (v.categories ?? 1) : 1);
}

/** Real-valued: a mean and a standard deviation summarise it, and it can be traversed. */
export function isContinuous(v: VariableIR): boolean {
  return v.kind === "real" || v.kind === "unit";
}

/** `rows` rows of `values` as the compiled model takes `v`: int32 indices for a categorical. */
export function variableTensor(tf: Tf, v: VariableIR, values: Float32Array, rows: number): Tensor {
  const shape = [rows, ...v.shape];
  return v.kind === "categorical"
    ? tf.tensor(Int32Array.from(values), shape, "int32")
    : tf.tensor(values, shape, "float32");
}

/**
 * Why `values` cannot be `rows` rows of `v`: wrong length, non-finite entries, indices
 * that are not integers in 0..K−1, binary values other than 0 and 1. Empty when they fit.
 * Pure; callers turn the lines into diagnostics.
 */
export function variableRowProblems(v: VariableIR, values: Float32Array, rows: number): string[] {
  const width = valueWidth(v);
  if (!Number.isInteger(rows) || rows < 0) return [`${rows} is not a row count`];
  if (values.length !== rows * width) {
    return [`${values.length} values do not make ${rows} rows of ${width} for '${v.name}'`];
  }
  const k = v.categories ?? 0;
  const fits = (x: number) =>
    v.kind === "categorical"
      ? Number.isInteger(x) && x >= 0 && x < k
      : v.kind === "binary"
        ? x === 0 || x === 1
        : Number.isFinite(x);
  const i = values.findIndex((x) => !fits(x));
  if (i < 0) return [];
  const want =
    v.kind === "categorical"
      ? `an index in 0..${k - 1}`
      : v.kind === "binary"
        ? "0 or 1"
        : "a finite number";
  return [`row ${Math.floor(i / Math.max(1, width))}: '${v.name}' needs ${want}, got ${values[i]}`];
}

/**
 * Why `z` cannot be decoded as `rows` latent rows of `ir`: wrong length, non-finite values,
 * or values outside the latent's kind (indices in 0..K−1, 0/1). Empty when they fit.
 */
export function latentRowProblems(ir: ModelIR, z: Float32Array, rows: number): string[] {
  return variableRowProblems(ir.latent, z, rows);
}
