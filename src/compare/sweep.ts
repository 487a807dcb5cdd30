import { diagnostic, type Diagnostic, type Result } from "../diagnostics/index.js";
import type { Span } from "../diagnostics/span.js";

/** One `--sweep` flag: objective `name`, the swept argument and its values. */
export interface Sweep {
  /** The flag's text as written. */
  text: string;
  name: string;
  param: string;
  values: number[];
  /** One objective expression per value, e.g. `beta_vae(beta: 0.5)`. */
  objectives: string[];
}

/** A span [from, to) of the one-line text of a flag (file name: the flag). */
export function flagSpan(file: string, from: number, to: number): Span {
  return {
    file,
    start: { offset: from, line: 1, column: from + 1 },
    end: { offset: to, line: 1, column: to + 1 },
  };
}

const NUMBER = /[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /\s*/y;

/** The expected/found wording the parser uses, for the token at `pos`. */
function foundAt(text: string, pos: number): string {
  if (pos >= text.length) return "end of input";
  const word = /[A-Za-z0-9_.+-]+/y;
  word.lastIndex = pos;
  const m = word.exec(text);
  return `'${m ? m[0] : text[pos]}'`;
}

class SweepFailure {
  constructor(readonly diagnostic: Diagnostic) {}
}

/** A hand-written scanner over one flag's text; every failure is a diagnostic with a span. */
class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  span(from: number, to: number): Span {
    return flagSpan(this.file, from, to);
  }

  skip(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    this.pos = SPACE.lastIndex;
  }

  fail(expected: string): never {
    this.skip();
    const found = foundAt(this.text, this.pos);
    const to = this.pos >= this.text.length ? this.pos : this.pos + Math.max(1, found.length - 2);
    throw new SweepFailure(
      diagnostic("sweep-syntax", this.span(this.pos, to), { expected, found }),
    );
  }

  match(re: RegExp): { text: string; from: number; to: number } | null {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return null;
    const from = this.pos;
    this.pos = re.lastIndex;
    return { text: m[0], from, to: this.pos };
  }

  literal(s: string): boolean {
    this.skip();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.literal(s)) this.fail(`'${s}'`);
  }

  number(): { value: number; from: number; to: number } {
    const m = this.match(NUMBER) ?? this.fail("a number");
    const value = Number(m.text);
    if (!Number.isFinite(value))
      throw new SweepFailure(
        diagnostic("sweep-syntax", this.span(m.from, m.to), {
          expected: "a finite number",
          found: `'${m.text}'`,
        }),
      );
    return { value, from: m.from, to: m.to };
  }
}

/** `String(v)` is the shortest text that reads back as v; the language's literals accept it. */
export function formatSweepValue(v: number): string {
  return String(Object.is(v, -0) ? 0 : v);
}

/**
 * The values of `A..B log N` (N points, log-spaced, both ends included) and `A..B lin N`:
 * A·(B/A)^(i/(N−1)) and A + (B − A)·i/(N−1), rounded to 15 significant digits so that a
 * value such as 1.0000000000000004 reads as 1 in labels and in the objective's text.
 */
export function sweepValues(a: number, b: number, spacing: "log" | "lin", n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    if (i === 0) return a;
    if (i === n - 1) return b;
    const t = i / (n - 1);
    const v = spacing === "log" ? a * (b / a) ** t : a + (b - a) * t;
    return Number(v.toPrecision(15));
  });
}

