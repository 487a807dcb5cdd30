import type { Diagnostic } from "./diagnostic.js";

/** Where rendering finds source text: a map from file name to its contents. */
export type SourceLookup = (file: string) => string | undefined;

const MAX_LINE = 120;

/**
 * `file:line:col: error[code]: message`, then the source line and a caret under the span.
 * Long lines (data files) are windowed around the span so the caret stays visible.
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup): string {
  const { file, start, end } = d.span;
  const head = `${file}:${start.line}:${start.column}: ${d.severity}[${d.code}]: ${d.message}`;
  const text = sources(file);
  if (text === undefined) return head;
  const lines = text.split(/\r\n|\r|\n/);
  let line = lines[start.line - 1];
  if (line === undefined) return head;
  let caretStart = start.column - 1;
  const caretLen = Math.max(
    1,
    end.line === start.line ? end.column - start.column : line.length - caretStart,
  );
  let prefix = "";
  if (line.length > MAX_LINE) {
    const from = Math.max(0, caretStart - 40);
    const to = Math.min(line.length, from + MAX_LINE);
    prefix = from > 0 ? "..." : "";
    line = prefix + line.slice(from, to) + (to < line.length ? "..." : "");
    caretStart = caretStart - from + prefix.length;
  }
  const gutter = String(start.line).length;
  const pad = " ".repeat(gutter);
  const caret = " ".repeat(Math.max(0, caretStart)) + "^".repeat(Math.min(caretLen, MAX_LINE));
  return `${head}\n${pad} |\n${start.line} | ${line}\n${pad} | ${caret}`;
}

export function renderDiagnostics(ds: readonly Diagnostic[], sources: SourceLookup): string {
  return ds.map((d) => renderDiagnostic(d, sources)).join("\n\n");
}
