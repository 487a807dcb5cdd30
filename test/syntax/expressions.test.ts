import { describe, expect, it } from "vitest";
import type { Expr } from "../../src/syntax/ast.js";
import { parseExpression, parseProgram } from "../../src/syntax/index.js";
import { allNodes, sexpr, slice } from "./helpers.js";

function expr(text: string): Expr {
  const r = parseExpression(text, "<expr>");
  expect(r.diagnostics).toEqual([]);
  return r.value!;
}

const show = (text: string) => sexpr(expr(text));

describe("operator precedence and associativity", () => {
  it.each([
    ["a - b - c", "(- (- a b) c)"],
    ["a / b / c", "(/ (/ a b) c)"],
    ["a - b + c", "(+ (- a b) c)"],
    ["a * b / c * d", "(* (/ (* a b) c) d)"],
    ["a + b * c", "(+ a (* b c))"],
    ["a * b + c", "(+ (* a b) c)"],
    ["a - b * c - d", "(- (- a (* b c)) d)"],
    ["-a * b", "(* (neg a) b)"],
    ["a * -b", "(* a (neg b))"],
    ["--a", "(neg (neg a))"],
    ["a - -1", "(- a (neg 1))"],
    ["-h.loc", "(neg (. h loc))"],
    ["a.b.c", "(. (. a b) c)"],
    ["f(x).loc", "(. (f x) loc)"],
    ["(a + b) * c", "(* (+ a b) c)"],
    ["a * (b - c)", "(* a (- b c))"],
    ["1 -> 2 + 3 -> 4 * 5", "(-> 1 (+ 2 3) (* 4 5))"],
    ["784 -> 400 -> (loc: 20, log_scale: 20)", "(-> 784 400 {loc: 20, log_scale: 20})"],
    ["(1 -> 2) -> 3", "(-> (-> 1 2) 3)"],
    ["-iw_bound(k)", "(neg (iw_bound k))"],
    ["distortion + abs(sigma - rate)", "(+ distortion (abs (- sigma rate)))"],
    ["beta_vae(beta: 1 / (1 + lambda))", "(beta_vae beta:(/ 1 (+ 1 lambda)))"],
  ])("%s", (text, expected) => {
    expect(show(text)).toBe(expected);
  });

  it("binary nodes span their operands, unary spans its minus sign", () => {
    const text = "a - b * -c";
    const e = expr(text);
    expect(e.kind).toBe("Binary");
    if (e.kind !== "Binary") return;
    expect(slice(text, e.span)).toBe(text);
    expect(slice(text, e.right.span)).toBe("b * -c");
    if (e.right.kind !== "Binary") throw new Error("expected a product");
    expect(slice(text, e.right.right.span)).toBe("-c");
  });

  it("parentheses widen the inner node's span and leave no node of their own", () => {
    const text = "(a + b) * c";
    const e = expr(text);
    if (e.kind !== "Binary") throw new Error("expected a product");
    expect(e.left.kind).toBe("Binary");
    expect(slice(text, e.left.span)).toBe("(a + b)");
    expect(slice(text, e.span)).toBe(text);
    const inner = expr("((x))");
    expect(inner).toMatchObject({ kind: "Name", name: "x" });
    expect(inner.span.start.offset).toBe(0);
    expect(inner.span.end.offset).toBe(5);
  });
});

