import type { DistributionSignature } from "./types.js";

/** Independent Bernoulli variables, one per element of a binary event. */
export const bernoulli: DistributionSignature = {
  name: "Bernoulli",
  summary: "independent 0/1 variables with probabilities probs = sigmoid(logits)",
  support: ["binary"],
  paramGroups: [["logits", "probs"]],
  paramShape: "event",
  reparameterizable: false,
  enumerable: false,
  analyticKl: ["Bernoulli"],
};
