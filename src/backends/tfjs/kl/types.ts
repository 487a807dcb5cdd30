import type { ParamTensors } from "../distributions/types.js";
import type { Tensor, Tf } from "../tf.js";

/**
 * KL[a ‖ b] between two members of given families, summed over the event dims of
 * `shape` = [N, ...event] → [N]. Parameters follow the conventions of ParamTensors.
 */
export type KlFn = (tf: Tf, a: ParamTensors, b: ParamTensors, shape: number[]) => Tensor;
