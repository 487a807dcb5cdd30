import type { VariableIR } from "../ir/types.js";
import { seededUniform } from "./random.js";
import type { Dataset, ImageShape } from "./types.js";

/**
 * `n` rows drawn at random without replacement (seeded), kept in their original order.
 * A prefix would not do: the bundled MNIST files are not shuffled, and the first 500 test
 * rows give an ELBO far from the whole split's. All rows when `n` ≥ rows.
 */
export function subsetRows(data: Dataset, n: number, seed: number): Dataset {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subsetRows: n must be an integer ≥ 0, got ${n}`);
  if (n >= data.rows) return data;
  const index = Int32Array.from({ length: data.rows }, (_, i) => i);
  const uniform = seededUniform(seed);
  // A partial Fisher–Yates shuffle: the first n slots are a uniform sample.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(uniform() * (data.rows - i));
    const t = index[i]!;
    index[i] = index[j]!;
    index[j] = t;
  }
  const chosen = index.subarray(0, n).sort();
  const values = new Float32Array(n * data.dim);
  for (let r = 0; r < n; r++) {
    const from = chosen[r]! * data.dim;
    values.set(data.values.subarray(from, from + data.dim), r * data.dim);
  }
  const out: Dataset = {
    source: `${data.source} (${n} of ${data.rows} rows, seed ${seed})`,
    rows: n,
    dim: data.dim,
    values,
  };
  if (data.labels !== undefined) out.labels = Int32Array.from(chosen, (i) => data.labels![i]!);
  if (data.image !== undefined) out.image = data.image;
  return out;
}

/**
 * The image shape of a data variable's points, or null when they are not images: a named
 * image dataset says so (`Dataset.image`), and so does a data variable of shape [H, W]
 * with values that are pixel intensities (binary, unit or real).
 */
export function imageShapeOf(variable: VariableIR, data?: Dataset): ImageShape | null {
  if (variable.kind === "categorical") return null;
  if (data?.image !== undefined) return data.image;
  const [h, w, ...rest] = variable.shape;
  if (h !== undefined && w !== undefined && rest.length === 0) return { height: h, width: w };
  return null;
}
