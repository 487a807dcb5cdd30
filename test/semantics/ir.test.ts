import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFile, compileSource } from "../../src/frontend.js";
import { validateModelIR, type ModelIR, type TensorExpr } from "../../src/ir/index.js";
import { model } from "./helpers.js";

function compiled(text: string): ModelIR {
  const r = compileSource(text, "m.vae");
  if (r.ir === undefined) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.ir;
}

const examples = readdirSync("examples").map((f) => compileFile(`examples/${f}`).ir!);

describe("lowered IR", () => {
  it("survives a JSON round trip unchanged", () => {
    for (const ir of examples) {
      expect(JSON.parse(JSON.stringify(ir))).toStrictEqual(ir);
    }
  });

  it("is valid for every example", () => {
    for (const ir of examples) expect(validateModelIR(ir)).toEqual([]);
  });

  it("carries train.workers when written, and leaves it out otherwise", () => {
    const ir = compiled(model({}, "train { workers: 2 }"));
    expect(ir.train.workers).toBe(2);
    expect(JSON.parse(JSON.stringify(ir))).toStrictEqual(ir);
    expect(validateModelIR(ir)).toEqual([]);
    const plain = compiled(model());
    expect(plain.train.workers).toBeUndefined();
    expect(Object.keys(plain.train)).not.toContain("workers");
  });

  it("turns where-bindings into local nodes", () => {
    const ir = examples.find((e) => e.name === "MnistVAE")!;
    expect(ir.encoder.bindings).toEqual([
      {
        name: "h",
        value: {
          op: "net",
          net: "encoder_net",
          input: { op: "variable", name: "x", role: "data", shape: [784] },
          shape: [],
        },
      },
    ]);
    expect(ir.encoder.params["loc"]).toEqual({
      op: "head",
      input: { op: "local", name: "h", shape: [] },
      head: "loc",
      shape: [20],
    });
  });

  it("annotates every node with its event shape", () => {
    const ir = compiled(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: 2 * dec(z) - b)" }, "param b: real = 0"),
    );
    const shapes: [string, number[]][] = [];
    const walk = (e: TensorExpr): void => {
      shapes.push([e.op, e.shape]);
      if (e.op === "binary") {
        walk(e.lhs);
        walk(e.rhs);
      } else if (e.op === "net" || e.op === "head" || e.op === "unary") walk(e.input);
    };
    walk(ir.decoder.params["logits"]!);
    expect(shapes).toEqual([
      ["binary", [4]],
      ["binary", [4]],
      ["const", []],
      ["net", [4]],
      ["variable", [2]],
      ["param", []],
    ]);
  });

  it("records the objective as written", () => {
    const ir = compiled(model({}, "objective beta_vae(beta: 2)  +  0 * rate"));
    expect(ir.objective.source).toBe("beta_vae(beta: 2)  +  0 * rate");
  });
});

describe("validateModelIR", () => {
  const base = () => structuredClone(examples.find((e) => e.name === "MnistVAE")!);

  it("finds a wrong annotated shape", () => {
    const ir = base();
    (ir.decoder.params["logits"] as { shape: number[] }).shape = [783];
    expect(validateModelIR(ir).join("\n")).toMatch(/decoder\.logits: net has shape \[783\]/);
  });

  it("finds an unknown net, a bad parameterization and a stale linear form", () => {
    const ir = base();
    ir.nets = ir.nets.filter((n) => n.name !== "decoder_net");
    ir.prior.params["log_scale"] = { op: "const", value: 0, shape: [] };
    ir.objective.linear = { distortion: 1, rate: 2, entropy: 0, constant: 0 };
    const problems = validateModelIR(ir).join("\n");
    expect(problems).toContain("unknown net decoder_net");
    expect(problems).toContain("prior: needs exactly one of scale, log_scale");
    expect(problems).toContain("objective.linear");
  });

  it("finds a non-integer worker count", () => {
    const ir = base();
    ir.train.workers = 1.5;
    expect(validateModelIR(ir).join("\n")).toContain("train.workers");
    ir.train.workers = 3;
    expect(validateModelIR(ir)).toEqual([]);
  });

  it("finds a variable used outside its role", () => {
    const ir = base();
    ir.decoder.params["logits"] = { op: "variable", name: "x", role: "data", shape: [784] };
    expect(validateModelIR(ir).join("\n")).toContain("x is not visible");
  });
});
