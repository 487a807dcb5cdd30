/**
 * The only ways spec text enters generated code. A spec is hostile input: its objective is
 * quoted from the source (comments included), its dataset is any string. Each context has
 * one function, so no text reaches the module without passing the right one.
 */

/** Every line terminator of ECMAScript, each of which would end a `//` comment or a JSDoc line. */
const LINE_TERMINATORS = /\r\n|[\n\r\u2028\u2029]/g;

/**
 * `text` made safe inside a block comment (JSDoc included): a star-slash cannot close it,
 * and line terminators become spaces, so the text stays on its one comment line. The result reads
 * like the source; it is for humans, never parsed back.
 */
export function commentText(text: string): string {
  // One pass suffices: every star-slash gets a backslash between, and none is created.
  return text.replace(LINE_TERMINATORS, " ").replace(/\*\//g, "*\\/");
}

/**
 * A TypeScript string literal for `value`: JSON's escaping, plus U+2028/U+2029 escaped
 * (literal in a string since ES2019, but not in every tool that reads the module).
 */
export function stringLiteral(value: string): string {
  return escapeSeparators(JSON.stringify(value));
}

/** A JSON-serializable value as a TypeScript expression (strings escaped as by stringLiteral). */
export function jsonLiteral(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error("codegen: a value without a JSON form");
  return escapeSeparators(text);
}

function escapeSeparators(json: string): string {
  return json.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `name` unchanged when it is an identifier of the language (the grammar admits no other);
 * anything else is a bug upstream or a forged IR, and must not reach the module.
 */
export function identifier(name: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new Error(`codegen: ${JSON.stringify(name)} is not an identifier`);
  }
  return name;
}

/**
 * A number as a TypeScript expression. `NaN`, `Infinity` and `-0` have exact spellings;
 * a value that is not a number (a forged IR) is refused rather than pasted.
 */
export function numberLiteral(value: number): string {
  if (typeof value !== "number") {
    throw new Error(`codegen: ${JSON.stringify(value)} is not a number`);
  }
  if (Object.is(value, -0)) return "-0";
  return String(value);
}
