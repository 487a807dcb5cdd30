import type { Dataset } from "../../data/types.js";
import type { ModelIR, VariableIR } from "../../ir/types.js";
import { uploadRows } from "../device-rows.js";
import type { NamedWeights } from "../types.js";
import { collectRows } from "./rows.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { isContinuous, meanWidth, requireDataRows, valueWidth } from "./variables.js";

/** A table: `rows` rows of `columns.length` values, row-major. */
export interface EncodedRows {
  columns: string[];
  values: Float32Array;
  rows: number;
}

/** `z` for a scalar latent, `z0`, `z1`, … (flattened, row-major) otherwise. */
function unitName(v: VariableIR, u: number): string {
  return v.shape.length === 0 ? v.name : `${v.name}${u}`;
}

/**
 * The posterior summary's column names: `z0_mean, z0_sd, z1_mean, …` for a continuous
 * latent, `z0_p, …` (q(z_u = 1|x)) for a binary one, `z_p0 … z_p{K−1}` per index for a
 * categorical one. CSV-safe: letters, digits and underscores of the latent's name.
 */
export function encodedColumns(v: VariableIR, withSd: boolean): string[] {
  const units = Array.from({ length: valueWidth(v) }, (_, u) => unitName(v, u));
  if (v.kind === "categorical") {
    const k = v.categories ?? 1;
    return units.flatMap((n) => Array.from({ length: k }, (_, c) => `${n}_p${c}`));
  }
  if (!isContinuous(v)) return units.map((n) => `${n}_p`);
  return units.flatMap((n) => (withSd ? [`${n}_mean`, `${n}_sd`] : [`${n}_mean`]));
}

/**
 * One row per data point with q(z|x) summarised per latent dimension from the family's
 * moments (deterministic, no sampling): mean and standard deviation for a continuous
 * latent, the probability of 1 for a binary one, the probability vector per index for a
 * categorical one (see encodedColumns).
 */
export async function encodeRows(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: InspectOptions = {},
): Promise<EncodedRows> {
  requireDataRows(ir, data);
  const v = ir.latent;
  const continuous = isContinuous(v);
  const dims = valueWidth(v);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const tf = model.tf;
    const widths = continuous ? [dims, dims] : [meanWidth(v)];
    // Whether the family has a spread summary is a property of the family, not of a batch.
    let withSd = continuous;
    const [mean, sd] = await collectRows(tf, data.rows, widths, (start, size) => {
      const encoder = model.distribution("encoder", {
        data: uploadRows(tf, ir, data, start, size),
      });
      const shape = [size, ...v.shape];
      const m = encoder.dist.mean(tf, encoder.params, shape);
      if (!continuous) return [m];
      const s = encoder.dist.stddev(tf, encoder.params, shape);
      if (s === null) withSd = false;
      return [m, s ?? m];
    });
    const columns = encodedColumns(v, withSd);
    if (!withSd) return { columns, values: mean!, rows: data.rows };
    // Interleave: mean and sd of each dimension side by side.
    const values = new Float32Array(data.rows * 2 * dims);
    for (let r = 0; r < data.rows; r++) {
      for (let u = 0; u < dims; u++) {
        values[(r * dims + u) * 2] = mean![r * dims + u]!;
        values[(r * dims + u) * 2 + 1] = sd![r * dims + u]!;
      }
    }
    return { columns, values, rows: data.rows };
  });
}
