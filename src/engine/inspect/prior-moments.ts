import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { Tensor } from "../../backends/tfjs/tf.js";

/** The prior's mean and standard deviation per latent dimension (flattened). */
export interface PriorMoments {
  mean: number[];
  sd: number[];
}

/**
 * E[z] and sd[z] under p(z) from the family's moments (a learned or mixture prior
 * included); null when the family has no standard deviation (categories).
 */
export async function priorMoments(model: CompiledModel): Promise<PriorMoments | null> {
  const tf = model.tf;
  const shape = [1, ...model.ir.latent.shape];
  const parts: Tensor[] = tf.tidy(() => {
    const prior = model.distribution("prior", {});
    const sd = prior.dist.stddev(tf, prior.params, shape);
    return sd === null ? [] : [prior.dist.mean(tf, prior.params, shape), sd];
  });
  if (parts.length === 0) return null;
  try {
    const [mean, sd] = await Promise.all(parts.map((t) => t.data()));
    return { mean: Array.from(mean!), sd: Array.from(sd!) };
  } finally {
    tf.dispose(parts);
  }
}
