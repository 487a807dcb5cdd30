import type { UnaryFn } from "../ir/types.js";

/** Elementwise functions usable in distribution parameters, by written name. */
export const elementwiseFunctions: ReadonlyMap<string, UnaryFn> = new Map<string, UnaryFn>([
  ["exp", "exp"],
  ["log", "log"],
  ["softplus", "softplus"],
  ["sigmoid", "sigmoid"],
  ["tanh", "tanh"],
  ["relu", "relu"],
  ["abs", "abs"],
  ["sqrt", "sqrt"],
  ["square", "square"],
]);

export function lookupElementwiseFunction(name: string): UnaryFn | undefined {
  return elementwiseFunctions.get(name);
}
