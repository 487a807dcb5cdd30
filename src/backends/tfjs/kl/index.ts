import { bernoulliBernoulli } from "./bernoulli-bernoulli.js";
import { categoricalCategorical } from "./categorical-categorical.js";
import { normalNormal } from "./normal-normal.js";
import type { KlFn } from "./types.js";

export type { KlFn } from "./types.js";

/** Closed-form KL divergences keyed by "<family of a>|<family of b>" for KL[a ‖ b]. */
export const klRegistry: ReadonlyMap<string, KlFn> = new Map([
  ["Normal|Normal", normalNormal],
  ["Bernoulli|Bernoulli", bernoulliBernoulli],
  ["Categorical|Categorical", categoricalCategorical],
]);

/** The analytic KL[a ‖ b] for the pair, or undefined when there is none. */
export function analyticKl(a: string, b: string): KlFn | undefined {
  return klRegistry.get(`${a}|${b}`);
}
