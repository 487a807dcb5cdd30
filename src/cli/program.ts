import { Command, Help, type Option } from "commander";
import { packageVersion } from "../index.js";
import type { Accept, RegisterCommand } from "./command.js";
import { registerCheck } from "./commands/check.js";
import { registerCodegen } from "./commands/codegen.js";
import { registerCompare } from "./commands/compare.js";
import { registerDatasets } from "./commands/datasets.js";
import { registerEval } from "./commands/eval.js";
import { registerExplain } from "./commands/explain.js";
import { registerEncode } from "./commands/encode.js";
import { registerReconstruct } from "./commands/reconstruct.js";
import { registerSample } from "./commands/sample.js";
import { registerTrain } from "./commands/train.js";
import { registerTraverse } from "./commands/traverse.js";

/** Every command, in the order `vae --help` lists them. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerCheck,
  registerExplain,
  registerTrain,
  registerEval,
  registerCompare,
  registerSample,
  registerReconstruct,
  registerEncode,
  registerTraverse,
  registerCodegen,
  registerDatasets,
];

const EPILOGUE = `
FILE is a .vae model. --objective takes an objective expression, e.g. "beta_vae(beta: 0.5)",
and overrides the file's. Errors are printed as file:line:col: error[code]: message, and the
exit status is 1; docs/diagnostics.md lists every code.

Run 'vae help COMMAND' or 'vae COMMAND --help' for a command's options and examples.
`;

/**
 * The `vae` program. It never exits the process or prints by itself: help and version text
 * go to `write`, errors are thrown as CommanderError (see parse.ts), and each command's
 * action hands its parsed command line to `accept`.
 */
export function buildProgram(accept: Accept, write: (s: string) => void, helpWidth = 80): Command {
  const program = new Command("vae")
    .description(
      "Vaelang: declarative variational autoencoders. Check a .vae model, train it with " +
        "AEVB, evaluate and inspect what it learned.",
    )
    .usage("COMMAND [options]")
    .version(`vaelang ${packageVersion()}`, "-v, --version", "print the version")
    .helpOption("-h, --help", "print this help")
    .helpCommand("help [command]", "print the usage of a command")
    .exitOverride()
    .configureOutput({
      writeOut: write,
      writeErr: write,
      outputError: () => {},
      getOutHelpWidth: () => helpWidth,
      getErrHelpWidth: () => helpWidth,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({ optionDescription })
    .showSuggestionAfterError(true)
    .addHelpText("after", EPILOGUE);
  for (const register of COMMANDS) register(program, accept);
  return program;
}

/** Commander's description plus "(required)" for mandatory options. */
function optionDescription(this: Help, option: Option): string {
  const base = Help.prototype.optionDescription.call(this, option);
  return option.mandatory ? `${base} (required)` : base;
}
