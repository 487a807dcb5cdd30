import { describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import { parseProgram, parseProgramRecovered } from "../../src/syntax/index.js";
import { marked } from "./helpers.js";

/**
 * Parses source whose expected error spans are marked «like this» and checks that the
 * diagnostics come out in order, with those codes and exactly those spans.
 */
function expectErrors(source: string, codes: string[]) {
  const { text, ranges } = marked(source);
  const r = parseProgram(text, "bad.vae");
  expect(r.value).toBeUndefined();
  expect(r.diagnostics.map((d) => d.code)).toEqual(codes);
  expect(r.diagnostics.map((d) => [d.span.start.offset, d.span.end.offset])).toEqual(ranges);
  for (const d of r.diagnostics) expect(d.severity).toBe("error");
  return r.diagnostics;
}

describe("lexical errors", () => {
  it("reports an unexpected character and keeps parsing", () => {
    const [d] = expectErrors("model M { data x: real[4] «@» latent z: real[2] }", [
      "unexpected-character",
    ]);
    expect(d!.params).toEqual({ char: "@" });
    expect(d!.message).toBe("unexpected character '@'");
    const r = parseProgramRecovered("model M { data x: real[4] @ latent z: real[2] }", "f");
    expect(r.value.models[0]!.decls.map((d) => d.kind)).toEqual(["VariableDecl", "VariableDecl"]);
  });

  it("reports a run of bad characters once, naming the first", () => {
    const [d] = expectErrors("model M { data x: real[4]«;#$» }", ["unexpected-character"]);
    expect(d!.params).toEqual({ char: ";" });
  });

  it("names a character outside the basic plane whole", () => {
    const [d] = expectErrors("model M {} «😀»", ["unexpected-character"]);
    expect(d!.params).toEqual({ char: "😀" });
  });

  it("reports an unterminated string without a follow-up parse error", () => {
    const d = expectErrors('model M {\n  train {\n    dataset: «"binarized-mnist»\n  }\n}', [
      "unterminated-string",
    ]);
    expect(d[0]!.message).toBe("unterminated string literal");
    expect(d[0]!.span.start).toMatchObject({ line: 3, column: 14 });
    const r = parseProgramRecovered('model M { train { dataset: "abc\n } }', "f");
    const train = r.value.models[0]!.decls[0]!;
    expect(train.kind === "TrainDecl" && train.entries[0]!.value).toMatchObject({
      kind: "StringLit",
      value: "abc",
    });
  });

  it("reports an unterminated string at the end of input", () => {
    expectErrors('import «"stdlib/objectives.vae»', ["unterminated-string"]);
    expectErrors('import «"ends in a backslash\\»', ["unterminated-string"]);
  });

  it("reports an unterminated block comment at its opening, and nothing after it", () => {
    const d = expectErrors("model M {\n  data x: real[4] «/*» latent z: real[2]\n}\n", [
      "unterminated-comment",
    ]);
    expect(d[0]!.message).toBe("unterminated block comment");
    expect(d[0]!.span.start).toMatchObject({ line: 2, column: 19 });
  });
});

describe("syntax errors", () => {
  it("words the expected and found tokens for humans", () => {
    const [d] = expectErrors("model M {\n  net e = mlp(784 -> 400 «400»)\n}", ["unexpected-token"]);
    expect(d!.params).toEqual({ expected: "',' or ')'", found: "'400'" });
    expect(d!.message).toBe("expected ',' or ')' but found '400'");
    const [colon] = expectErrors("model M { data x «binary»[784] }", ["unexpected-token"]);
    expect(colon!.message).toBe("expected ':' but found 'binary'");
  });

  it("reports the end of input as such, just after the last token", () => {
    const [d] = expectErrors("model M {\n  data x: binary[784]«»\n\n", ["unexpected-token"]);
    expect(d!.params.found).toBe("end of input");
    expect(d!.params.expected).toMatch(/^a declaration \(data, latent, .*\) or '}'$/);
    expect(d!.span.start).toMatchObject({ line: 2, column: 22 });
  });

  it("says what may start a declaration or a top-level item", () => {
    const [decl] = expectErrors("model M {\n  «dta» x: binary[784]\n}", ["unexpected-token"]);
    expect(decl!.params.expected).toBe(
      "a declaration (data, latent, param, net, prior, encoder, decoder, objective, train) or '}'",
    );
    const [top] = expectErrors("«foo» model M {}", ["unexpected-token"]);
    expect(top!.params).toEqual({
      expected: "'model', 'objective' or 'import'",
      found: "'foo'",
    });
    const [train] = expectErrors("model M { train { «10» } }", ["unexpected-token"]);
    expect(train!.params.expected).toBe("a train option (name: value) or '}'");
  });

  it("asks for an expression or a call where one is missing", () => {
    const [e] = expectErrors("model M { objective «}»", ["unexpected-token"]);
    expect(e!.params.expected).toBe("an expression");
    const [c] = expectErrors("model M { prior p(z) = «3» }", ["unexpected-token"]);
    expect(c!.params.expected).toBe("a call such as name(arguments)");
  });

  it("reports several errors in one run and keeps the intact declarations", () => {
    const source = [
      "model M {",
      "  data x «binary»[784]",
      "  latent z: real[20]",
      "  net e = mlp(784 -> 400 «400»)",
      "  net d = mlp(20 -> 784)",
      "  prior p(z) = Normal(loc: 0 «scale»: 1)",
      "  encoder q(z|x) = Normal(loc: e(x), log_scale: 0)",
      "  train { batch «10» }",
      "}",
      "objective b(x) = 1 +«»",
    ].join("\n");
    const ds = expectErrors(source, Array(5).fill("unexpected-token"));
    expect(ds.map((d) => d.span.start.line)).toEqual([2, 4, 6, 8, 10]);
    const { text } = marked(source);
    const recovered = parseProgramRecovered(text, "bad.vae");
    expect(recovered.diagnostics).toEqual(ds);
    const names = recovered.value.models[0]!.decls.map((d) =>
      "name" in d ? d.name.name : "label" in d ? d.label.name : d.kind,
    );
    // Declarations that recovery could complete survive; the others are dropped.
    expect(names).toEqual(expect.arrayContaining(["z", "d", "q"]));
  });

  it("reports errors in several models and keeps the valid ones", () => {
    // `latent : }` lacks both a name and a type: two errors.
    const source = "model A { objective «}»\nmodel B { data x: real }\nmodel C { latent «:» «}»";
    expectErrors(source, ["unexpected-token", "unexpected-token", "unexpected-token"]);
    const r = parseProgramRecovered(marked(source).text, "f");
    expect(r.value.models.map((m) => m.name.name)).toEqual(["A", "B", "C"]);
    expect(r.value.models[1]!.decls).toHaveLength(1);
  });

  it("orders lexical and syntax errors by position", () => {
    expectErrors("model M { data x «binary»[4] «@» latent z «real» }", [
      "unexpected-token",
      "unexpected-character",
      "unexpected-token",
    ]);
  });

  it("truncates a long offending token", () => {
    const long = `"${"a".repeat(100)}"`;
    const [d] = expectErrors(`model M «${long}»`, ["unexpected-token"]);
    expect(d!.params.found).toBe(`'${long.slice(0, 30)}...'`);
  });

  it("renders with a caret under the offending token", () => {
    const text = "model M {\n  net e = mlp(784 -> 400 400)\n}";
    const [d] = parseProgram(text, "bad.vae").diagnostics;
    expect(renderDiagnostic(d!, () => text)).toBe(
      [
        "bad.vae:2:26: error[unexpected-token]: expected ',' or ')' but found '400'",
        "  |",
        "2 |   net e = mlp(784 -> 400 400)",
        "  |                          ^^^",
      ].join("\n"),
    );
  });
});
