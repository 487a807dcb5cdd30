import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { COMMAND_LINE, generateTypeScript } from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";
import { modelOption, objectiveOption } from "../common-options.js";
import { compileReported } from "../compile.js";
import { errorReason, reportDiagnostics, reportUsageError, type CliIO } from "../io.js";

export interface CodegenOptions {
  out?: string;
  model?: string;
  objective?: string;
}

export function registerCodegen(program: Command, accept: Accept): void {
  program
    .command("codegen")
    .summary("the model as a standalone TypeScript module over @tensorflow/tfjs")
    .description(
      "Translate FILE into a standalone TypeScript module over @tensorflow/tfjs (weights, " +
        "forward pass, loss); see docs/codegen.md. Prints it on stdout unless --out is given.",
    )
    .argument("<file>", "the .vae model")
    .option("--out <file.ts>", "write the module to this file instead of stdout")
    .addOption(modelOption())
    .addOption(objectiveOption())
    .addHelpText(
      "after",
      examplesHelp([
        ["vae codegen examples/linear-vae.vae --out linear-vae.ts", "write the module to a file"],
      ]),
    )
    .action((file: string, o: CodegenOptions) => {
      const options: CodegenOptions = { out: o.out, model: o.model, objective: o.objective };
      accept({ kind: "codegen", file, options, run: (io) => runCodegen(io, file, options) });
    });
}

async function runCodegen(io: CliIO, file: string, o: CodegenOptions): Promise<number> {
  const res = compileReported(io, file, { model: o.model, objective: o.objective });
  if (!res.ir) return 1;
  // The IR carries no source spans, so unsupported constructs are reported without a location.
  const generated = await generateTypeScript(res.ir, { file: COMMAND_LINE });
  reportDiagnostics(io, generated.diagnostics, res.sources);
  if (generated.code === undefined) return 1;
  if (o.out === undefined) {
    io.stdout.write(generated.code);
    return 0;
  }
  try {
    await writeFile(o.out, generated.code);
  } catch (e) {
    return reportUsageError(io, {
      option: "--out",
      reason: `cannot write '${o.out}': ${errorReason(e)}`,
      command: "codegen",
    });
  }
  io.stderr.write(`wrote ${o.out}\n`);
  return 0;
}