function parseRange(s: Scanner): number[] {
  if (s.literal("[")) {
    const values: number[] = [];
    const open = s.pos - 1;
    do values.push(s.number().value);
    while (s.literal(","));
    s.expect("]");
    if (values.length < 2)
      throw new SweepFailure(
        diagnostic("sweep-too-few-values", s.span(open, s.pos), { count: values.length }),
      );
    return values;
  }
  const a = s.number();
  s.expect("..");
  const b = s.number();
  const kind = s.match(NAME);
  if (!kind || (kind.text !== "log" && kind.text !== "lin")) {
    if (kind) s.pos = kind.from;
    s.fail("'log' or 'lin'");
  }
  const count = s.match(/\d+(?![.eE\d])/y) ?? s.fail("a whole number of values");
  const n = Number(count.text);
  if (n < 2)
    throw new SweepFailure(
      diagnostic("sweep-too-few-values", s.span(count.from, count.to), { count: n }),
    );
  if (n > MAX_SWEEP_VALUES)
    throw new SweepFailure(
      diagnostic("sweep-too-many-values", s.span(count.from, count.to), {
        count: n,
        limit: MAX_SWEEP_VALUES,
      }),
    );
  if (kind.text === "log")
    for (const end of [a, b])
      if (end.value <= 0)
        throw new SweepFailure(
          diagnostic("sweep-log-nonpositive", s.span(end.from, end.to), {
            value: s.text.slice(end.from, end.to),
          }),
        );
  if (a.value === b.value)
    throw new SweepFailure(
      diagnostic("sweep-empty-range", s.span(a.from, b.to), { value: formatSweepValue(a.value) }),
    );
  return sweepValues(a.value, b.value, kind.text, n);
}

/** Runs a single sweep may ask for; a typo such as `log 1000000` should not start a week of training. */
export const MAX_SWEEP_VALUES = 1000;

/**
 * Parses `name(param: A..B log N)`, `name(param: A..B lin N)` or `name(param: [v1, v2, …])`.
 * Other arguments may be given as fixed values (`capacity(gamma: 100, c: 0..25 lin 6)`);
 * exactly one is swept. The objectives are checked later by the compiler; here only the
 * sweep's own syntax and ranges. `file` names the flag in spans (e.g. "--sweep").
 */
export function parseSweep(text: string, file = "--sweep"): Result<Sweep> {
  const s = new Scanner(text, file);
  try {
    const name = s.match(NAME) ?? s.fail("an objective name");
    s.expect("(");
    const fixed: { param: string; text: string }[] = [];
    let swept: { param: string; values: number[]; at: number } | undefined;
    const order: string[] = [];
    do {
      const param = s.match(NAME) ?? s.fail("an argument name");
      s.expect(":");
      s.skip();
      const start = s.pos;
      if (isRangeAhead(text, start)) {
        if (swept)
          throw new SweepFailure(
            diagnostic("sweep-several-ranges", s.span(param.from, param.to), {
              first: swept.param,
              second: param.text,
            }),
          );
        swept = { param: param.text, values: parseRange(s), at: param.from };
      } else {
        const end = fixedValueEnd(text, start);
        if (end === start) s.fail("a value or a range");
        fixed.push({ param: param.text, text: text.slice(start, end).trim() });
        s.pos = end;
      }
      order.push(param.text);
    } while (s.literal(","));
    s.expect(")");
    s.skip();
    if (s.pos < text.length) s.fail("end of input");
    if (!swept)
      throw new SweepFailure(
        diagnostic("sweep-no-range", s.span(name.from, s.pos), { name: name.text }),
      );
    const range = swept;
    const objectives = range.values.map((v) => {
      const args = order.map((p) =>
        p === range.param
          ? `${p}: ${formatSweepValue(v)}`
          : `${p}: ${fixed.find((f) => f.param === p)!.text}`,
      );
      return `${name.text}(${args.join(", ")})`;
    });
    return {
      value: { text, name: name.text, param: range.param, values: range.values, objectives },
      diagnostics: [],
    };
  } catch (e) {
    if (e instanceof SweepFailure) return { diagnostics: [e.diagnostic] };
    throw e;
  }
}

/** A range starts with `[` or is a number followed by `..`. */
function isRangeAhead(text: string, pos: number): boolean {
  if (text[pos] === "[") return true;
  NUMBER.lastIndex = pos;
  const m = NUMBER.exec(text);
  if (!m) return false;
  return /^\s*\.\./.test(text.slice(NUMBER.lastIndex));
}

/** Where a fixed argument value ends: the next top-level ',' or ')'. */
function fixedValueEnd(text: string, pos: number): number {
  let depth = 0;
  for (let i = pos; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") {
      if (depth === 0) return i;
      depth--;
    } else if (c === "," && depth === 0) return i;
  }
  return text.length;
}
