import type { OptimizerName } from "../../ir/types.js";
import type { Optimizer, Tf } from "./tf.js";

/** Adam's ε as in Kingma & Ba and PyTorch (tfjs would default to 1e-7). */
export const ADAM_EPSILON = 1e-8;

/**
 * The optimiser for a `train { optimizer: ... }` setting. Adam uses β = (0.9, 0.999) and
 * ε = 1e-8; Adagrad uses tfjs's initial accumulator value 0.1 (TensorFlow's default; set
 * `initial_accumulator_value=0.1` in a PyTorch twin); SGD is plain gradient descent.
 */
export function createOptimizer(tf: Tf, o: { name: OptimizerName; lr: number }): Optimizer {
  switch (o.name) {
    case "adam":
      return tf.train.adam(o.lr, 0.9, 0.999, ADAM_EPSILON);
    case "adagrad":
      return tf.train.adagrad(o.lr);
    case "sgd":
      return tf.train.sgd(o.lr);
  }
}
