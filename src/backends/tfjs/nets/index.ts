import type { NetIR } from "../../../ir/types.js";
import { linear } from "./linear.js";
import { mlp } from "./mlp.js";
import { quadraticLogits } from "./quadratic-logits.js";
import { table } from "./table.js";
import type { NetImpl } from "./types.js";

export * from "./types.js";
export { TABLE_INIT_STD } from "./table.js";

/** Backend implementations keyed by NetIR.kind. */
export const netImpls: ReadonlyMap<string, NetImpl> = new Map(
  [linear, mlp, table, quadraticLogits].map((n) => [n.kind, n]),
);

export function netImpl(net: NetIR): NetImpl {
  const impl = netImpls.get(net.kind);
  if (impl === undefined) throw new Error(`no tfjs implementation of net kind '${net.kind}'`);
  return impl;
}
