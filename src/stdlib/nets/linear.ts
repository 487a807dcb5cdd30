import { diagnostic, type Diagnostic, type Result } from "../../diagnostics/index.js";
import type { NetIR } from "../../ir/types.js";
import type { Call } from "../../syntax/ast.js";
import { splitNetCall } from "./architecture.js";
import type { NetSignature } from "./types.js";

/** An affine map W x + b (one per head when the output names heads). */
export const linear: NetSignature = {
  name: "linear",
  summary: "affine map in -> out (no hidden layer)",
  input: "vector",
  checkDefinition(netName: string, call: Call): Result<NetIR> {
    const diagnostics: Diagnostic[] = [];
    const { architecture } = splitNetCall("linear", call, [], diagnostics);
    if (architecture !== undefined && architecture.sizes.length !== 1) {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "linear",
          reason: "it maps its input directly to its output (use mlp for hidden layers)",
        }),
      );
    }
    if (diagnostics.length > 0 || architecture === undefined) return { diagnostics };
    return {
      value: {
        name: netName,
        kind: "linear",
        inputSize: architecture.sizes[0]!,
        hidden: [],
        activation: "identity",
        output: architecture.output,
      },
      diagnostics,
    };
  },
};
