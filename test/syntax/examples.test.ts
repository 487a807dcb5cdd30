import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Call, DistributionDecl, Model, NetDecl, Program } from "../../src/syntax/ast.js";
import { parseProgram } from "../../src/syntax/index.js";
import { allNodes, lineColumn, sexpr, slice } from "./helpers.js";

const exampleFiles = readdirSync("examples").filter((f) => f.endsWith(".vae"));
const sources = [...exampleFiles.map((f) => `examples/${f}`), "stdlib/objectives.vae"];

function parseFile(path: string): { text: string; program: Program } {
  const text = readFileSync(path, "utf8");
  const result = parseProgram(text, path);
  expect(result.diagnostics).toEqual([]);
  expect(result.value).toBeDefined();
  return { text, program: result.value! };
}

function onlyModel(p: Program): Model {
  expect(p.models).toHaveLength(1);
  return p.models[0]!;
}

function decl<K extends Model["decls"][number]["kind"]>(m: Model, kind: K, index = 0) {
  const found = m.decls.filter((d) => d.kind === kind);
  expect(found.length).toBeGreaterThan(index);
  return found[index] as Extract<Model["decls"][number], { kind: K }>;
}

describe("every example and the stdlib", () => {
  it("includes the acceptance programs", () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining([
        "mnist-vae.vae",
        "beta-vae.vae",
        "infomax.vae",
        "broken-elbo-toy.vae",
      ]),
    );
  });

  it.each(sources)("%s parses with consistent spans", (path) => {
    const { text, program } = parseFile(path);
    const nodes = allNodes(program);
    expect(nodes.length).toBeGreaterThan(10);
    for (const n of nodes) {
      expect(n.span.file).toBe(path);
      expect(n.span.start.offset).toBeLessThan(n.span.end.offset);
      // Line/column must agree with the offsets (end exclusive).
      expect(lineColumn(text, n.span.start.offset)).toEqual({
        line: n.span.start.line,
        column: n.span.start.column,
      });
      expect(lineColumn(text, n.span.end.offset)).toEqual({
        line: n.span.end.line,
        column: n.span.end.column,
      });
      if (n.parent) {
        expect(n.span.start.offset).toBeGreaterThanOrEqual(n.parent.start.offset);
        expect(n.span.end.offset).toBeLessThanOrEqual(n.parent.end.offset);
      }
    }
    for (const id of nodes.filter((n) => n.kind === "Ident" || n.kind === "Name")) {
      expect(slice(text, id.span)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
  });
});

describe("examples/mnist-vae.vae", () => {
  const { text, program } = parseFile("examples/mnist-vae.vae");
  const model = onlyModel(program);

  it("has the declarations in source order", () => {
    expect(model.name.name).toBe("MnistVAE");
    expect(model.decls.map((d) => d.kind)).toEqual([
      "VariableDecl",
      "VariableDecl",
      "NetDecl",
      "NetDecl",
      "DistributionDecl",
      "DistributionDecl",
      "DistributionDecl",
      "ObjectiveDecl",
      "TrainDecl",
    ]);
    expect(program.imports).toEqual([]);
    expect(program.objectives).toEqual([]);
    expect(slice(text, model.span)).toMatch(/^model MnistVAE \{[\s\S]*\}$/);
  });

  it("reads the variable types", () => {
    const x = decl(model, "VariableDecl", 0);
    expect(x.role).toBe("data");
    expect(x.name.name).toBe("x");
    expect(x.type.base.name).toBe("binary");
    expect(x.type.shape.map((n) => n.value)).toEqual([784]);
    expect(x.type.categories).toBeUndefined();
    expect(slice(text, x.span)).toBe("data   x: binary[784]");
    expect(slice(text, x.type.span)).toBe("binary[784]");
    const z = decl(model, "VariableDecl", 1);
    expect(z.role).toBe("latent");
    expect(z.type.shape.map((n) => n.value)).toEqual([20]);
  });

  it("reads the net architecture as an arrow ending in a record of heads", () => {
    const enc: NetDecl = decl(model, "NetDecl", 0);
    expect(enc.name.name).toBe("encoder_net");
    expect(sexpr(enc.def)).toBe("(mlp (-> 784 400 {loc: 20, log_scale: 20}) activation:tanh)");
    const arrow = enc.def.args[0]!.value;
    expect(arrow.kind).toBe("Arrow");
    expect(slice(text, arrow.span)).toBe("784 -> 400 -> (loc: 20, log_scale: 20)");
    expect(enc.def.args[0]!.name).toBeUndefined();
    expect(enc.def.args[1]!.name?.name).toBe("activation");
    expect(slice(text, enc.def.span)).toBe(
      "mlp(784 -> 400 -> (loc: 20, log_scale: 20), activation: tanh)",
    );
  });

  it("reads the three roles with their labels and conditioning", () => {
    const [prior, encoder, decoder] = model.decls.filter(
      (d): d is DistributionDecl => d.kind === "DistributionDecl",
    );
    expect([prior!.role, prior!.label.name, prior!.target.name, prior!.given]).toEqual([
      "prior",
      "p",
      "z",
      undefined,
    ]);
    expect([encoder!.role, encoder!.label.name, encoder!.target.name]).toEqual([
      "encoder",
      "q",
      "z",
    ]);
    expect(encoder!.given?.name).toBe("x");
    expect([decoder!.role, decoder!.label.name, decoder!.target.name]).toEqual([
      "decoder",
      "p",
      "x",
    ]);
    expect(decoder!.given?.name).toBe("z");
    expect(sexpr(decoder!.dist)).toBe("(Bernoulli logits:(decoder_net z))");
    expect(encoder!.bindings).toHaveLength(1);
    expect(encoder!.bindings[0]!.name.name).toBe("h");
    expect(sexpr(encoder!.bindings[0]!.value)).toBe("(encoder_net x)");
    expect(slice(text, encoder!.span)).toBe(
      "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = encoder_net(x)",
    );
  });

  it("points h.loc at line 10, column 32", () => {
    const encoder = decl(model, "DistributionDecl", 1);
    const loc = encoder.dist.args[0]!;
    expect(loc.name?.name).toBe("loc");
    const member = loc.value;
    expect(member.kind).toBe("Member");
    expect(member.span.start).toMatchObject({ line: 10, column: 32 });
    expect(member.span.end).toMatchObject({ line: 10, column: 37 });
    expect(slice(text, member.span)).toBe("h.loc");
    if (member.kind !== "Member") return;
    expect(member.member.name).toBe("loc");
    expect(member.member.span.start).toMatchObject({ line: 10, column: 34 });
    expect(slice(text, loc.span)).toBe("loc: h.loc");
  });

  it("reads the objective and the train block", () => {
    expect(sexpr(decl(model, "ObjectiveDecl").expr)).toBe("elbo");
    const train = decl(model, "TrainDecl");
    expect(train.entries.map((e) => [e.key.name, sexpr(e.value)])).toEqual([
      ["dataset", '"binarized-mnist"'],
      ["optimizer", "(adam lr:0.001)"],
      ["batch", "100"],
      ["epochs", "10"],
      ["samples", "1"],
    ]);
    const lr = (train.entries[1]!.value as Call).args[0]!.value;
    expect(lr).toMatchObject({ kind: "NumberLit", value: 0.001, text: "0.001" });
    expect(train.span.start.line).toBe(15);
    expect(train.span.end.line).toBe(21);
  });
});

