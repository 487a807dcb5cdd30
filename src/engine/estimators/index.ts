import type { EstimatorName } from "../../ir/types.js";
import { enumerateTerms } from "./enumerate.js";
import { reparamTerms } from "./reparam.js";
import type { Estimator } from "./types.js";

export * from "./types.js";
export * from "./objective.js";
export { tensorAlgebra } from "./tensor-algebra.js";
export { reparamTerms } from "./reparam.js";
export { enumerateTerms } from "./enumerate.js";

/** The estimator implementation for a name; "score" is rejected by the checker upstream. */
export function estimatorFor(name: EstimatorName): Estimator {
  switch (name) {
    case "reparam":
      return reparamTerms;
    case "enumerate":
      return enumerateTerms;
    case "score":
      throw new Error("the score-function estimator is not implemented in the tfjs engine");
  }
}
