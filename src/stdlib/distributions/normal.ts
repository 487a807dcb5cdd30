import type { DistributionSignature } from "./types.js";

/**
 * A diagonal Gaussian. `log_scale` is the usual encoder head (Kingma & Welling 2014,
 * App. C.2); `scale` is convenient for fixed priors such as Normal(loc: 0, scale: 1).
 */
export const normal: DistributionSignature = {
  name: "Normal",
  summary: "diagonal Gaussian with mean loc and standard deviation scale = exp(log_scale)",
  support: ["real", "unit"],
  paramGroups: [["loc"], ["scale", "log_scale"]],
  paramShape: "event",
  reparameterizable: true,
  enumerable: false,
  analyticKl: ["Normal"],
};
