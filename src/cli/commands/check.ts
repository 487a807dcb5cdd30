import { Option, type Command } from "commander";
import { describeLinearObjective } from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";
import { modelOption, objectiveOption } from "../common-options.js";
import { compileReported } from "../compile.js";
import { oneOf } from "../flags.js";
import type { CliIO } from "../io.js";

export interface CheckOptions {
  emit: "ir" | "ast" | null;
  model?: string;
  objective?: string;
}

export function registerCheck(program: Command, accept: Accept): void {
  program
    .command("check")
    .summary("parse and check a model; print its IR or AST as JSON")
    .description(
      "Parse and check FILE: names, roles, types, shapes and the objective. Prints a one-line " +
        "summary, or with --emit the IR or AST as JSON. Errors point into the file.",
    )
    .argument("<file>", "the .vae model")
    .addOption(
      new Option("--emit <ir|ast>", "print the compiled IR or the parsed AST as JSON").argParser(
        oneOf("ir", "ast"),
      ),
    )
    .addOption(modelOption())
    .addOption(objectiveOption())
    .addHelpText(
      "after",
      examplesHelp([
        ["vae check examples/mnist-vae.vae", "check the model; one line when it is fine"],
        ["vae check examples/beta-vae.vae --emit ir", "the IR the engine trains, as JSON"],
      ]),
    )
    .action((file: string, o: Partial<CheckOptions>) => {
      const options: CheckOptions = {
        emit: o.emit ?? null,
        model: o.model,
        objective: o.objective,
      };
      accept({ kind: "check", file, options, run: (io) => runCheck(io, file, options) });
    });
}

async function runCheck(io: CliIO, file: string, o: CheckOptions): Promise<number> {
  const res = compileReported(io, file, { model: o.model, objective: o.objective });
  if (!res.ir) return 1;
  if (o.emit === "ir") io.stdout.write(JSON.stringify(res.ir, null, 2) + "\n");
  else if (o.emit === "ast") io.stdout.write(JSON.stringify(res.program, null, 2) + "\n");
  else {
    const ir = res.ir;
    const lin = ir.objective.linear ? ` = ${describeLinearObjective(ir.objective.linear)}` : "";
    io.stdout.write(
      `${file}: ok — model ${ir.name}: data ${ir.data.name}, latent ${ir.latent.name}, ` +
        `${ir.nets.length} net(s), objective ${ir.objective.source}${lin}\n`,
    );
  }
  return 0;
}
