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
   * distributions over categories the event shape followed by K, or for mixtures
   * ("components-and-event") K components followed by the event shape, except the
   * `componentParam`, which has shape [K] and so fixes K.
   */
  paramShape: "event" | "event-and-categories" | "components-and-event";
  /** For "components-and-event": the parameter whose last axis counts the components. */
  componentParam?: string;
  /** Samples are a differentiable function of the parameters (pathwise gradients). */
  reparameterizable: boolean;
  /** The support is finite, so expectations can be computed exactly by summation. */
  enumerable: boolean;
  /**
   * Families b for which KL[this ‖ b] has a closed form that every backend implements
   * (SGVB estimator B); absent: none. Lets tools say which rate estimator a model gets
   * without loading a backend.
   */
  analyticKl?: readonly string[];
}

/** Every parameter name the family accepts, in declaration order. */
export function parameterNames(sig: DistributionSignature): string[] {
  return sig.paramGroups.flat();
}

/**
 * The shape each parameter of `sig` must broadcast to when it is a distribution over `v`.
 * Mixtures also need the parameter's name and the component count K (componentCount).
 */
export function requiredParamShape(
  sig: DistributionSignature,
  v: Pick<VariableIR, "shape" | "categories">,
  param?: string,
  components?: number,
): Shape {
  if (sig.paramShape === "event") return [...v.shape];
  if (sig.paramShape === "components-and-event") {
    if (components === undefined) {
      throw new Error(`requiredParamShape: ${sig.name} needs the number of components`);
    }
    return param === sig.componentParam ? [components] : [components, ...v.shape];
  }
  if (v.categories === undefined) {
    throw new Error(`requiredParamShape: ${sig.name} needs a categorical variable`);
  }
  return [...v.shape, v.categories];
}

/**
 * K for a mixture: the last axis of its component parameter as written, or undefined when
 * that parameter is missing or a scalar (then nothing fixes K). Undefined for non-mixtures.
 */
export function componentCount(
  sig: DistributionSignature,
  written: Readonly<Record<string, Shape | undefined>>,
): number | undefined {
  if (sig.paramShape !== "components-and-event" || sig.componentParam === undefined) return;
  const shape = written[sig.componentParam];
  return shape === undefined || shape.length === 0 ? undefined : shape[shape.length - 1];
}
