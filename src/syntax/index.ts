import type { ILexingResult, IRecognitionException, IToken } from "chevrotain";
import { EOF, isRecognitionException } from "../../grammar/chevrotain.js";
import type { ExpressionCstNode, ProgramCstNode } from "../../grammar/cst.js";
import { VaeParser } from "../../grammar/parser.js";
import {
  LCurly,
  LEX_ERROR_GROUP,
  LParen,
  LSquare,
  Minus,
  RCurly,
  RParen,
  RSquare,
  UnterminatedComment,
  UnterminatedString,
  vaeLexer,
} from "../../grammar/tokens.js";
import { diagnostic, hasErrors, type Diagnostic, type Result } from "../diagnostics/diagnostic.js";
import type { Position, Span } from "../diagnostics/span.js";
import type { Expr, Program } from "./ast.js";
import { AstBuilder } from "./cst-to-ast.js";
import { limitDiagnostics } from "./limits.js";

export type * from "./ast.js";
export {
  FLOAT32_RANGE,
  fitsFloat32,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_NODES,
} from "./limits.js";

/** Built on first use: constructing a chevrotain parser runs its grammar analysis. */
let sharedParser: VaeParser | undefined;

function parser(): VaeParser {
  if (sharedParser === undefined) {
    sharedParser = new VaeParser();
    boundRepetitionRecovery(sharedParser);
  }
  return sharedParser;
}

/**
 * After recovering from an error inside a repetition, chevrotain resumes the repetition
 * by calling it again from the recovery code: every such recovery deepens the stack, and
 * a few thousand of them (one bad token repeated) overflow it. Past this many in one
 * parse, recovery inside repetitions stops; the rule-level re-synchronisation, which
 * does not recurse, still finds the following declarations.
 */
const MAX_REPETITION_RECOVERIES = 50;
let repetitionRecoveries = 0;

function boundRepetitionRecovery(p: VaeParser): void {
  // An instance property, set by chevrotain's constructor when recovery is on.
  const target = p as unknown as { attemptInRepetitionRecovery?: (...args: unknown[]) => void };
  const recover = target.attemptInRepetitionRecovery;
  if (recover === undefined) return;
  target.attemptInRepetitionRecovery = function (this: unknown, ...args: unknown[]) {
    if (++repetitionRecoveries > MAX_REPETITION_RECOVERIES) return;
    recover.apply(this, args);
  };
}

/**
 * Parses a whole `.vae` file. `value` is present only when there are no syntax errors, so
 * later stages never see a tree with holes; use `parseProgramRecovered` to get the
 * best-effort tree anyway (editors, tests).
 */
export function parseProgram(text: string, file: string): Result<Program> {
  const { value, diagnostics } = parseProgramRecovered(text, file);
  return hasErrors(diagnostics) ? { diagnostics } : { value, diagnostics };
}

/**
 * Parses a whole file with error recovery: all syntax errors are reported, and the tree
 * keeps every declaration that survived intact (broken ones are dropped).
 */
export function parseProgramRecovered(
  text: string,
  file: string,
): { value: Program; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(file);
  const whole: Span = { file, start: { offset: 0, line: 1, column: 1 }, end: endOf(text) };
  const run = runParser(text, file, (p) => p.program() as ProgramCstNode | undefined);
  const value = run.cst
    ? builder.program(run.cst, whole)
    : { kind: "Program" as const, imports: [], models: [], objectives: [], span: whole };
  // Before any recursive stage sees the tree.
  const diagnostics = [...run.diagnostics, ...limitDiagnostics(value)];
  return { value, diagnostics: sortByPosition(diagnostics) };
}

/**
 * Parses one expression, e.g. the `--objective "beta_vae(beta: 0.5)"` of the command line.
 * Anything after the expression is an error.
 */
export function parseExpression(text: string, file: string): Result<Expr> {
  const run = runParser(text, file, (p) => p.expression() as ExpressionCstNode | undefined);
  if (hasErrors(run.diagnostics) || run.cst === undefined) return { diagnostics: run.diagnostics };
  const value = new AstBuilder(file).expression(run.cst);
  if (value === undefined) {
    // Recovery left no error but no tree either: this is a bug, not a user error.
    throw new Error(`parseExpression: no tree and no diagnostics for ${JSON.stringify(text)}`);
  }
  const limits = limitDiagnostics(value);
  if (limits.length > 0) return { diagnostics: [...run.diagnostics, ...limits] };
  return { value, diagnostics: run.diagnostics };
}

interface ParseRun<T> {
  cst: T | undefined;
  diagnostics: Diagnostic[];
}

