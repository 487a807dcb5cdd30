import type { Dataset } from "../../data/types.js";
import type { ModelIR } from "../../ir/types.js";
import { uploadRows } from "../device-rows.js";
import { deriveSeed } from "../rng.js";
import type { NamedWeights } from "../types.js";
import { decodedMean } from "./decode.js";
import { collectRows } from "./rows.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { isContinuous, meanWidth, requireDataRows } from "./variables.js";

export interface ReconstructOptions extends InspectOptions {
  /** Seeds the draw z ~ q(z|x) for a binary or categorical latent (unused otherwise). */
  seed: number;
}

/**
 * E[x|z] for every row x of `data`, [rows, dataDim] as sampleModel's mean. z is the
 * posterior mean E_q[z|x] for a continuous (real) latent, where it is the natural
 * deterministic code; for a binary or categorical latent the mean is not a value the
 * decoder was trained on, so z is one seeded draw from q(z|x) (batch b from (seed, b)).
 */
export async function reconstructRows(
  ir: ModelIR,
  weights: NamedWeights,
  data: Dataset,
  opts: ReconstructOptions,
): Promise<Float32Array> {
  requireDataRows(ir, data);
  const continuous = isContinuous(ir.latent);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const tf = model.tf;
    const [x] = await collectRows(tf, data.rows, [meanWidth(ir.data)], (start, size, b) => {
      const encoder = model.distribution("encoder", {
        data: uploadRows(tf, ir, data, start, size),
      });
      const shape = [size, ...ir.latent.shape];
      const z = continuous
        ? encoder.dist.mean(tf, encoder.params, shape)
        : encoder.dist.sample(tf, encoder.params, shape, deriveSeed(opts.seed, "reconstruct", b));
      return [decodedMean(model, z)];
    });
    return x!;
  });
}
