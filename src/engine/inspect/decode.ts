import type { Tensor } from "../../backends/tfjs/tf.js";
import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { ModelIR } from "../../ir/types.js";
import type { NamedWeights } from "../types.js";
import { collectRows } from "./rows.js";
import { withLoadedModel, type InspectOptions } from "./session.js";
import { latentRowProblems, meanWidth, valueWidth, variableTensor } from "./variables.js";

/** E[x|z] for a batch of latent values z (as the model takes them), [rows, ...data(, K)]. */
export function decodedMean(model: CompiledModel, z: Tensor): Tensor {
  const decoder = model.distribution("decoder", { latent: z });
  return decoder.dist.mean(model.tf, decoder.params, [z.shape[0]!, ...model.ir.data.shape]);
}

/**
 * E[x|z] for the given latent rows z [rows, latentDim]: [rows, dataDim] (K probabilities
 * per index for categorical data). Throws when `z` does not fit (see latentRowProblems).
 */
export async function decodeLatents(
  ir: ModelIR,
  weights: NamedWeights,
  z: Float32Array,
  rows: number,
  opts: InspectOptions = {},
): Promise<Float32Array> {
  const problems = latentRowProblems(ir, z, rows);
  if (problems.length > 0) throw new Error(`decodeLatents: ${problems.join("; ")}`);
  const width = valueWidth(ir.latent);
  return withLoadedModel(ir, weights, opts, async (model) => {
    const tf = model.tf;
    const [x] = await collectRows(tf, rows, [meanWidth(ir.data)], (start, size) => {
      const zb = variableTensor(
        tf,
        ir.latent,
        z.subarray(start * width, (start + size) * width),
        size,
      );
      return [decodedMean(model, zb)];
    });
    return x!;
  });
}
