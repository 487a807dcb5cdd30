import type { DistributionSignature } from "./types.js";

/**
 * A finite mixture of K diagonal Gaussians over the whole event: component c has weight
 * softmax(logits)_c, mean loc[c] and standard deviation exp(log_scale[c]). As a prior it
 * is the learned multimodal marginal m(z) of Alemi et al. (2018) in its Gaussian-mixture
 * form. `logits` has shape [K] and fixes K; `loc` and `log_scale` broadcast to
 * [K, ...event]. Sampling picks a component, so samples are not reparameterised, and
 * neither the entropy nor a KL against it has a closed form (the rate is estimated by
 * Monte Carlo).
 */
export const mixtureNormal: DistributionSignature = {
  name: "MixtureNormal",
  summary:
    "mixture of K diagonal Gaussians: weights softmax(logits) [K], loc and scale = exp(log_scale) [K, ...event]",
  support: ["real"],
  paramGroups: [["logits"], ["loc"], ["scale", "log_scale"]],
  paramShape: "components-and-event",
  componentParam: "logits",
  reparameterizable: false,
  enumerable: false,
};
