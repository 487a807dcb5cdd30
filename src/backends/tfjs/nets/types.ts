import type { Activation, NetIR } from "../../../ir/types.js";
import type { Tensor, Tf } from "../tf.js";

/** How a weight is initialised; seeds are derived per weight name by the compiler. */
export type InitSpec =
  | { kind: "uniform"; bound: number }
  | { kind: "normal"; std: number; mean?: number }
  | { kind: "constant"; value: number };

/** A learned tensor: its stable name (checkpoint key), shape and initialiser. */
export interface WeightSpec {
  name: string;
  shape: number[];
  init: InitSpec;
}

/** A net's result: one tensor, or one per named head. */
export type NetOutput = Tensor | Readonly<Record<string, Tensor>>;

/**
 * A net family on the tfjs backend, keyed by NetIR.kind. `weights` is pure (no tfjs) so
 * checkpoints can be validated without loading tfjs; names are relative to the net
 * (the compiler prefixes `net.<name>.`).
 */
export interface NetImpl {
  readonly kind: string;
  weights(net: NetIR): WeightSpec[];
  /** `weight(local)` returns the variable named by a WeightSpec of this net. */
  apply(tf: Tf, net: NetIR, weight: (local: string) => Tensor, input: Tensor): NetOutput;
}

export function outputSize(net: NetIR): number {
  return net.output.kind === "single"
    ? net.output.size
    : net.output.heads.reduce((s, h) => s + h.size, 0);
}

export function applyActivation(tf: Tf, a: Activation, x: Tensor): Tensor {
  switch (a) {
    case "tanh":
      return tf.tanh(x);
    case "relu":
      return tf.relu(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "softplus":
      return tf.softplus(x);
    case "identity":
      return x;
  }
}

/**
 * Heads are computed by one affine map into their concatenation (one matMul instead of
 * one per head) and split here, in declaration order.
 */
export function splitHeads(tf: Tf, net: NetIR, y: Tensor): NetOutput {
  if (net.output.kind === "single") return y;
  const heads = net.output.heads;
  const parts = tf.split(
    y,
    heads.map((h) => h.size),
    -1,
  );
  const out: Record<string, Tensor> = {};
  heads.forEach((h, i) => (out[h.name] = parts[i]!));
  return out;
}
