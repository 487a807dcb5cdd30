import type { Command } from "commander";
import { explainEstimators, explainObjective } from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";
import { modelOption, objectiveOption } from "../common-options.js";
import { compileReported } from "../compile.js";
import type { CliIO } from "../io.js";

export interface ExplainOptions {
  model?: string;
  objective?: string;
}

export function registerExplain(program: Command, accept: Accept): void {
  program
    .command("explain")
    .summary("how the objective reduces to distortion, rate and entropy")
    .description(
      "Show how FILE's objective (or --objective) reduces to distortion D, rate R and " +
        "entropy H, and which estimator computes each term.",
    )
    .argument("<file>", "the .vae model")
    .addOption(modelOption())
    .addOption(objectiveOption())
    .addHelpText(
      "after",
      examplesHelp([
        ["vae explain examples/infomax.vae", "infomax(lambda: 1) as a weighted sum of D and R"],
        [
          `vae explain examples/mnist-vae.vae --objective "beta_vae(beta: 4)"`,
          "the same for another objective",
        ],
      ]),
    )
    .action((file: string, o: ExplainOptions) => {
      const options: ExplainOptions = { model: o.model, objective: o.objective };
      accept({ kind: "explain", file, options, run: (io) => runExplain(io, file, options) });
    });
}

async function runExplain(io: CliIO, file: string, o: ExplainOptions): Promise<number> {
  const res = compileReported(io, file, { model: o.model, objective: o.objective });
  if (!res.ir) return 1;
  io.stdout.write(explainObjective(res.ir.objective) + "\n");
  io.stdout.write(explainEstimators(res.ir) + "\n");
  return 0;
}