describe("literals, names and calls", () => {
  it("reads integers, decimals and exponents", () => {
    for (const [text, value] of [
      ["0", 0],
      ["784", 784],
      ["0.5", 0.5],
      ["1e-3", 1e-3],
      ["2.5E+2", 250],
      ["3e4", 3e4],
    ] as const) {
      expect(expr(text)).toMatchObject({ kind: "NumberLit", value, text });
    }
  });

  it("reads strings with escapes", () => {
    expect(expr('"binarized-mnist"')).toMatchObject({
      kind: "StringLit",
      value: "binarized-mnist",
    });
    expect(expr(String.raw`"a\"b\\c\nd\te\u{41}\q"`)).toMatchObject({
      value: 'a"b\\c\nd\teAq',
    });
    expect(expr('"// not a comment"')).toMatchObject({ value: "// not a comment" });
    const s = expr('"x"');
    expect([s.span.start.column, s.span.end.column]).toEqual([1, 4]);
  });

  it("distinguishes names, empty calls, positional and named arguments", () => {
    expect(expr("elbo")).toMatchObject({ kind: "Name", name: "elbo" });
    expect(expr("f()")).toMatchObject({ kind: "Call", callee: { name: "f" }, args: [] });
    const call = expr("mlp(784 -> 10, activation: tanh)");
    expect(call.kind).toBe("Call");
    if (call.kind !== "Call") return;
    expect(call.args.map((a) => a.name?.name)).toEqual([undefined, "activation"]);
    expect(slice("mlp(784 -> 10, activation: tanh)", call.args[1]!.span)).toBe("activation: tanh");
  });

  it("tells a record from a parenthesized name", () => {
    expect(expr("(x)")).toMatchObject({ kind: "Name", name: "x" });
    expect(expr("(x: 1)")).toMatchObject({
      kind: "RecordLit",
      fields: [{ name: { name: "x" }, value: { value: 1 } }],
    });
    expect(expr("(x + 1)")).toMatchObject({ kind: "Binary" });
  });

  it("keeps identifiers that start with a keyword", () => {
    for (const name of ["encoder_net", "data_x", "models", "priority", "trainer", "wherever"]) {
      expect(expr(name)).toMatchObject({ kind: "Name", name });
    }
  });

  it("gives every node a span inside the expression", () => {
    const text = "mlp(784 -> 400 -> (loc: 20, log_scale: 20), activation: tanh).loc";
    for (const n of allNodes(expr(text))) {
      expect(n.span.start.offset).toBeGreaterThanOrEqual(0);
      expect(n.span.end.offset).toBeLessThanOrEqual(text.length);
      expect(n.span.start.offset).toBeLessThan(n.span.end.offset);
    }
  });
});

describe("parseExpression", () => {
  it("parses a command-line objective", () => {
    const r = parseExpression("beta_vae(beta: 0.5)", "<command line>");
    expect(r.diagnostics).toEqual([]);
    expect(sexpr(r.value!)).toBe("(beta_vae beta:0.5)");
    expect(r.value!.span.file).toBe("<command line>");
  });

  it("rejects trailing tokens", () => {
    const r = parseExpression("beta_vae(beta: 0.5) rate", "<command line>");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      code: "unexpected-token",
      params: { expected: "end of input", found: "'rate'" },
      span: { start: { column: 21 }, end: { column: 25 } },
    });
  });

  it("rejects empty and incomplete input", () => {
    for (const text of ["", "   ", "a +", "f(", "(x: 1", "a ->"]) {
      const r = parseExpression(text, "<command line>");
      expect(r.value, text).toBeUndefined();
      expect(r.diagnostics.length, text).toBeGreaterThan(0);
      expect(r.diagnostics[0]!.params.found, text).toBe("end of input");
    }
  });

  it("rejects a declaration", () => {
    const r = parseExpression("model M {}", "<command line>");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({
      code: "unexpected-token",
      params: { expected: "an expression", found: "'model'" },
    });
  });
});

describe("objective definitions", () => {
  it("parses stdlib-style definitions", () => {
    const text = [
      "objective elbo = distortion + rate",
      "objective beta_vae(beta) = distortion + beta * rate",
      "objective target_rate(sigma) = distortion + abs(sigma - rate)",
      "objective iwae(k) = -iw_bound(k)",
      "objective mix(a, b) = a * rate + b * distortion",
      "objective nothing() = rate",
    ].join("\n");
    const r = parseProgram(text, "objectives.vae");
    expect(r.diagnostics).toEqual([]);
    const defs = r.value!.objectives.map((o) => [
      o.name.name,
      o.params.map((p) => p.name),
      sexpr(o.body),
    ]);
    expect(defs).toEqual([
      ["elbo", [], "(+ distortion rate)"],
      ["beta_vae", ["beta"], "(+ distortion (* beta rate))"],
      ["target_rate", ["sigma"], "(+ distortion (abs (- sigma rate)))"],
      ["iwae", ["k"], "(neg (iw_bound k))"],
      ["mix", ["a", "b"], "(+ (* a rate) (* b distortion))"],
      ["nothing", [], "rate"],
    ]);
    const iwae = r.value!.objectives[3]!;
    expect(slice(text, iwae.span)).toBe("objective iwae(k) = -iw_bound(k)");
    expect(iwae.span.start).toEqual({ offset: text.indexOf("objective iwae"), line: 4, column: 1 });
    expect(slice(text, iwae.params[0]!.span)).toBe("k");
  });

  it("parses imports next to models and definitions", () => {
    const text = 'import "stdlib/extra.vae"\nobjective e = rate\nmodel M { objective e }';
    const r = parseProgram(text, "f.vae");
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.imports).toHaveLength(1);
    expect(r.value!.imports[0]!.path.value).toBe("stdlib/extra.vae");
    expect(slice(text, r.value!.imports[0]!.span)).toBe('import "stdlib/extra.vae"');
    expect(r.value!.objectives).toHaveLength(1);
    expect(r.value!.models).toHaveLength(1);
  });
});

