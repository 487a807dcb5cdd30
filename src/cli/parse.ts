import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { Invocation } from "./command.js";
import { alternatives } from "./flags.js";
import type { UsageError } from "./io.js";
import { buildProgram } from "./program.js";

/**
 * What a command line says: a command to run, text to print (help, version), or a usage
 * mistake. Parsing reads no file and never throws for user mistakes.
 */
export type ParsedArgs = { command: Invocation } | { output: string } | { error: UsageError };

/** Parses argv (without `node` and the script). */
export function parseCommandLine(
  argv: readonly string[],
  opts: { helpWidth?: number } = {},
): ParsedArgs {
  let accepted: Invocation | undefined;
  let output = "";
  let current: Command | undefined;
  let invalid: UsageError | undefined;
  const program = buildProgram(
    (inv) => (accepted = inv),
    (s) => (output += s),
    opts.helpWidth,
  );
  program.hook("preSubcommand", (_parent, sub) => {
    current = sub;
  });
  for (const cmd of [program, ...program.commands])
    recordInvalidValues(cmd, (option, reason) => {
      invalid = { option, reason, command: cmd === program ? undefined : cmd.name() };
    });
  try {
    // No arguments at all asks for the overview, as --help does.
    program.parse(argv.length === 0 ? ["--help"] : [...argv], { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return { output };
    // `vae help NAME` for an unknown NAME ends in commander printing the overview as an error.
    if (e.code === "commander.help" && argv[0] === "help" && argv[1] !== undefined)
      return { error: unknownCommand(program, argv[1]) };
    return { error: invalid ?? usageErrorOf(e, program, current) };
  }
  return accepted ? { command: accepted } : { output };
}

/**
 * Commander reports a value its argParser rejected only as text; this keeps the option
 * and our reason, so the diagnostic reads `option --epochs: expects ...`.
 */
function recordInvalidValues(cmd: Command, record: (option: string, reason: string) => void) {
  for (const option of cmd.options) {
    const parse = option.parseArg;
    if (parse === undefined) continue;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse(value, previous);
      } catch (e) {
        if (e instanceof InvalidArgumentError) record(option.long ?? option.flags, e.message);
        throw e;
      }
    };
  }
}

/** Our wording of the mistakes commander finds itself. */
function usageErrorOf(e: CommanderError, program: Command, sub: Command | undefined): UsageError {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? "";
  const flag = quoted.split(/[ ,]/)[0]!;
  const name = sub?.name();
  const at = { command: name };
  switch (e.code) {
    case "commander.unknownOption": {
      const hint = /\(Did you mean (.+)\?\)/.exec(e.message)?.[1];
      return {
        option: flag,
        reason:
          `is not an option of 'vae${name ? " " + name : ""}'` +
          (hint ? ` (did you mean ${hint}?)` : ""),
        ...at,
      };
    }
    case "commander.unknownCommand":
      return unknownCommand(program, quoted, /\(Did you mean (.+)\?\)/.exec(e.message)?.[1]);
    case "commander.missingArgument":
      return { option: name ?? "vae", reason: "expects a .vae file", ...at };
    case "commander.excessArguments": {
      const expected = sub?.registeredArguments.length ?? 0;
      const got = sub?.args ?? [];
      const what =
        expected === 0 ? "takes no arguments" : expected === 1 ? "expects one file" : "expects";
      return {
        option: name ?? "vae",
        reason: `${what}, got ${got.length}: ${got.join(" ")}`,
        ...at,
      };
    }
    case "commander.optionMissingArgument":
      return {
        option: flag,
        reason: `is missing its value ${quoted.slice(flag.length).trim()}`,
        ...at,
      };
    case "commander.missingMandatoryOptionValue": {
      const option = sub?.options.find((o) => o.long === flag);
      return { option: flag, reason: `is required: ${option?.description ?? "see --help"}`, ...at };
    }
    default:
      return { option: name ?? "vae", reason: e.message.replace(/^error: /, ""), ...at };
  }
}

function unknownCommand(program: Command, name: string, hint?: string): UsageError {
  const names = program.commands.map((c) => c.name());
  return {
    option: name,
    reason:
      `unknown command (expected ${alternatives(names)})` + (hint ? `; did you mean ${hint}?` : ""),
  };
}
