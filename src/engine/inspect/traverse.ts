import type { Dataset } from "../../data/types.js";
import type { ModelIR } from "../../ir/types.js";
import { ACTIVE_UNIT_THRESHOLD } from "../diagnostics/active-units.js";
import type { NamedWeights } from "../types.js";
import { posteriorMeanVariances } from "./posterior-spread.js";
import { priorMoments, type PriorMoments } from "./prior-moments.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { isContinuous, requireDataRows, valueWidth } from "./variables.js";

export const MAX_TRAVERSAL_DIMS = 10;
export const DEFAULT_TRAVERSAL_STEPS = 9;
export const DEFAULT_TRAVERSAL_SPAN = 2.5;

export interface TraversalOptions extends InspectOptions {
  /** Latent vectors per traversed dimension (default 9). */
  steps?: number;
  /** How far each dimension runs, in prior standard deviations either side (default 2.5). */
  span?: number;
  /** Dimensions (flattened indices) to traverse, in this order; default: the active ones. */
  dims?: number[];
}

export interface Traversal {
  /** The traversed dimensions; empty for a latent that is not continuous. */
  dims: number[];
  steps: number;
  /** dims.length × steps latent rows, block d varying dimension dims[d] only. */
  z: Float32Array;
  /** The offsets of each step in prior standard deviations (−span … span), `steps` values. */
  values: number[];
  /** The traversed coordinate of every row, μ_u + σ_u·values[j] (dims.length × steps). */
  coordinates: number[];
  /** Var_x E_q[z_u|x] of every latent dimension, when the data was used to pick `dims`. */
  variances?: number[];
}

/**
 * Dimensions in order of decreasing variance among those above `threshold`, at most `max`;
 * when none is active, the first `max` dimensions in index order.
 */
export function traversalDims(
  variances: ArrayLike<number>,
  threshold = ACTIVE_UNIT_THRESHOLD,
  max = MAX_TRAVERSAL_DIMS,
): number[] {
  const all = Array.from({ length: variances.length }, (_, u) => u);
  const active = all.filter((u) => variances[u]! > threshold);
  if (active.length === 0) return all.slice(0, max);
  // Ties keep index order (Array.prototype.sort is stable).
  return active.sort((a, b) => variances[b]! - variances[a]!).slice(0, max);
}

/** `steps` evenly spaced offsets from −span to span ([0] for a single step). */
export function traversalOffsets(steps: number, span: number): number[] {
  if (steps === 1) return [0];
  return Array.from({ length: steps }, (_, j) => -span + (2 * span * j) / (steps - 1));
}

/**
 * The latent rows of a traversal: for each of `dims` a block of one row per offset, that
 * dimension at μ_u + σ_u·offset and every other dimension at the prior mean.
 */
export function traversalRows(
  prior: PriorMoments,
  dims: number[],
  offsets: number[],
): Float32Array {
  const width = prior.mean.length;
  const z = new Float32Array(dims.length * offsets.length * width);
  dims.forEach((u, d) => {
    offsets.forEach((t, j) => {
      const row = (d * offsets.length + j) * width;
      z.set(prior.mean, row);
      z[row + u] = prior.mean[u]! + prior.sd[u]! * t;
    });
  });
  return z;
}

function checkOptions(opts: TraversalOptions, width: number): { steps: number; span: number } {
  const steps = opts.steps ?? DEFAULT_TRAVERSAL_STEPS;
  const span = opts.span ?? DEFAULT_TRAVERSAL_SPAN;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`traversal steps ${steps}`);
  if (!(Number.isFinite(span) && span > 0)) throw new Error(`traversal span ${span}`);
  for (const u of opts.dims ?? []) {
    if (!Number.isInteger(u) || u < 0 || u >= width) {
      throw new Error(`latent dimension ${u} is not in 0..${width - 1}`);
    }
  }
  return { steps, span };
}

/**
 * Latent traversals (Higgins et al. 2017): for each chosen dimension, `steps` latent
 * vectors where it runs over ±span prior standard deviations around the prior mean (the
 * prior's own moments, so a learned or mixture prior is traversed where its mass is) and
 * the other dimensions sit at the prior mean. Without `dims`, the active dimensions
 * (Var_x E_q[z_u|x] > 0.01 over `data`, as src/engine/diagnostics counts them) by
 * decreasing variance, at most 10; if none is active, the first 10. Decode the rows with
 * decodeLatents. A binary or categorical latent has nothing to traverse: the result has
 * no dims and no rows, and callers report the figure as not applicable.
 */
export async function traversalLatents(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: TraversalOptions = {},
): Promise<Traversal> {
  const width = valueWidth(ir.latent);
  const { steps, span } = checkOptions(opts, width);
  const values = traversalOffsets(steps, span);
  const none: Traversal = { dims: [], steps, z: new Float32Array(0), values, coordinates: [] };
  if (!isContinuous(ir.latent)) return none;
  if (opts.dims === undefined) requireDataRows(ir, data);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const prior = await priorMoments(model);
    if (prior === null) return none;
    let variances: number[] | undefined;
    let dims = opts.dims;
    if (dims === undefined) {
      variances = Array.from(await posteriorMeanVariances(model, data));
      dims = traversalDims(variances);
    }
    const coordinates = dims.flatMap((u) => values.map((t) => prior.mean[u]! + prior.sd[u]! * t));
    return {
      dims: [...dims],
      steps,
      z: traversalRows(prior, dims, values),
      values,
      coordinates,
      ...(variances && { variances }),
    };
  });
}
