import { outputSize, splitHeads, type NetImpl } from "./types.js";

/**
 * Standard deviation of the initial table entries. Tables mostly hold logits; small
 * values start every row near the uniform distribution (so no bin is favoured by chance)
 * while still breaking the symmetry between rows, as nn.init.normal_(std=0.01) would.
 */
export const TABLE_INIT_STD = 0.01;

/** table(K -> n): a K×n weight `table`; row i is the output for index i (a gather). */
export const table: NetImpl = {
  kind: "table",
  weights(net) {
    return [
      {
        name: "table",
        shape: [net.inputSize, outputSize(net)],
        init: { kind: "normal", std: TABLE_INIT_STD },
      },
    ];
  },
  apply(tf, net, weight, input) {
    const idx = input.dtype === "int32" ? input : tf.cast(input, "int32");
    return splitHeads(tf, net, tf.gather(weight("table"), idx));
  },
};
