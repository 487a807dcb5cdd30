import type { EstimatorName } from "../../ir/types.js";
import { enumerateTerms } from "./enumerate.js";
import { reparamTerms } from "./reparam.js";
import { scoreTerms } from "./score.js";
import type { Estimator } from "./types.js";

export * from "./types.js";
export * from "./objective.js";
export { tensorAlgebra } from "./tensor-algebra.js";
export { reparamTerms } from "./reparam.js";
export { enumerateTerms } from "./enumerate.js";
export { scoreTerms, stopGradient } from "./score.js";
export { ScoreBaselines, BASELINE_DECAY } from "./baselines.js";
export * from "./training-loss.js";
export * from "./variance.js";

/** The estimator implementation for a name. */
export function estimatorFor(name: EstimatorName): Estimator {
  switch (name) {
    case "reparam":
      return reparamTerms;
    case "enumerate":
      return enumerateTerms;
    case "score":
      return scoreTerms;
  }
}
