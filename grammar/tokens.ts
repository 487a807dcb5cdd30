import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

/**
 * Tokens of the .vae language. Every token has a `label` worded for humans: the parser's
 * error messages print labels ("expected ':' but found '400'"), never token class names.
 *
 * Order matters: chevrotain tries patterns in array order and takes the first match, so
 * longer punctuation (`->`) precedes its prefixes (`-`) and the unterminated forms of
 * strings and comments come after the well-formed ones.
 */

/** Tokens that exist only to report a lexical error; they never reach the parser. */
export const LEX_ERROR_GROUP = "lexErrors";

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
});

function keyword(word: string): TokenType {
  const name = word.charAt(0).toUpperCase() + word.slice(1);
  // longer_alt keeps `encoder_net`, `data_x`, `models` as identifiers.
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
  });
}

export const Model = keyword("model");
export const Data = keyword("data");
export const Latent = keyword("latent");
export const Param = keyword("param");
export const Net = keyword("net");
export const Prior = keyword("prior");
export const Encoder = keyword("encoder");
export const Decoder = keyword("decoder");
export const Objective = keyword("objective");
export const Train = keyword("train");
export const Where = keyword("where");
export const Import = keyword("import");

export const keywords: readonly TokenType[] = [
  Model,
  Data,
  Latent,
  Param,
  Net,
  Prior,
  Encoder,
  Decoder,
  Objective,
  Train,
  Where,
  Import,
];

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: "a number",
});

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: "a string",
});

/**
 * A string cut short by a line end or the end of input. It is a StringLiteral by category,
 * so the parser accepts it and the only error reported is `unterminated-string`.
 */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  categories: [StringLiteral],
  label: "a string",
});

export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\r\n]*/,
  group: Lexer.SKIPPED,
});

export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  group: LEX_ERROR_GROUP,
  line_breaks: true,
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /\s+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

function punctuation(name: string, image: string): TokenType {
  return createToken({ name, pattern: image, label: `'${image}'` });
}

export const Arrow = punctuation("Arrow", "->");
export const LCurly = punctuation("LCurly", "{");
export const RCurly = punctuation("RCurly", "}");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LSquare = punctuation("LSquare", "[");
export const RSquare = punctuation("RSquare", "]");
export const LAngle = punctuation("LAngle", "<");
export const RAngle = punctuation("RAngle", ">");
export const Comma = punctuation("Comma", ",");
export const Colon = punctuation("Colon", ":");
export const Equals = punctuation("Equals", "=");
export const Dot = punctuation("Dot", ".");
export const Pipe = punctuation("Pipe", "|");

/** Categories let the grammar say "an additive operator" once; the AST reads the image. */
export const AdditiveOperator = createToken({
  name: "AdditiveOperator",
  pattern: Lexer.NA,
  label: "'+' or '-'",
});
export const MultiplicativeOperator = createToken({
  name: "MultiplicativeOperator",
  pattern: Lexer.NA,
  label: "'*' or '/'",
});
export const Plus = createToken({
  name: "Plus",
  pattern: "+",
  categories: [AdditiveOperator],
  label: "'+'",
});
export const Minus = createToken({
  name: "Minus",
  pattern: "-",
  categories: [AdditiveOperator],
  label: "'-'",
});
export const Star = createToken({
  name: "Star",
  pattern: "*",
  categories: [MultiplicativeOperator],
  label: "'*'",
});
export const Slash = createToken({
  name: "Slash",
  pattern: "/",
  categories: [MultiplicativeOperator],
  label: "'/'",
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  ...keywords,
  Identifier,
  Arrow,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  LAngle,
  RAngle,
  Comma,
  Colon,
  Equals,
  Dot,
  Pipe,
  AdditiveOperator,
  MultiplicativeOperator,
  Plus,
  Minus,
  Star,
  Slash,
];

/**
 * One lexer for the process. `ensureOptimizations` is off on purpose: the patterns above
 * are all optimizable, and a failed optimization would only cost speed, not correctness.
 */
export const vaeLexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
});
