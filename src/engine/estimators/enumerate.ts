import { isEnumerable, type ParamTensors } from "../../backends/tfjs/distributions/index.js";
import type { Tensor } from "../../backends/tfjs/tf.js";
import { tileRows } from "./reparam.js";
import type { Estimator } from "./types.js";

/**
 * Exact expectations over a categorical latent with K values: q(z|x) as probabilities
 * [B, K], the decoder evaluated once per value k (it does not depend on x), and
 *   D = −Σ_k q_k log p(x|k),  R = Σ_k q_k (log q_k − log p_k),
 * so the terms and their gradients carry no Monte Carlo noise. iw_bound(k) is the exact
 * log p(x) = log Σ_k p(k) p(x|k): the limit of the bound as k → ∞, whatever k says.
 */
export const enumerateTerms: Estimator = (model, x, opts) => {
  const tf = model.tf;
  const batch = x.shape[0]!;
  if (model.ir.latent.shape.length !== 0) {
    throw new Error("enumerate estimator: the latent must be a single categorical value");
  }
  const encoder = model.distribution("encoder", { data: x });
  const prior = model.distribution("prior", {});
  if (!isEnumerable(encoder.dist) || !isEnumerable(prior.dist)) {
    throw new Error("enumerate estimator: encoder and prior must be categorical");
  }
  const k = encoder.dist.categories(encoder.params);
  const logQ = tf.broadcastTo(encoder.dist.logProbs(tf, encoder.params), [batch, k]);
  const q = tf.exp(logQ);
  const logPrior = prior.dist.logProbs(tf, prior.params);
  const rate = tf.sum(tf.mul(q, tf.sub(logQ, logPrior)), 1);

  // Rows are value-major: row j·B + b pairs latent value j with data point b.
  const values = tf.range(0, k, 1, "int32");
  const decoder = model.distribution("decoder", { latent: values });
  const rowValue = new Int32Array(k * batch);
  for (let j = 0; j < k; j++) rowValue.fill(j, j * batch, (j + 1) * batch);
  const expand = tf.tensor1d(rowValue, "int32");
  const params: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(decoder.params)) {
    params[name] = decoder.batched[name] ? tf.gather(t, expand) : t;
  }
  const logLikKB = decoder.dist.logProb(tf, params as ParamTensors, tileRows(tf, x, k));
  const logLik = tf.transpose(tf.reshape(logLikKB, [k, batch])); // [B, K]
  const distortion = tf.neg(tf.sum(tf.mul(q, logLik), 1));

  const iw = new Map<number, Tensor>();
  if (opts.iwSamples.length > 0) {
    const logMarginal = tf.logSumExp(tf.add(logLik, logPrior), 1);
    for (const s of opts.iwSamples) iw.set(s, logMarginal);
  }
  // One scalar latent: its only dimension carries the whole rate.
  const rateDims = opts.rateByDimension ? tf.reshape(rate, [batch, 1]) : undefined;
  return { distortion, rate, iw, ...(rateDims && { rateDims }) };
};
