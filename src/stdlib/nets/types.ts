import type { Result } from "../../diagnostics/diagnostic.js";
import type { Call } from "../../syntax/ast.js";
import type { NetIR } from "../../ir/types.js";

/**
 * A net family: validates its definition call and says what input it takes. The weights
 * and forward pass live in the backends, keyed by `name`.
 */
export interface NetSignature {
  /** The name written in programs (`mlp(...)`) and stored in NetIR.kind. */
  name: string;
  summary: string;
  /**
   * "vector": a real vector of shape [inputSize], or a tensor of rank ≥ 2 holding inputSize
   * values (flattened row-major by lowering); "index": a categorical<inputSize> index
   * (any index shape s gives an output of shape s + [outputSize]).
   */
  input: "vector" | "index";
  /** Checks `net <netName> = <call>` and returns the net, or the diagnostics found. */
  checkDefinition(netName: string, call: Call): Result<NetIR>;
}
