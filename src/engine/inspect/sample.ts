import type { ModelIR } from "../../ir/types.js";
import { deriveSeed } from "../rng.js";
import type { NamedWeights } from "../types.js";
import { collectRows } from "./rows.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { meanWidth, valueWidth } from "./variables.js";

export interface SampleOptions extends InspectOptions {
  /** Rows to draw. */
  n: number;
  seed: number;
  /** E[x|z] instead of a draw x ~ p(x|z). */
  mean: boolean;
}

export interface ModelSample {
  /** z ~ p(z), [n, latentDim] (indices for a categorical latent). */
  latent: Float32Array;
  latentDim: number;
  /**
   * [n, dataDim]: draws x ~ p(x|z) (indices for categorical data), or with `mean` E[x|z]
   * (for categorical data the probabilities of every index, K values per index).
   */
  data: Float32Array;
  /** Columns of `data` as returned (index count × K for categorical means). */
  dataDim: number;
  /** K when `data` holds categorical probabilities (K consecutive columns per index). */
  categories?: number;
}

/**
 * Ancestral samples of the generative model: z ~ p(z) (a learned or mixture prior as it
 * stands), then x ~ p(x|z) or E[x|z]. Batch b draws from seeds derived from (seed, b), so
 * the same seed gives the same rows on the same backend.
 */
export async function sampleModel(
  ir: ModelIR,
  weights: NamedWeights,
  opts: SampleOptions,
): Promise<ModelSample> {
  if (!Number.isInteger(opts.n) || opts.n < 0) throw new Error(`cannot draw ${opts.n} rows`);
  const latentDim = valueWidth(ir.latent);
  const dataDim = opts.mean ? meanWidth(ir.data) : valueWidth(ir.data);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const tf = model.tf;
    const [latent, data] = await collectRows(tf, opts.n, [latentDim, dataDim], (_, size, b) => {
      const prior = model.distribution("prior", {});
      const zSeed = deriveSeed(opts.seed, "sample", "latent", b);
      const z = prior.dist.sample(tf, prior.params, [size, ...ir.latent.shape], zSeed);
      const decoder = model.distribution("decoder", { latent: z });
      const shape = [size, ...ir.data.shape];
      const x = opts.mean
        ? decoder.dist.mean(tf, decoder.params, shape)
        : decoder.dist.sample(
            tf,
            decoder.params,
            shape,
            deriveSeed(opts.seed, "sample", "data", b),
          );
      return [z, x];
    });
    const categorical = opts.mean && ir.data.kind === "categorical";
    return {
      latent: latent!,
      latentDim,
      data: data!,
      dataDim,
      ...(categorical && { categories: ir.data.categories ?? 1 }),
    };
  });
}
