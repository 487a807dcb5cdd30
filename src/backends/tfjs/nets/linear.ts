import { applyDense, denseWeights } from "./dense.js";
import type { NetImpl } from "./types.js";

/** linear(a -> b): one affine map, weights `0.W` [a, b] and `0.b` [b]. */
export const linear: NetImpl = {
  kind: "linear",
  weights: denseWeights,
  apply: applyDense,
};
