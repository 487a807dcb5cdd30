import type { Dataset } from "../../data/types.js";
import type { ModelIR } from "../../ir/types.js";
import type { NamedWeights } from "../types.js";
import { collectRows } from "./rows.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { requireDataRows } from "./variables.js";

/**
 * The distributions of Alemi et al. (2018, Fig. 2) for a model whose data and latent are
 * each one categorical variable: vectors over K_x or K_z values, matrices row-stochastic.
 */
export interface CategoricalPanels {
  /** p̃(x): the frequencies of the data rows. */
  empirical: number[];
  /** g(x) = Σ_z m(z) d(x|z): the generative model's marginal. */
  generative: number[];
  /** d(x) = Σ_x' Σ_z p̃(x') e(z|x') d(x|z): what encoding then decoding the data yields. */
  reconstruction: number[];
  /** m(z): the prior (the learned marginal). */
  marginal: number[];
  /** e(z) = Σ_x p̃(x) e(z|x): the aggregate posterior. */
  aggregate: number[];
  /** e(z|x), [K_x][K_z]. */
  encoder: number[][];
  /** d(x|z), [K_z][K_x]. */
  decoder: number[][];
  /** p(x'|x) = Σ_z e(z|x) d(x'|z), [K_x][K_x]. */
  transition: number[][];
}

/** K for a scalar categorical variable, else null. */
function scalarCategories(v: ModelIR["data"]): number | null {
  return v.kind === "categorical" && v.shape.length === 0 ? (v.categories ?? null) : null;
}

/** Frequencies of the indices 0..k−1 in `data`; throws on anything else. */
export function empiricalDistribution(data: Dataset, k: number): number[] {
  const counts = new Float64Array(k);
  for (const x of data.values) {
    if (!Number.isInteger(x) || x < 0 || x >= k) {
      throw new Error(`${data.source}: ${x} is not a category in 0..${k - 1}`);
    }
    counts[x]! += 1;
  }
  return Array.from(counts, (c) => (data.rows > 0 ? c / data.rows : 0));
}

const rowsOf = (flat: Float32Array, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * cols, (r + 1) * cols)));

/**
 * Every panel computed exactly by enumerating both variables (no sampling): the model gives
 * e(z|x) for every x, d(x|z) for every z and m(z) (float32, from the families' means, i.e.
 * their probability vectors); the sums over them run on the host in float64. Null unless
 * data and latent are both a single categorical variable (shape []).
 */
export async function categoricalPanels(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: InspectOptions = {},
): Promise<CategoricalPanels | null> {
  const kx = scalarCategories(ir.data);
  const kz = scalarCategories(ir.latent);
  if (kx === null || kz === null) return null;
  requireDataRows(ir, data);
  const empirical = empiricalDistribution(data, kx);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const tf = model.tf;
    const indices = (start: number, size: number) =>
      tf.add(tf.range(0, size, 1, "int32"), tf.scalar(start, "int32"));
    const [enc] = await collectRows(tf, kx, [kz], (start, size) => {
      const e = model.distribution("encoder", { data: indices(start, size) });
      return [e.dist.mean(tf, e.params, [size])];
    });
    const [dec] = await collectRows(tf, kz, [kx], (start, size) => {
      const d = model.distribution("decoder", { latent: indices(start, size) });
      return [d.dist.mean(tf, d.params, [size])];
    });
    const [prior] = await collectRows(tf, 1, [kz], () => {
      const m = model.distribution("prior", {});
      return [m.dist.mean(tf, m.params, [1])];
    });
    const encoder = rowsOf(enc!, kx, kz);
    const decoder = rowsOf(dec!, kz, kx);
    const marginal = Array.from(prior!);
    /** Σ_z w(z) d(·|z) over x. */
    const decodeMixture = (w: number[]) =>
      Array.from({ length: kx }, (_, x) => w.reduce((s, wz, z) => s + wz * decoder[z]![x]!, 0));
    const aggregate = Array.from({ length: kz }, (_, z) =>
      empirical.reduce((s, px, x) => s + px * encoder[x]![z]!, 0),
    );
    return {
      empirical,
      generative: decodeMixture(marginal),
      reconstruction: decodeMixture(aggregate),
      marginal,
      aggregate,
      encoder,
      decoder,
      transition: encoder.map((e) => decodeMixture(e)),
    };
  });
}
