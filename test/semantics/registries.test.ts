import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import {
  distributionNames,
  distributions,
  lookupDistribution,
  parameterNames,
  requiredParamShape,
} from "../../src/stdlib/distributions/index.js";
import { elementwiseFunctions } from "../../src/stdlib/functions.js";
import { lookupNet, netNames } from "../../src/stdlib/nets/index.js";
import { parseExpression } from "../../src/syntax/index.js";
import type { Call } from "../../src/syntax/ast.js";
import { broadcastShapes, broadcastsTo } from "../../src/semantics/index.js";

function call(text: string): Call {
  const e = parseExpression(text, "net.vae").value;
  if (e?.kind !== "Call") throw new Error(`not a call: ${text}`);
  return e;
}

function define(text: string) {
  const c = call(text);
  return lookupNet(c.callee.name)!.checkDefinition("n", c);
}

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

describe("distribution registry", () => {
  it("holds Normal, Bernoulli and Categorical", () => {
    expect(distributionNames()).toEqual(["Normal", "Bernoulli", "Categorical", "MixtureNormal"]);
    for (const [name, sig] of distributions) expect(sig.name).toBe(name);
  });

  it("declares supports, parameterizations and estimator facts", () => {
    const normal = lookupDistribution("Normal")!;
    expect(normal.support).toEqual(["real", "unit"]);
    expect(normal.paramGroups).toEqual([["loc"], ["scale", "log_scale"]]);
    expect(normal.reparameterizable).toBe(true);
    expect(lookupDistribution("Bernoulli")!.support).toEqual(["binary"]);
    expect(parameterNames(lookupDistribution("Bernoulli")!)).toEqual(["logits", "probs"]);
    const cat = lookupDistribution("Categorical")!;
    expect([cat.enumerable, cat.reparameterizable]).toEqual([true, false]);
  });

  it("Categorical parameters carry the K axis", () => {
    const cat = lookupDistribution("Categorical")!;
    expect(requiredParamShape(cat, { shape: [3], categories: 7 })).toEqual([3, 7]);
    expect(requiredParamShape(lookupDistribution("Normal")!, { shape: [3] })).toEqual([3]);
  });
});

describe("net registry", () => {
  it("holds linear, mlp and table", () =>
    expect(netNames()).toEqual(["linear", "mlp", "table", "quadratic_logits"]));

  it("mlp with heads and a default activation", () => {
    const r = define("mlp(784 -> 400 -> (loc: 20, log_scale: 20))");
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual({
      name: "n",
      kind: "mlp",
      inputSize: 784,
      hidden: [400],
      activation: "tanh",
      output: {
        kind: "heads",
        heads: [
          { name: "loc", size: 20 },
          { name: "log_scale", size: 20 },
        ],
      },
    });
  });

  it("mlp with several hidden layers and an activation", () => {
    const r = define("mlp(8 -> 16 -> 32 -> 2, activation: relu)");
    expect(r.value).toMatchObject({ inputSize: 8, hidden: [16, 32], activation: "relu" });
  });

  it("linear and table", () => {
    expect(define("linear(64 -> 4)").value).toMatchObject({
      kind: "linear",
      hidden: [],
      activation: "identity",
      output: { kind: "single", size: 4 },
    });
    expect(define("table(30 -> 30)").value).toMatchObject({ kind: "table", inputSize: 30 });
    expect(lookupNet("table")!.input).toBe("index");
  });

  it("rejects malformed definitions", () => {
    expect(codes(define("mlp(2 -> 4)").diagnostics)).toEqual(["invalid-architecture"]);
    expect(codes(define("linear(2 -> 3 -> 4)").diagnostics)).toEqual(["invalid-architecture"]);
    expect(codes(define("table(3 -> (a: 1))").diagnostics)).toEqual(["invalid-architecture"]);
    expect(codes(define("mlp(2 -> 3 -> 4, activation: elu)").diagnostics)).toEqual([
      "unknown-activation",
    ]);
    expect(codes(define("mlp(2 -> 3 -> 4, act: tanh)").diagnostics)).toEqual(["unknown-argument"]);
    expect(
      codes(define("mlp(2 -> 3 -> 4, activation: tanh, activation: relu)").diagnostics),
    ).toEqual(["duplicate-argument"]);
    expect(codes(define("linear(2 -> 4, 5)").diagnostics)).toEqual(["positional-argument"]);
    expect(codes(define("linear(2 -> 0.5)").diagnostics)).toEqual(["invalid-size"]);
    expect(codes(define("linear(4)").diagnostics)).toEqual(["invalid-architecture"]);
    expect(codes(define("linear()").diagnostics)).toEqual(["invalid-architecture"]);
    expect(codes(define("linear(2 -> (a: 1, a: 2))").diagnostics)).toEqual([
      "duplicate-declaration",
    ]);
  });
});

it("elementwise functions map to IR functions of the same name", () => {
  expect([...elementwiseFunctions.keys()]).toEqual([
    "exp",
    "log",
    "softplus",
    "sigmoid",
    "tanh",
    "relu",
    "abs",
    "sqrt",
    "square",
  ]);
  for (const [name, fn] of elementwiseFunctions) expect(fn).toBe(name);
});

describe("broadcasting", () => {
  it("follows NumPy rules", () => {
    expect(broadcastShapes([], [3])).toEqual([3]);
    expect(broadcastShapes([1], [3])).toEqual([3]);
    expect(broadcastShapes([2, 1], [3])).toEqual([2, 3]);
    expect(broadcastShapes([2], [3])).toBeUndefined();
    expect(broadcastsTo([3], [2, 3])).toBe(true);
    expect(broadcastsTo([2, 3], [3])).toBe(false);
    expect(broadcastsTo([3], [1])).toBe(false);
  });
});
