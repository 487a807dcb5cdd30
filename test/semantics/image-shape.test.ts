/**
 * Image-shaped variables with vector nets: a vector net flattens a tensor of rank ≥ 2 of
 * its input size, a parameter [n] stands for a variable of n values (rank ≥ 2); rank 1,
 * scalars, categorical values and mixtures keep the exact-size and broadcasting rules.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/frontend.js";
import { validateModelIR, type ModelIR, type TensorExpr } from "../../src/ir/index.js";
import { expectOnly } from "./helpers.js";

const image = (over: Record<string, string> = {}) => {
  const lines: Record<string, string> = {
    data: "data   x: binary[4, 6]",
    latent: "latent z: real[2]",
    enc: "net enc = mlp(24 -> 8 -> (loc: 2, log_scale: 2))",
    dec: "net dec = linear(2 -> 24)",
    prior: "prior   p(z)   = Normal(loc: 0, scale: 1)",
    encoder: "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)",
    decoder: "decoder p(x|z) = Bernoulli(logits: dec(z))",
    ...over,
  };
  return `model M {\n  ${Object.values(lines).join("\n  ")}\n}\n`;
};

function compiled(text: string): ModelIR {
  const r = compileSource(text, "m.vae");
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  expect(validateModelIR(r.ir!)).toEqual([]);
  return r.ir!;
}

describe("a vector net applied to a tensor of rank ≥ 2", () => {
  it("takes it flattened row-major: lowering inserts a reshape to [n]", () => {
    const ir = compiled(image());
    expect(ir.encoder.bindings[0]!.value).toEqual({
      op: "net",
      net: "enc",
      input: {
        op: "reshape",
        input: { op: "variable", name: "x", role: "data", shape: [4, 6] },
        shape: [24],
      },
      shape: [],
    });
  });

  it("flattens any expression of that many values, of any rank ≥ 2", () => {
    const ir = compiled(
      image({
        data: "data   x: unit[2, 3, 4]",
        encoder: "encoder q(z|x) = Normal(loc: enc(x * 2).loc, scale: 1)",
        decoder: "decoder p(x|z) = Normal(loc: dec(z), scale: 0.1)",
      }),
    );
    const input = (ir.encoder.params.loc as Extract<TensorExpr, { op: "head" }>).input;
    expect(input.op === "net" && input.input.op === "reshape" && input.input.shape).toEqual([24]);
    expect(input.op === "net" && input.input.op === "reshape" && input.input.input.op).toBe(
      "binary",
    );
  });

  it("names the flattened size when the count differs", () => {
    const d = expectOnly(
      image({
        data: "data   x: binary[4, 5]",
        encoder: "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(«x»)",
        dec: "net dec = linear(2 -> 20)",
      }),
      "net-input-mismatch",
    );
    expect(d.message).toBe(
      "net 'enc' takes input real[24] (or any shape of 24 values), but is applied to binary[4, 5]",
    );
  });

  it("keeps the exact-size rule for vectors and refuses scalars and categorical values", () => {
    const vector = expectOnly(
      image({
        data: "data   x: binary[23]",
        encoder: "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(«x»)",
        dec: "net dec = linear(2 -> 23)",
      }),
      "net-input-mismatch",
    );
    expect(vector.message).toBe("net 'enc' takes input real[24], but is applied to binary[23]");
    const scalar = expectOnly(
      image({
        data: "data   x: real",
        enc: "net enc = mlp(1 -> 8 -> (loc: 2, log_scale: 2))",
        encoder: "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(«x»)",
        decoder: "decoder p(x|z) = Normal(loc: 0, scale: 1)",
      }),
      "net-input-mismatch",
    );
    expect(scalar.message).toBe("net 'enc' takes input real[1], but is applied to real");
    const categorical = expectOnly(
      image({
        data: "data   x: categorical<3>[4, 6]",
        encoder: "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(«x»)",
        dec: "net dec = linear(2 -> 72)",
        decoder: "decoder p(x|z) = Categorical(logits: 0)",
      }),
      "net-input-mismatch",
    );
    expect(categorical.message).toBe(
      "net 'enc' takes input real[24], but is applied to categorical<3>[4, 6]",
    );
  });
});

describe("a parameter [n] of a distribution over a variable of n values", () => {
  it("is reshaped to the variable's shape, batched or shared", () => {
    const ir = compiled(
      image({
        data: "data   x: real[4, 6]",
        decoder: "decoder p(x|z) = Normal(loc: dec(z), log_scale: s)\n  param s: real[24] = 0",
      }),
    );
    expect(ir.decoder.params.loc).toEqual({
      op: "reshape",
      input: {
        op: "net",
        net: "dec",
        input: { op: "variable", name: "z", role: "latent", shape: [2] },
        shape: [24],
      },
      shape: [4, 6],
    });
    expect(ir.decoder.params.log_scale).toEqual({
      op: "reshape",
      input: { op: "param", name: "s", shape: [24] },
      shape: [4, 6],
    });
  });

  it("leaves parameters that broadcast alone", () => {
    const ir = compiled(
      image({
        data: "data   x: real[4, 6]",
        decoder: "decoder p(x|z) = Normal(loc: s, scale: 1)\n  param s: real[6] = 0",
      }),
    );
    expect(ir.decoder.params.loc).toEqual({ op: "param", name: "s", shape: [6] });
  });

  it("is a shape mismatch with any other count, naming the flat form", () => {
    const d = expectOnly(
      image({
        dec: "net dec = linear(2 -> 23)",
        decoder: "decoder p(x|z) = Bernoulli(logits: «dec(z)»)",
      }),
      "shape-mismatch",
    );
    expect(d.message).toBe(
      "shape mismatch in parameter 'logits' of Bernoulli: expected [4, 6] or a shape that broadcasts to it, or [24] read row-major, found [23]",
    );
  });

  it("applies to the event shape only: not to a mixture's [K, ...event] parameters", () => {
    const d = expectOnly(
      image({
        latent: "latent z: real[2, 2]",
        enc: "net enc = mlp(24 -> 8 -> (loc: 4, log_scale: 4))",
        dec: "net dec = linear(4 -> 24)",
        prior:
          "prior   p(z)   = MixtureNormal(logits: w, loc: «m», scale: 1)\n  param w: real[3] = 0\n  param m: real[12] = 0",
      }),
      "shape-mismatch",
    );
    expect(d.message).toContain("expected [3, 2, 2] or a shape that broadcasts to it, found [12]");
  });
});

describe("validateModelIR on reshape nodes", () => {
  it("reports a reshape that changes the number of values", () => {
    const ir = compiled(image());
    const broken = structuredClone(ir);
    broken.decoder.params.logits = {
      op: "reshape",
      input: { op: "const", value: 1, shape: [] },
      shape: [4, 6],
    };
    expect(validateModelIR(broken)).toEqual([
      "decoder.logits: reshape of [] to [4,6] changes the value count",
    ]);
  });
});
