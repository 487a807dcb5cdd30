import type { DistributionSignature } from "./types.js";

/**
 * Independent categorical indices, one per element of the event; the last parameter axis
 * holds the K category scores. Finite support makes exact enumeration possible (the
 * estimator used for the toy model of Alemi et al. 2018).
 */
export const categorical: DistributionSignature = {
  name: "Categorical",
  summary: "an index in 0..K-1 with probabilities probs = softmax(logits) over the last axis",
  support: ["categorical"],
  paramGroups: [["logits", "probs"]],
  paramShape: "event-and-categories",
  reparameterizable: false,
  enumerable: true,
  analyticKl: ["Categorical"],
};
