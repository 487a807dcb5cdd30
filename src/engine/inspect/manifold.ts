import type { ModelIR } from "../../ir/types.js";
import type { NamedWeights } from "../types.js";
import { normalQuantile } from "./normal-quantile.js";
import { priorMoments } from "./prior-moments.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { isContinuous, valueWidth } from "./variables.js";

export const DEFAULT_MANIFOLD_STEPS = 15;

export interface ManifoldOptions extends InspectOptions {
  /** Grid points per axis (default 15). */
  steps?: number;
}

export interface Manifold {
  /**
   * steps² latent rows: row i·steps + j has z_0 = μ_0 + σ_0·grid[j] and
   * z_1 = μ_1 + σ_1·grid[i] (j along the first latent coordinate, i along the second,
   * both ascending).
   */
  z: Float32Array;
  steps: number;
  /** Φ⁻¹((j + ½)/steps), j = 0 … steps−1: the standard-normal quantiles, symmetric about 0. */
  grid: number[];
  /**
   * True when the prior is a mixture: the grid then uses its overall mean and standard
   * deviation per dimension, an approximation of its quantiles.
   */
  approximate: boolean;
}

/**
 * Φ⁻¹ of the midpoints (j + ½)/steps of a uniform grid on (0, 1). The upper half is the
 * mirror of the lower half, so the grid is exactly symmetric (and 0 in the middle).
 */
export function manifoldGrid(steps: number): number[] {
  const grid = new Array<number>(steps);
  for (let j = 0; j < steps; j++) {
    const mirror = steps - 1 - j;
    grid[j] = j < mirror ? normalQuantile((j + 0.5) / steps) : j === mirror ? 0 : -grid[mirror]!;
  }
  return grid;
}

/**
 * The learned data manifold of Kingma & Welling (2014, Fig. 4) for a 2-D continuous latent:
 * z on a steps × steps grid of the prior's quantiles, z_u = μ_u + σ_u Φ⁻¹(q), q on the
 * midpoints of a uniform grid of (0, 1). Exact for a Normal prior; for a mixture prior
 * μ and σ are its mean and standard deviation per dimension (an approximation, flagged).
 * Null for any other latent. Decode the rows with decodeLatents.
 */
export async function manifoldLatents(
  ir: ModelIR,
  weights: NamedWeights,
  opts: ManifoldOptions = {},
): Promise<Manifold | null> {
  const steps = opts.steps ?? DEFAULT_MANIFOLD_STEPS;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`manifold steps ${steps}`);
  if (!isContinuous(ir.latent) || valueWidth(ir.latent) !== 2) return null;
  return withLoadedModel(ir, weights, opts, async (model) => {
    const prior = await priorMoments(model);
    if (prior === null) return null;
    const grid = manifoldGrid(steps);
    const z = new Float32Array(steps * steps * 2);
    for (let i = 0; i < steps; i++) {
      for (let j = 0; j < steps; j++) {
        const row = (i * steps + j) * 2;
        z[row] = prior.mean[0]! + prior.sd[0]! * grid[j]!;
        z[row + 1] = prior.mean[1]! + prior.sd[1]! * grid[i]!;
      }
    }
    return { z, steps, grid, approximate: model.family("prior").componentAxis === true };
  });
}
