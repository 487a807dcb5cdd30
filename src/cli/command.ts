import type { Command } from "commander";
import type { CliIO } from "./io.js";

/**
 * A parsed command line: which command, its file and options, and how to run it. Parsing
 * never reads a file; `run` does the work and returns the exit status.
 */
export interface Invocation<O extends object = object> {
  kind: string;
  file?: string;
  options: O;
  run(io: CliIO): Promise<number>;
}

/** Called by a command's action with what the command line said. */
export type Accept = (invocation: Invocation) => void;

/** Adds one command to the program; see the list in program.ts. */
export type RegisterCommand = (program: Command, accept: Accept) => void;

/** The "Examples:" block at the end of a command's help. */
export function examplesHelp(lines: readonly [command: string, what: string][]): string {
  const body = lines.map(([c, w]) => `  $ ${c}\n      ${w}`).join("\n");
  return `\nExamples:\n${body}\n`;
}
