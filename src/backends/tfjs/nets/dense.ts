import type { NetIR } from "../../../ir/types.js";
import type { Tensor, Tf } from "../tf.js";
import {
  applyActivation,
  outputSize,
  splitHeads,
  type NetOutput,
  type WeightSpec,
} from "./types.js";

/**
 * Affine layers `${i}.W` [in, out] and `${i}.b` [out] for i = 0..hidden.length, stored so
 * that y = x·W + b is a plain matMul (no transpose flags, which are slow on wasm).
 * Initialised like PyTorch's nn.Linear: W, b ~ U(−1/√fan_in, 1/√fan_in).
 */
export function denseWeights(net: NetIR): WeightSpec[] {
  const sizes = [net.inputSize, ...net.hidden, outputSize(net)];
  const specs: WeightSpec[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i]!;
    const bound = 1 / Math.sqrt(fanIn);
    specs.push({ name: `${i}.W`, shape: [fanIn, sizes[i + 1]!], init: { kind: "uniform", bound } });
    specs.push({ name: `${i}.b`, shape: [sizes[i + 1]!], init: { kind: "uniform", bound } });
  }
  return specs;
}

export function applyDense(
  tf: Tf,
  net: NetIR,
  weight: (local: string) => Tensor,
  input: Tensor,
): NetOutput {
  const lead = input.shape.slice(0, -1);
  let h = input.dtype === "float32" ? input : tf.cast(input, "float32");
  // matMul wants rank 2: fold any leading dims (batch, or none for an unbatched input).
  if (h.rank !== 2) h = tf.reshape(h, [-1, net.inputSize]);
  const layers = net.hidden.length + 1;
  for (let i = 0; i < layers; i++) {
    h = tf.add(tf.matMul(h, weight(`${i}.W`)), weight(`${i}.b`));
    if (i + 1 < layers) h = applyActivation(tf, net.activation, h);
  }
  if (lead.length !== 1) h = tf.reshape(h, [...lead, outputSize(net)]);
  return splitHeads(tf, net, h);
}
