import { outputSize, type NetImpl } from "./types.js";

/**
 * quadratic_logits(K -> n): logits_i(j) = −(w_i·s − b_i)² at the position s = j/(K−1)
 * of index j (s = 0 when K = 1); weights `w` [n] and `b` [n], both ~ N(0, 1) so the
 * initial conditionals differ between outputs and are neither flat nor peaked.
 */
export const quadraticLogits: NetImpl = {
  kind: "quadratic_logits",
  weights(net) {
    const n = outputSize(net);
    return [
      { name: "w", shape: [n], init: { kind: "normal", std: 1 } },
      { name: "b", shape: [n], init: { kind: "normal", std: 1 } },
    ];
  },
  apply(tf, net, weight, input) {
    const positions = tf.cast(input, "float32");
    const s = net.inputSize > 1 ? tf.div(positions, net.inputSize - 1) : tf.mul(positions, 0);
    // [..., 1] against [n]: one parabola per output.
    const u = tf.sub(tf.mul(tf.expandDims(s, -1), weight("w")), weight("b"));
    return tf.neg(tf.square(u));
  },
};
