import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import {
  MAX_NESTING,
  parseExpression,
  parseProgram,
  parseProgramRecovered,
} from "../../src/syntax/index.js";
import { allNodes, lineColumn } from "./helpers.js";

/** A small deterministic generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".vae"))
  .map((f) => readFileSync(`examples/${f}`, "utf8"));
const stdlib = readFileSync("stdlib/objectives.vae", "utf8");

const VOCABULARY = [
  "model",
  "data",
  "latent",
  "param",
  "net",
  "prior",
  "encoder",
  "decoder",
  "objective",
  "train",
  "where",
  "import",
  "x",
  "z",
  "h",
  "mlp",
  "Normal",
  "784",
  "0.5",
  "1e-3",
  '"s"',
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "<",
  ">",
  ",",
  ":",
  "=",
  ".",
  "|",
  "->",
  "+",
  "-",
  "*",
  "/",
  "//c\n",
  "/* c */",
  "/*",
  '"',
  "@",
  "\n",
  " ",
];

/** Plain checks with a thrown message: thousands of `expect` calls would dominate the run. */
function assert(ok: boolean, what: string, text: string) {
  if (!ok) throw new Error(`${what} for input ${JSON.stringify(text)}`);
}

function positionIsConsistent(text: string, p: { offset: number; line: number; column: number }) {
  assert(p.offset >= 0 && p.offset <= text.length, `offset ${p.offset} out of range`, text);
  const lc = lineColumn(text, p.offset);
  assert(
    lc.line === p.line && lc.column === p.column,
    `offset ${p.offset} is ${lc.line}:${lc.column}, not ${p.line}:${p.column}`,
    text,
  );
}

function checkDiagnostics(text: string, ds: readonly Diagnostic[]) {
  for (const d of ds) {
    assert(d.message.length > 0, `empty message (${d.code})`, text);
    assert(d.span.start.offset <= d.span.end.offset, `reversed span (${d.code})`, text);
    positionIsConsistent(text, d.span.start);
    positionIsConsistent(text, d.span.end);
  }
}

/**
 * The whole syntax contract on one input: no throw, sane spans, value iff no error.
 * Returns whether the input had errors, so a test can show it exercised the error paths.
 */
function checkInput(text: string): boolean {
  const strict = parseProgram(text, "fuzz.vae");
  checkDiagnostics(text, strict.diagnostics);
  assert(
    (strict.value === undefined) === strict.diagnostics.length > 0,
    "value iff no error",
    text,
  );
  const recovered = parseProgramRecovered(text, "fuzz.vae");
  assert(
    JSON.stringify(recovered.diagnostics) === JSON.stringify(strict.diagnostics),
    "recovered and strict parses disagree",
    text,
  );
  for (const n of allNodes(recovered.value)) {
    positionIsConsistent(text, n.span.start);
    positionIsConsistent(text, n.span.end);
    assert(n.span.start.offset <= n.span.end.offset, `reversed ${n.kind} span`, text);
  }
  const e = parseExpression(text, "fuzz");
  checkDiagnostics(text, e.diagnostics);
  assert((e.value === undefined) === e.diagnostics.length > 0, "expression iff no error", text);
  return strict.diagnostics.length > 0;
}

describe("the parser never throws and always explains a failure", () => {
  it("on every prefix of the examples and the stdlib", () => {
    for (const [i, text] of [...examples, stdlib].entries()) {
      const step = i === 0 ? 1 : 13;
      for (let n = 0; n <= text.length; n += step) checkInput(text.slice(0, n));
    }
  });

  it("on randomly mutated examples", () => {
    const random = rng(1);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let failing = 0;
    for (let i = 0; i < 250; i++) {
      let text = pick(examples);
      const edits = 1 + Math.floor(random() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(random() * text.length);
        const len = Math.floor(random() * 12);
        const choice = random();
        if (choice < 0.4) text = text.slice(0, at) + text.slice(at + len);
        else if (choice < 0.8) text = text.slice(0, at) + pick(VOCABULARY) + text.slice(at);
        else
          text =
            text.slice(0, at) +
            text.slice(at + len, at + 2 * len) +
            text.slice(at, at + len) +
            text.slice(at + 2 * len);
      }
      if (checkInput(text)) failing++;
    }
    expect(failing).toBeGreaterThan(125);
  });

  it("on random token soup", () => {
    const random = rng(2);
    for (let i = 0; i < 400; i++) {
      const n = Math.floor(random() * 40);
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)]!);
      checkInput(parts.join(random() < 0.5 ? " " : ""));
    }
  });

  it("on random characters, including line ends and characters outside the BMP", () => {
    const random = rng(3);
    const alphabet = [..."ab_09 \t\n\r{}()[]<>,:=.|+-*/\"\\@#$%^&~`'?!;é\u00a0\u2028😀\ufeff"];
    for (let i = 0; i < 400; i++) {
      const n = Math.floor(random() * 60);
      let text = "";
      for (let k = 0; k < n; k++) text += alphabet[Math.floor(random() * alphabet.length)];
      checkInput(text);
    }
  });

  it("on pathological nesting, with a clear diagnostic past the limit", () => {
    for (const n of [MAX_NESTING - 1, MAX_NESTING + 1, 300, 5000]) {
      checkInput("(".repeat(n) + "x" + ")".repeat(n));
      checkInput("-".repeat(n) + "1");
      checkInput("model M { objective " + "(".repeat(n) + " }");
      checkInput("}".repeat(n));
    }
    const ok = parseExpression("(".repeat(MAX_NESTING) + "x" + ")".repeat(MAX_NESTING), "f");
    expect(ok.diagnostics).toEqual([]);
    expect(ok.value).toMatchObject({ kind: "Name", name: "x" });
    expect(parseExpression("-".repeat(MAX_NESTING) + "1", "f").diagnostics).toEqual([]);
    for (const text of [
      "(".repeat(MAX_NESTING + 1) + "x" + ")".repeat(MAX_NESTING + 1),
      "-".repeat(MAX_NESTING + 1) + "1",
    ]) {
      const r = parseExpression(text, "f");
      expect(r.value).toBeUndefined();
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({
        code: "nesting-too-deep",
        params: { limit: MAX_NESTING },
        span: { start: { offset: MAX_NESTING }, end: { offset: MAX_NESTING + 1 } },
      });
    }
    // Signs and brackets add up: at the last `-(` the sign is one level past the limit.
    const mixed = "-(".repeat(MAX_NESTING + 1) + "1" + ")".repeat(MAX_NESTING + 1);
    expect(parseExpression(mixed, "f").diagnostics).toMatchObject([
      { code: "nesting-too-deep", span: { start: { offset: 2 * MAX_NESTING } } },
    ]);
    const fine = "-(".repeat(MAX_NESTING) + "1" + ")".repeat(MAX_NESTING);
    expect(parseExpression(fine, "f").diagnostics).toEqual([]);
  });
});
