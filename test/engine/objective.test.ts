import { describe, expect, it } from "vitest";
import {
  evaluateObjective,
  iwSampleCounts,
  numberAlgebra,
  type TermValues,
} from "../../src/engine/estimators/objective.js";
import type { ObjectiveExpr } from "../../src/ir/types.js";
import { ELBO, term } from "./fixtures.js";

const terms: TermValues<number> = {
  distortion: 90,
  rate: 12,
  entropy: 100,
  iwBound: (k) => -100 + 1 / k,
};

const k = (value: number): ObjectiveExpr => ({ op: "const", value });
const bin = (
  fn: "add" | "sub" | "mul" | "div",
  lhs: ObjectiveExpr,
  rhs: ObjectiveExpr,
): ObjectiveExpr => ({
  op: "binary",
  fn,
  lhs,
  rhs,
});
const ev = (e: ObjectiveExpr) => evaluateObjective(e, numberAlgebra, terms);

describe("evaluateObjective", () => {
  it("evaluates the stdlib objectives", () => {
    expect(ev(ELBO)).toBe(102);
    expect(ev(bin("add", term("distortion"), bin("mul", k(4), term("rate"))))).toBe(138);
    const targetRate: ObjectiveExpr = bin("add", term("distortion"), {
      op: "unary",
      fn: "abs",
      input: bin("sub", k(0.5), term("rate")),
    });
    expect(ev(targetRate)).toBe(101.5);
    expect(ev({ op: "unary", fn: "neg", input: { op: "iw_bound", k: 5 } })).toBe(100 - 0.2);
  });

  it("uses H − D for mutual_info and R − (H − D) for marginal_kl", () => {
    expect(ev(term("mutual_info"))).toBe(10);
    expect(ev(term("marginal_kl"))).toBe(2);
    expect(ev(term("entropy"))).toBe(100);
  });

  it("infomax(λ) equals (1 + λ)·beta_vae(1/(1 + λ)) − (1 + λ)·H", () => {
    const lambda = 3;
    const infomax = bin("sub", term("marginal_kl"), bin("mul", k(lambda), term("mutual_info")));
    const beta = bin("add", term("distortion"), bin("mul", k(1 / (1 + lambda)), term("rate")));
    expect(ev(infomax)).toBeCloseTo((1 + lambda) * ev(beta) - (1 + lambda) * terms.entropy, 10);
  });

  it("evaluates max, min and division", () => {
    const e: ObjectiveExpr = {
      op: "call",
      fn: "max",
      args: [term("rate"), k(20), bin("div", term("distortion"), k(9))],
    };
    expect(ev(e)).toBe(20);
    expect(ev({ op: "call", fn: "min", args: [term("rate"), k(20)] })).toBe(12);
  });

  it("lists the iw_bound sample counts", () => {
    const e = bin(
      "add",
      { op: "iw_bound", k: 50 },
      bin("mul", { op: "iw_bound", k: 5 }, { op: "iw_bound", k: 50 }),
    );
    expect(iwSampleCounts(e)).toEqual([5, 50]);
    expect(iwSampleCounts(ELBO)).toEqual([]);
  });
});
