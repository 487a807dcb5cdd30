import type { OptimizerName } from "../../ir/types.js";
import { createFusedAdam } from "./fused-adam.js";
import type { Optimizer, Tf } from "./tf.js";

/** Adam's ε as in Kingma & Ba and PyTorch (tfjs would default to 1e-7). */
export const ADAM_EPSILON = 1e-8;

/**
 * How Adam is run: "fused" updates each variable with one loop over the wasm heap
 * (fused-adam.ts; wasm only), "tfjs" is `tf.train.adam`, "auto" is fused on wasm.
 */
export type AdamImplementation = "auto" | "fused" | "tfjs";

/**
 * The optimiser for a `train { optimizer: ... }` setting. Adam uses β = (0.9, 0.999) and
 * ε = 1e-8; Adagrad uses tfjs's initial accumulator value 0.1 (TensorFlow's default; set
 * `initial_accumulator_value=0.1` in a PyTorch twin); SGD is plain gradient descent.
 */
export function createOptimizer(
  tf: Tf,
  o: { name: OptimizerName; lr: number },
  adam: AdamImplementation = "auto",
): Optimizer {
  switch (o.name) {
    case "adam": {
      const wasm = tf.getBackend() === "wasm";
      if (adam === "fused" && !wasm) throw new Error("fused Adam needs the wasm backend");
      if (adam === "fused" || (adam === "auto" && wasm)) {
        return createFusedAdam(tf, { lr: o.lr, beta1: 0.9, beta2: 0.999, epsilon: ADAM_EPSILON });
      }
      return tf.train.adam(o.lr, 0.9, 0.999, ADAM_EPSILON);
    }
    case "adagrad":
      return tf.train.adagrad(o.lr);
    case "sgd":
      return tf.train.sgd(o.lr);
  }
}
