import { diagnostic, type Diagnostic, type Result } from "../../diagnostics/index.js";
import type { NetIR } from "../../ir/types.js";
import type { Call } from "../../syntax/ast.js";
import { checkActivation, splitNetCall } from "./architecture.js";
import type { NetSignature } from "./types.js";

/**
 * A multilayer perceptron: affine layers with an activation after each hidden layer and
 * an affine output (Kingma & Welling 2014, App. C.1 and C.2 use tanh with one hidden layer).
 */
export const mlp: NetSignature = {
  name: "mlp",
  summary: "multilayer perceptron: in -> hidden... -> out, activation after each hidden layer",
  input: "vector",
  checkDefinition(netName: string, call: Call): Result<NetIR> {
    const diagnostics: Diagnostic[] = [];
    const { architecture, named } = splitNetCall("mlp", call, ["activation"], diagnostics);
    const activation = checkActivation("mlp", named.get("activation"), "tanh", diagnostics);
    if (architecture !== undefined && architecture.sizes.length < 2) {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "mlp",
          reason: "it needs at least one hidden layer (use linear for none)",
        }),
      );
    }
    if (diagnostics.length > 0 || architecture === undefined || activation === undefined) {
      return { diagnostics };
    }
    const [inputSize, ...hidden] = architecture.sizes as [number, ...number[]];
    return {
      value: {
        name: netName,
        kind: "mlp",
        inputSize,
        hidden,
        activation,
        output: architecture.output,
      },
      diagnostics,
    };
  },
};
