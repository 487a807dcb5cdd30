import { reportUsageError, type CliIO } from "./io.js";
import { parseCommandLine } from "./parse.js";

export type { CliIO } from "./io.js";

/**
 * Runs one `vae` command line and returns its exit status: 0 done (help and version
 * included), 1 a user mistake, reported as diagnostics. Never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseCommandLine(argv, { helpWidth: io.stdout.columns });
  if ("error" in parsed) return reportUsageError(io, parsed.error);
  if ("output" in parsed) {
    io.stdout.write(parsed.output);
    return 0;
  }
  return parsed.command.run(io);
}
