import { compileFile, hasErrors, type CompileOptions, type CompileResult } from "../index.js";
import { reportDiagnostics, type CliIO } from "./io.js";

/** Compiles FILE, printing its diagnostics; the result's IR is absent when there were errors. */
export function compileReported(io: CliIO, file: string, opts: CompileOptions): CompileResult {
  const res = compileFile(file, opts);
  reportDiagnostics(io, res.diagnostics, res.sources);
  return hasErrors(res.diagnostics) ? { ...res, ir: undefined } : res;
}
