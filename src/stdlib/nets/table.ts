import { diagnostic, type Diagnostic, type Result } from "../../diagnostics/index.js";
import type { NetIR } from "../../ir/types.js";
import type { Call } from "../../syntax/ast.js";
import { splitNetCall } from "./architecture.js";
import type { NetSignature } from "./types.js";

/**
 * A lookup table: row i is a free vector, selected by a categorical index i. With a
 * categorical data and latent this is the fully tabular model of Alemi et al. 2018.
 */
export const table: NetSignature = {
  name: "table",
  summary: "lookup table K -> out: a learned row of size out for each index 0..K-1",
  input: "index",
  checkDefinition(netName: string, call: Call): Result<NetIR> {
    const diagnostics: Diagnostic[] = [];
    const { architecture } = splitNetCall("table", call, [], diagnostics);
    if (architecture !== undefined && architecture.sizes.length !== 1) {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "table",
          reason: "a table maps an index straight to a row (K -> out); it has no hidden layers",
        }),
      );
    } else if (architecture !== undefined && architecture.output.kind === "heads") {
      diagnostics.push(
        diagnostic("invalid-architecture", architecture.arrow.span, {
          net: "table",
          reason: "a table has a single output (declare one table per head)",
        }),
      );
    }
    if (diagnostics.length > 0 || architecture === undefined) return { diagnostics };
    return {
      value: {
        name: netName,
        kind: "table",
        inputSize: architecture.sizes[0]!,
        hidden: [],
        activation: "identity",
        output: architecture.output,
      },
      diagnostics,
    };
  },
};
