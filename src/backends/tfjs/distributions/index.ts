import { bernoulli } from "./bernoulli.js";
import { categorical } from "./categorical.js";
import { mixtureNormal } from "./mixture-normal.js";
import { normal } from "./normal.js";
import type { DistributionImpl } from "./types.js";

export * from "./types.js";
export { normalParts } from "./normal.js";
export { bernoulliParts } from "./bernoulli.js";

/** Backend implementations keyed by the IR `dist` name (the stdlib signature's name). */
export const distributionImpls: ReadonlyMap<string, DistributionImpl> = new Map(
  [normal, bernoulli, categorical, mixtureNormal].map((d) => [d.name, d]),
);

export function distributionImpl(name: string): DistributionImpl {
  const d = distributionImpls.get(name);
  if (d === undefined) throw new Error(`no tfjs implementation of distribution '${name}'`);
  return d;
}
