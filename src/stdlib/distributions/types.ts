import type { Shape, ValueKind, VariableIR } from "../../ir/types.js";

/**
 * What the checker needs to know about a distribution family; the sampling and density
 * code lives in the backends, keyed by `name`.
 */
export interface DistributionSignature {
  /** The name written in programs and used as the registry key, e.g. "Normal". */
  name: string;
  /** One line for docs and `vae explain`. */
  summary: string;
  /** Kinds of variable this family is a distribution over. */
  support: readonly ValueKind[];
  /**
   * Parameterizations as groups: from each group exactly one name must be given. A group
   * of one name is a required parameter; `["scale", "log_scale"]` offers alternatives.
   */
  paramGroups: readonly (readonly string[])[];
  /**
   * The shape every parameter must broadcast to: the variable's event shape, or for
   * distributions over categories the event shape followed by K.
   */
  paramShape: "event" | "event-and-categories";
  /** Samples are a differentiable function of the parameters (pathwise gradients). */
  reparameterizable: boolean;
  /** The support is finite, so expectations can be computed exactly by summation. */
  enumerable: boolean;
}

/** Every parameter name the family accepts, in declaration order. */
export function parameterNames(sig: DistributionSignature): string[] {
  return sig.paramGroups.flat();
}

/** The shape each parameter of `sig` must broadcast to when it is a distribution over `v`. */
export function requiredParamShape(
  sig: DistributionSignature,
  v: Pick<VariableIR, "shape" | "categories">,
): Shape {
  if (sig.paramShape === "event") return [...v.shape];
  if (v.categories === undefined) {
    throw new Error(`requiredParamShape: ${sig.name} needs a categorical variable`);
  }
  return [...v.shape, v.categories];
}
