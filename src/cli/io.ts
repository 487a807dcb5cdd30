import {
  COMMAND_LINE,
  dataSourceText,
  diagnostic,
  renderDiagnostics,
  syntheticSpan,
  type Diagnostic,
} from "../index.js";
import type { ProgressStream } from "./progress.js";

/** Where a command writes: the process's streams, or a test's buffers. */
export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** A command-line mistake: which option (or command) and why; reported as `invalid-option`. */
export interface UsageError {
  option: string;
  reason: string;
  /** The command whose usage to point at; absent: the program's. */
  command?: string;
}

/** Prints diagnostics; `sources` holds the texts their spans point into. */
export function reportDiagnostics(
  io: CliIO,
  ds: readonly Diagnostic[],
  sources: Map<string, string> = new Map(),
): void {
  if (ds.length === 0) return;
  const lookup = (f: string) => {
    if (sources.has(f)) return sources.get(f);
    if (f === COMMAND_LINE) return undefined;
    // Data-file and checkpoint diagnostics point into files the frontend never read.
    const text = dataSourceText(f);
    if (text !== undefined) sources.set(f, text);
    return text;
  };
  // A command-line mistake with no text to point into reads `vae: error[code]: ...`.
  const bare = ds.filter((d) => d.span.file === COMMAND_LINE && lookup(d.span.file) === undefined);
  const located = ds.filter((d) => !bare.includes(d));
  for (const d of bare) io.stderr.write(`vae: ${d.severity}[${d.code}]: ${d.message}\n`);
  if (located.length > 0) io.stderr.write(renderDiagnostics(located, lookup) + "\n");
}

/** Reports an `invalid-option` diagnostic and where to read the usage; returns exit status 1. */
export function reportUsageError(io: CliIO, e: UsageError): number {
  reportDiagnostics(io, [
    diagnostic("invalid-option", syntheticSpan(COMMAND_LINE), {
      option: e.option,
      reason: e.reason,
    }),
  ]);
  io.stderr.write(`Run 'vae ${e.command ? e.command + " " : ""}--help' for usage.\n`);
  return 1;
}

/** The OS's reason for a failed file operation, without Node's error-code prefix noise. */
export function errorReason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
