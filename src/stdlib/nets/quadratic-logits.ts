import { diagnostic, type Diagnostic, type Result } from "../../diagnostics/index.js";
import type { NetIR } from "../../ir/types.js";
import type { Call } from "../../syntax/ast.js";
import { splitNetCall } from "./architecture.js";
import type { NetSignature } from "./types.js";

/**
 * The restricted encoder/decoder of Alemi et al. (2018, §4): an index j in 0..K-1 is read
 * as the position s = j/(K−1) in [0, 1], and output i is the logit −(w_i·s − b_i)², so
 * e(z_i|x_j) ∝ exp(−(w_i x_j − b_i)²) with two weights per output. Unlike a table it
 * cannot represent every conditional, which makes the rate–distortion frontier curved.
 */
export const quadraticLogits: NetSignature = {
  name: "quadratic_logits",
  summary: "index K -> out logits −(w_i·j/(K−1) − b_i)², two weights per output",
  input: "index",
  checkDefinition(netName: string, call: Call): Result<NetIR> {
    const diagnostics: Diagnostic[] = [];
    const { architecture } = splitNetCall("quadratic_logits", call, [], diagnostics);
    if (architecture !== undefined && architecture.sizes.length !== 1) {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "quadratic_logits",
          reason: "it maps an index straight to logits (K -> out); it has no hidden layers",
        }),
      );
    } else if (architecture !== undefined && architecture.output.kind === "heads") {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "quadratic_logits",
          reason: "it has a single output (declare one net per head)",
        }),
      );
    }
    if (diagnostics.length > 0 || architecture === undefined) return { diagnostics };
    return {
      value: {
        name: netName,
        kind: "quadratic_logits",
        inputSize: architecture.sizes[0]!,
        hidden: [],
        activation: "identity",
        output: architecture.output,
      },
      diagnostics,
    };
  },
};
