import { applyDense, denseWeights } from "./dense.js";
import type { NetImpl } from "./types.js";

/** mlp(a -> h1 -> … -> out): affine layers with the activation between them, none after. */
export const mlp: NetImpl = {
  kind: "mlp",
  weights: denseWeights,
  apply: applyDense,
};
