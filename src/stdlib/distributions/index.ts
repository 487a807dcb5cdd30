import { bernoulli } from "./bernoulli.js";
import { categorical } from "./categorical.js";
import { mixtureNormal } from "./mixture-normal.js";
import { normal } from "./normal.js";
import type { DistributionSignature } from "./types.js";

export * from "./types.js";

/** The distribution families a program may name, keyed by their written name. */
export const distributions: ReadonlyMap<string, DistributionSignature> = new Map(
  [normal, bernoulli, categorical, mixtureNormal].map((d) => [d.name, d]),
);

export function lookupDistribution(name: string): DistributionSignature | undefined {
  return distributions.get(name);
}

export function distributionNames(): string[] {
  return [...distributions.keys()];
}