function runParser<T>(
  text: string,
  file: string,
  rule: (p: VaeParser) => T | undefined,
): ParseRun<T> {
  const lexed = vaeLexer.tokenize(text);
  const diagnostics = lexDiagnostics(lexed, text, file);
  // The parser recurses once per nesting level; refuse absurd depths up front rather
  // than overflow the stack at a depth that varies with the JIT state.
  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep !== undefined) {
    const span = tokenSpanOf(tooDeep, file);
    diagnostics.push(diagnostic("nesting-too-deep", span, { limit: MAX_NESTING }));
    return { cst: undefined, diagnostics: sortByPosition(diagnostics) };
  }
  const p = parser();
  p.input = lexed.tokens;
  repetitionRecoveries = 0;
  let cst: T | undefined;
  let escaped: IRecognitionException | undefined;
  try {
    cst = rule(p);
  } catch (e) {
    // With recovery on, chevrotain records recognition errors instead of throwing them;
    // one escaping the top rule is still only a syntax error.
    if (!(e instanceof Error) || !isRecognitionException(e)) throw e;
    escaped = e as IRecognitionException;
  }
  // `errors` is a copy.
  const errors = p.errors;
  if (escaped !== undefined && !errors.includes(escaped)) errors.push(escaped);
  // An unterminated comment swallows the rest of the file; "found end of input" after it
  // is a consequence, not a second mistake.
  const eofIsExplained = (lexed.groups[LEX_ERROR_GROUP] ?? []).some(
    (t) => t.tokenType === UnterminatedComment,
  );
  const lastToken = lexed.tokens[lexed.tokens.length - 1];
  const seen = new Set<number>();
  for (const e of errors) {
    const atEnd = isEnd(e.token);
    if (atEnd && eofIsExplained) continue;
    const span = atEnd ? endSpan(lastToken, text, file) : tokenSpanOf(e.token, file);
    // Recovery may report the same token from several rules; the first report is the
    // most specific one.
    if (seen.has(span.start.offset)) continue;
    seen.add(span.start.offset);
    diagnostics.push(
      diagnostic("unexpected-token", span, { expected: e.message, found: describe(e.token) }),
    );
  }
  p.input = [];
  return { cst, diagnostics: sortByPosition(diagnostics) };
}

function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

/**
 * Deep enough for any real model (a net architecture nests two or three levels), and far
 * below the depth at which the recursive-descent parser exhausts a default Node stack.
 */
export const MAX_NESTING = 64;

const OPENING = new Set([LParen, LSquare, LCurly]);
const CLOSING = new Set([RParen, RSquare, RCurly]);

/** The first token at which open brackets plus a run of unary minus signs pass the limit. */
function firstTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  let signs = 0;
  for (const t of tokens) {
    if (OPENING.has(t.tokenType)) depth++;
    else if (CLOSING.has(t.tokenType)) depth = Math.max(0, depth - 1);
    signs = t.tokenType === Minus ? signs + 1 : 0;
    if (depth + signs > MAX_NESTING) return t;
  }
  return undefined;
}

function lexDiagnostics(lexed: ILexingResult, text: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of lexed.errors) {
    const char = String.fromCodePoint(text.codePointAt(e.offset) ?? 0xfffd);
    // The lexer drops a run of unmatchable characters at once; whitespace always lexes,
    // so a run never crosses a line end.
    const start: Position = { offset: e.offset, line: e.line ?? 1, column: e.column ?? 1 };
    const end: Position = {
      offset: e.offset + e.length,
      line: start.line,
      column: start.column + e.length,
    };
    out.push(diagnostic("unexpected-character", { file, start, end }, { char }));
  }
  for (const t of lexed.groups[LEX_ERROR_GROUP] ?? []) {
    if (t.tokenType !== UnterminatedComment) continue;
    // Point at the opening `/*`: the rest of the file is what it swallowed.
    const span = tokenSpanOf(t, file);
    span.end = { offset: t.startOffset + 2, line: span.start.line, column: span.start.column + 2 };
    out.push(diagnostic("unterminated-comment", span, {}));
  }
  for (const t of lexed.tokens) {
    if (t.tokenType === UnterminatedString) {
      out.push(diagnostic("unterminated-string", tokenSpanOf(t, file), {}));
    }
  }
  return out;
}

function isEnd(t: IToken): boolean {
  return t.tokenType === EOF || Number.isNaN(t.startOffset);
}

const MAX_FOUND = 30;

function describe(t: IToken): string {
  if (isEnd(t)) return "end of input";
  const image = t.image.length > MAX_FOUND ? `${t.image.slice(0, MAX_FOUND)}...` : t.image;
  return `'${image}'`;
}

function tokenSpanOf(t: IToken, file: string): Span {
  return {
    file,
    start: { offset: t.startOffset, line: t.startLine ?? 1, column: t.startColumn ?? 1 },
    end: {
      offset: (t.endOffset ?? t.startOffset) + 1,
      line: t.endLine ?? t.startLine ?? 1,
      column: (t.endColumn ?? t.startColumn ?? 0) + 1,
    },
  };
}

/** An empty span just after the last token: where "end of input" was found. */
function endSpan(lastToken: IToken | undefined, text: string, file: string): Span {
  const at = lastToken ? tokenSpanOf(lastToken, file).end : endOf(text);
  return { file, start: at, end: at };
}

/** The position just past the last character of `text`. */
function endOf(text: string): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: text.length, line, column: text.length - lineStart + 1 };
}
