import { linear } from "./linear.js";
import { mlp } from "./mlp.js";
import { quadraticLogits } from "./quadratic-logits.js";
import { table } from "./table.js";
import type { NetSignature } from "./types.js";

export * from "./types.js";
export { activations, isPositiveInteger, checkSizeLiteral } from "./architecture.js";

/** The net families a `net` declaration may use, keyed by their written name. */
export const nets: ReadonlyMap<string, NetSignature> = new Map(
  [linear, mlp, table, quadraticLogits].map((n) => [n.name, n]),
);

export function lookupNet(name: string): NetSignature | undefined {
  return nets.get(name);
}

export function netNames(): string[] {
  return [...nets.keys()];
}
