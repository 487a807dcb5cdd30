import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import type { VariableIR } from "../ir/types.js";
import type { DataResult, Dataset } from "./types.js";
import {
  KindCode,
  describeLegalValues,
  isLegalValue,
  kindCode,
  variableWidth,
} from "./values.js";

/** A file stops being read after this many errors: the rest are usually the same mistake. */
export const MAX_ERRORS_PER_FILE = 5;

/** `amat`: values separated by spaces or tabs; `csv`: separated by commas. */
export type TextDelimiter = "whitespace" | "comma";

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const COMMA = 44;
const QUOTE = 34;

const POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * The decimal number spelled by bytes [start, end), or NaN when they do not spell one
 * (`nan`, `inf`, hex and empty fields included). Numbers with at most 15 significant
 * digits and a decimal exponent within ±22 are assembled exactly (Clinger's fast path:
 * an exact integer times or divided by an exact power of ten rounds once); anything
 * else is handed to Number(), which rounds correctly.
 */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (b[i] === 45 || b[i] === 43)) {
    negative = b[i] === 45;
    i++;
  }
  let mantissa = 0;
  let significant = 0;
  let exp10 = 0;
  let digits = 0;
  let exact = true;
  while (i < end) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    digits++;
    if (mantissa !== 0 || c !== 0) {
      if (significant < 15) {
        mantissa = mantissa * 10 + c;
        significant++;
      } else {
        exact = false;
        exp10++;
      }
    }
    i++;
  }
  if (i < end && b[i] === 46) {
    i++;
    while (i < end) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      digits++;
      if (mantissa !== 0 || c !== 0) {
        if (significant < 15) {
          mantissa = mantissa * 10 + c;
          significant++;
          exp10--;
        } else {
          exact = false;
        }
      } else {
        exp10--;
      }
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < end && (b[i] === 45 || b[i] === 43)) {
      expNegative = b[i] === 45;
      i++;
    }
    let e = 0;
    let expDigits = 0;
    while (i < end) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      if (e < 100000) e = e * 10 + c;
      expDigits++;
      i++;
    }
    if (expDigits === 0) return NaN;
    exp10 += expNegative ? -e : e;
  }
  if (i !== end) return NaN;
  if (mantissa === 0) return negative ? -0 : 0;
  if (!exact || exp10 > 22 || exp10 < -22) return Number(latin1(b, start, end));
  const magnitude = exp10 >= 0 ? mantissa * POW10[exp10] : mantissa / POW10[-exp10];
  return negative ? -magnitude : magnitude;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** The token text for a message: decoded as UTF-8 and shortened so a message stays one line. */
function tokenText(b: Uint8Array, start: number, end: number): string {
  const text = new TextDecoder().decode(b.subarray(start, Math.min(end, start + 40)));
  return end - start > 40 ? text + "..." : text;
}