describe("declarations", () => {
  it("accepts every role form, leaving role checks to the semantic stage", () => {
    const text = `model M {
      encoder q(z) = Normal(loc: 0, scale: 1)
      prior p(z|x) = Normal(loc: 0, scale: 1)
      decoder p(x) = Bernoulli(logits: 0)
    }`;
    const r = parseProgram(text, "m.vae");
    expect(r.diagnostics).toEqual([]);
    const ds = r.value!.models[0]!.decls;
    expect(
      ds.map((d) => d.kind === "DistributionDecl" && [d.role, d.target.name, d.given?.name]),
    ).toEqual([
      ["encoder", "z", undefined],
      ["prior", "z", "x"],
      ["decoder", "x", undefined],
    ]);
  });

  it("reads types with categories and multi-dimensional shapes", () => {
    const text = "model M { data x: binary[28, 28] latent z: categorical<10>[3] param s: unit }";
    const r = parseProgram(text, "m.vae");
    expect(r.diagnostics).toEqual([]);
    const types = r.value!.models[0]!.decls.map((d) =>
      d.kind === "VariableDecl" || d.kind === "ParamDecl"
        ? [d.type.base.name, d.type.categories?.value, d.type.shape.map((n) => n.value)]
        : undefined,
    );
    expect(types).toEqual([
      ["binary", undefined, [28, 28]],
      ["categorical", 10, [3]],
      ["unit", undefined, []],
    ]);
  });

  it("accepts several where bindings and commas between train options", () => {
    const text = `model M {
      encoder q(z|x) = Normal(loc: h, log_scale: s) where h = f(x), s = g(x)
      train { batch: 10, epochs: 2, seed: 7 }
    }`;
    const r = parseProgram(text, "m.vae");
    expect(r.diagnostics).toEqual([]);
    const [enc, train] = r.value!.models[0]!.decls;
    expect(enc!.kind === "DistributionDecl" && enc!.bindings.map((b) => b.name.name)).toEqual([
      "h",
      "s",
    ]);
    expect(train!.kind === "TrainDecl" && train!.entries.map((e) => e.key.name)).toEqual([
      "batch",
      "epochs",
      "seed",
    ]);
  });

  it("parses an empty file and an empty model", () => {
    expect(parseProgram("", "e.vae")).toMatchObject({
      diagnostics: [],
      value: { kind: "Program", models: [], objectives: [], imports: [] },
    });
    const r = parseProgram("model Empty {}", "e.vae");
    expect(r.value!.models[0]).toMatchObject({ name: { name: "Empty" }, decls: [] });
  });

  it("gives the program a span over the whole file", () => {
    const text = "model A {}\n\nmodel B {}\n";
    const r = parseProgram(text, "p.vae");
    expect(r.value!.span).toEqual({
      file: "p.vae",
      start: { offset: 0, line: 1, column: 1 },
      end: { offset: text.length, line: 4, column: 1 },
    });
    expect(r.value!.models[1]!.span.start).toEqual({ offset: 12, line: 3, column: 1 });
  });
});

describe("comments and whitespace", () => {
  it("skips line and block comments anywhere between tokens", () => {
    const text = [
      "// leading comment",
      "model /* inline */ M { // trailing",
      "  /* a block",
      "     over lines */ data x: /* here */ real[ /* and here */ 4 ]",
      "  objective elbo // the end",
      "} /* final */",
      "// no newline at the end",
    ].join("\r\n");
    const r = parseProgram(text, "c.vae");
    expect(r.diagnostics).toEqual([]);
    const m = r.value!.models[0]!;
    expect(m.name.name).toBe("M");
    const x = m.decls[0]!;
    expect(x.kind).toBe("VariableDecl");
    expect(x.span.start).toMatchObject({ line: 4, column: "     over lines */ ".length + 1 });
    expect(slice(text, x.span)).toBe("data x: /* here */ real[ /* and here */ 4 ]");
  });

  it("does not nest block comments", () => {
    const r = parseProgram("/* outer /* inner */ model M {}", "c.vae");
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.models).toHaveLength(1);
  });

  it("counts columns after tabs as one character each", () => {
    const r = parseExpression("\t\tx", "t");
    expect(r.value!.span.start).toEqual({ offset: 2, line: 1, column: 3 });
  });
});
