import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import type { Algebra } from "./objective.js";

/** The objective algebra over scalar tensors (differentiable; abs/max/min by subgradient). */
export function tensorAlgebra(tf: Tf): Algebra<Tensor> {
  return {
    constant: (v) => tf.scalar(v),
    add: (a, b) => tf.add(a, b),
    sub: (a, b) => tf.sub(a, b),
    mul: (a, b) => tf.mul(a, b),
    div: (a, b) => tf.div(a, b),
    neg: (a) => tf.neg(a),
    abs: (a) => tf.abs(a),
    max: (a, b) => tf.maximum(a, b),
    min: (a, b) => tf.minimum(a, b),
  };
}