function pos(offset: number, line: number, lineStart: number) {
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * Reads a text table (one point per line) into a Dataset, checking every value against
 * the data variable. Blank lines are skipped. For `comma`, a first line in which no
 * field is a number is a header and is skipped; fields may be wrapped in double quotes.
 * A scalar categorical variable also accepts a single line holding all the points.
 * Diagnostics point into `file` (line and column of the offending value, 1-based,
 * counted in bytes of the decompressed text).
 */
export function parseTextTable(
  input: Uint8Array,
  file: string,
  variable: VariableIR,
  delimiter: TextDelimiter,
): DataResult<Dataset> {
  // A plain Uint8Array view: element access on a Buffer subclass is slower in hot loops.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const dim = variableWidth(variable);
  const code = kindCode(variable.kind);
  const k = variable.categories ?? 0;
  const comma = delimiter === "comma";
  /** The largest single digit 0..9 that is a legal value. */
  const maxDigit =
    code === KindCode.Real ? 9 : code === KindCode.Categorical ? Math.min(9, k - 1) : 1;
  const diagnostics: Diagnostic[] = [];
  const n = bytes.length;

  // Sized for one point per line so that well-formed files never copy their values.
  let lineCount = n > 0 && bytes[n - 1] !== LF ? 1 : 0;
  for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) lineCount++;
  let values = new Float32Array(Math.max(1, lineCount * dim));
  let count = 0;

  let rows = 0;
  let dataLines = 0;
  // A scalar categorical variable may hold all points on one line; that is only known
  // once a second data line does or does not appear.
  const oneLineAllowed = code === KindCode.Categorical && dim === 1;
  let wideFirstLine: { span: Span; width: number } | null = null;

  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  let headerChecked = !comma;

  const fail = (d: Diagnostic): boolean => {
    diagnostics.push(d);
    return diagnostics.length >= MAX_ERRORS_PER_FILE;
  };

  lines: while (i < n) {
    const lineStart = i;
    let eol = bytes.indexOf(LF, i);
    if (eol === -1) eol = n;
    let lineEnd = eol;
    if (lineEnd > lineStart && bytes[lineEnd - 1] === CR) lineEnd--;
    i = eol + 1;
    const lineNo = line++;

    if (!headerChecked) {
      if (isBlank(bytes, lineStart, lineEnd)) continue;
      headerChecked = true;
      if (isHeaderLine(bytes, lineStart, lineEnd)) continue;
    }

    const rowStart = count;
    let width = 0;
    let p = lineStart;
    if (comma) {
      if (isBlank(bytes, lineStart, lineEnd)) continue;
      for (;;) {
        let fieldEnd = p;
        while (fieldEnd < lineEnd && bytes[fieldEnd] !== COMMA) fieldEnd++;
        let s = p;
        let e = fieldEnd;
        while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
        while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
        if (e - s >= 2 && bytes[s] === QUOTE && bytes[e - 1] === QUOTE) {
          s++;
          e--;
        }
        const x = parseNumberBytes(bytes, s, e);
        if (!isLegalValue(code, k, x)) {
          const span = {
            file,
            start: pos(s, lineNo, lineStart),
            end: pos(e > s ? e : s + 1, lineNo, lineStart),
          };
          const value = e > s ? tokenText(bytes, s, e) : "";
          if (fail(badValue(span, value, variable))) break lines;
        }
        if (count === values.length) values = grow(values);
        values[count++] = x;
        width++;
        if (fieldEnd >= lineEnd) break;
        p = fieldEnd + 1;
      }
    } else {
      const fast = scanSingleDigits(bytes, lineStart, lineEnd, values, count, maxDigit);
      if (fast >= 0) {
        width = fast - count;
        count = fast;
      } else
        for (;;) {
          while (p < lineEnd && (bytes[p] === SPACE || bytes[p] === TAB)) p++;
          if (p >= lineEnd) break;
          const s = p;
          while (p < lineEnd && bytes[p] !== SPACE && bytes[p] !== TAB) p++;
          const x = parseNumberBytes(bytes, s, p);
          const legal = isLegalValue(code, k, x);
        if (!legal) {
          const span = { file, start: pos(s, lineNo, lineStart), end: pos(p, lineNo, lineStart) };
          if (fail(badValue(span, tokenText(bytes, s, p), variable))) break lines;
        }
        if (count === values.length) values = grow(values);
        values[count++] = x;
        width++;
        }
      if (width === 0) continue;
    }

    dataLines++;
    const lineSpan = (): Span => ({
      file,
      start: pos(lineStart, lineNo, lineStart),
      end: pos(lineEnd, lineNo, lineStart),
    });
    if (wideFirstLine !== null && dataLines === 2) {
      if (fail(diagnostic("data-bad-width", wideFirstLine.span, { expected: dim, found: wideFirstLine.width })))
        break;
      wideFirstLine = null;
    }
    if (width === dim) {
      rows++;
    } else if (oneLineAllowed && dataLines === 1) {
      wideFirstLine = { span: lineSpan(), width };
      rows += width;
    } else {
      count = rowStart;
      if (fail(diagnostic("data-bad-width", lineSpan(), { expected: dim, found: width }))) break;
    }
  }

  if (diagnostics.length > 0) return { diagnostics };
  if (rows === 0) {
    const span = { file, start: pos(0, 1, 0), end: pos(0, 1, 0) };
    return { diagnostics: [diagnostic("data-empty", span, { path: file })] };
  }
  const exact = count === values.length ? values : values.slice(0, count);
  return { value: { source: file, rows, dim, values: exact }, diagnostics: [] };
}

/**
 * The fast path for whitespace text whose values are all legal single digits (image data:
 * binarized MNIST is all 0/1): stores the line's values from `count` on and returns the
 * new count, or -1 when the line needs the general parser (which then starts the line
 * over). A small function of its own so that V8 optimizes the loop on its own.
 */
function scanSingleDigits(
  b: Uint8Array,
  start: number,
  end: number,
  values: Float32Array,
  count: number,
  maxDigit: number,
): number {
  let p = start;
  while (p < end) {
    const c = b[p];
    if (c === SPACE || c === TAB) {
      p++;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > maxDigit) return -1;
    const after = p + 1;
    if (after < end) {
      const c2 = b[after];
      if (c2 !== SPACE && c2 !== TAB) return -1;
    }
    if (count >= values.length) return -1;
    values[count++] = d;
    p = after + 1;
  }
  return count;
}

function badValue(span: Span, value: string, variable: VariableIR): Diagnostic {
  return diagnostic("data-bad-value", span, { value, expected: describeLegalValues(variable) });
}

function grow(values: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  const bigger = new Float32Array(values.length * 2);
  bigger.set(values);
  return bigger;
}

function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== SPACE && b[i] !== TAB) return false;
  return true;
}

/** A header names columns: none of its fields is a number. */
function isHeaderLine(b: Uint8Array, start: number, end: number): boolean {
  let p = start;
  for (;;) {
    let fieldEnd = p;
    while (fieldEnd < end && b[fieldEnd] !== COMMA) fieldEnd++;
    let s = p;
    let e = fieldEnd;
    while (s < e && (b[s] === SPACE || b[s] === TAB)) s++;
    while (e > s && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
    if (e - s >= 2 && b[s] === QUOTE && b[e - 1] === QUOTE) {
      s++;
      e--;
    }
    if (Number.isFinite(parseNumberBytes(b, s, e))) return false;
    if (fieldEnd >= end) return true;
    p = fieldEnd + 1;
  }
}
