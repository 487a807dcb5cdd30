import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { Dataset } from "../../data/types.js";
import { describeLegalValues, isLegalValue, kindCode } from "../../data/values.js";
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
 * Why `values` cannot be `rows` rows of `v`: wrong length, or a value that is not legal
 * for its kind (src/data/values.ts: finite, 0/1, [0, 1], an index in 0..K−1). Empty when
 * they fit. Pure; callers turn the lines into diagnostics.
 */
export function variableRowProblems(v: VariableIR, values: Float32Array, rows: number): string[] {
  const width = valueWidth(v);
  if (!Number.isInteger(rows) || rows < 0) return [`${rows} is not a row count`];
  if (values.length !== rows * width) {
    return [`${values.length} values do not make ${rows} rows of ${width} for '${v.name}'`];
  }
  const code = kindCode(v.kind);
  const k = v.categories ?? 0;
  const i = values.findIndex((x) => !isLegalValue(code, k, x));
  if (i < 0) return [];
  const row = Math.floor(i / Math.max(1, width));
  return [`row ${row}: '${v.name}' needs ${describeLegalValues(v)}, got ${values[i]}`];
}

/** Why `data` cannot be the rows of the model's data variable; empty when it can. */
export function dataRowProblems(ir: ModelIR, data: Dataset): string[] {
  const width = valueWidth(ir.data);
  if (data.dim !== width) {
    return [`${data.source}: rows have ${data.dim} values, '${ir.data.name}' needs ${width}`];
  }
  return variableRowProblems(ir.data, data.values, data.rows).map((p) => `${data.source}: ${p}`);
}

/** Throws when `data` does not fit the model: callers check with dataRowProblems first. */
export function requireDataRows(ir: ModelIR, data: Dataset): void {
  const problems = dataRowProblems(ir, data);
  if (problems.length > 0) throw new Error(problems.join("; "));
}

/**
 * Why `z` cannot be decoded as `rows` latent rows of `ir`: wrong length, non-finite values,
 * or values outside the latent's kind (indices in 0..K−1, 0/1). Empty when they fit.
 */
export function latentRowProblems(ir: ModelIR, z: Float32Array, rows: number): string[] {
  return variableRowProblems(ir.latent, z, rows);
}
