/** A position in a source file. `line` and `column` are 1-based; `offset` is 0-based. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open source range [start, end) in one file. */
export interface Span {
  file: string;
  start: Position;
  end: Position;
}

/** A span for things that have no better location (e.g. a command-line flag). */
export function syntheticSpan(file: string): Span {
  const p = { offset: 0, line: 1, column: 1 };
  return { file, start: p, end: p };
}

/** The smallest span covering both `a` and `b` (same file assumed). */
export function joinSpans(a: Span, b: Span): Span {
  return {
    file: a.file,
    start: a.start.offset <= b.start.offset ? a.start : b.start,
    end: a.end.offset >= b.end.offset ? a.end : b.end,
  };
}