describe("the other acceptance examples", () => {
  it("beta-vae and infomax differ from mnist-vae in the objective only", () => {
    const beta = onlyModel(parseFile("examples/beta-vae.vae").program);
    const infomax = onlyModel(parseFile("examples/infomax.vae").program);
    expect(sexpr(decl(beta, "ObjectiveDecl").expr)).toBe("(beta_vae beta:4)");
    expect(sexpr(decl(infomax, "ObjectiveDecl").expr)).toBe("(infomax lambda:1)");
  });

  it("broken-elbo-toy has categorical types, a param with an initializer, tables", () => {
    const { text, program } = parseFile("examples/broken-elbo-toy.vae");
    const m = onlyModel(program);
    const x = decl(m, "VariableDecl", 0);
    expect(x.type.base.name).toBe("categorical");
    expect(x.type.categories?.value).toBe(30);
    expect(x.type.shape).toEqual([]);
    expect(slice(text, x.type.span)).toBe("categorical<30>");
    const param = decl(m, "ParamDecl");
    expect(param.name.name).toBe("marginal_logits");
    expect(param.type.shape.map((n) => n.value)).toEqual([30]);
    expect(param.init && sexpr(param.init)).toBe("0");
    expect(slice(text, param.span)).toBe("param marginal_logits: real[30] = 0");
    expect(sexpr(decl(m, "NetDecl", 0).def)).toBe("(table (-> 30 30))");
    const prior = decl(m, "DistributionDecl", 0);
    expect([prior.label.name, prior.target.name]).toEqual(["m", "z"]);
    expect(sexpr(decl(m, "ObjectiveDecl").expr)).toBe("(target_rate sigma:0.5)");
    const train = decl(m, "TrainDecl");
    expect(train.entries.find((e) => e.key.name === "estimator")?.value).toMatchObject({
      kind: "Name",
      name: "enumerate",
    });
  });

  it("gaussian-vae has a scalar param and no train block", () => {
    const m = onlyModel(parseFile("examples/gaussian-vae.vae").program);
    const param = decl(m, "ParamDecl");
    expect(param.type.base.name).toBe("real");
    expect(param.type.shape).toEqual([]);
    expect(m.decls.some((d) => d.kind === "TrainDecl")).toBe(false);
    expect(sexpr(decl(m, "DistributionDecl", 2).dist)).toBe(
      "(Normal loc:(dec z) log_scale:log_sigma)",
    );
  });
});

describe("stdlib/objectives.vae", () => {
  it("defines the standard objectives with their parameters", () => {
    const { program } = parseFile("stdlib/objectives.vae");
    expect(program.models).toEqual([]);
    const defs = Object.fromEntries(
      program.objectives.map((o) => [o.name.name, [o.params.map((p) => p.name), sexpr(o.body)]]),
    );
    expect(defs).toMatchObject({
      elbo: [[], "(+ distortion rate)"],
      beta_vae: [["beta"], "(+ distortion (* beta rate))"],
      infomax: [["lambda"], "(- marginal_kl (* lambda mutual_info))"],
      target_rate: [["sigma"], "(+ distortion (abs (- sigma rate)))"],
      iwae: [["k"], "(neg (iw_bound k))"],
    });
  });
});
