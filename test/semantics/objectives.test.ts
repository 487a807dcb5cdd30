import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { compileSource } from "../../src/frontend.js";
import type { LinearObjectiveIR, ObjectiveIR } from "../../src/ir/types.js";
import {
  betaVaeEquivalent,
  collectObjectiveDefinitions,
  describeLinearObjective,
  explainObjective,
  formatObjectiveExpr,
  linearObjective,
  resolveObjective,
  termCoefficients,
  type ObjectiveEnv,
} from "../../src/objectives/index.js";
import { parseExpression, parseProgram } from "../../src/syntax/index.js";
import { model } from "./helpers.js";

const STDLIB = `
objective elbo = distortion + rate
objective beta_vae(beta) = distortion + beta * rate
objective infomax(lambda) = marginal_kl - lambda * mutual_info
objective target_rate(sigma) = distortion + abs(sigma - rate)
objective iwae(k) = -iw_bound(k)
`;

/** Resolves `expr` against the five standard objectives plus `user` definitions. */
function resolve(expr: string, user = ""): { value?: ObjectiveIR; diagnostics: Diagnostic[] } {
  const std = parseProgram(STDLIB, "std.vae").value!;
  const mine = parseProgram(user, "user.vae").value!;
  const diagnostics: Diagnostic[] = [];
  const definitions = collectObjectiveDefinitions(std.objectives, mine.objectives, diagnostics);
  const texts = new Map([
    ["std.vae", STDLIB],
    ["user.vae", user],
    ["expr", expr],
  ]);
  const env: ObjectiveEnv = { definitions, sources: (f) => texts.get(f) };
  const e = parseExpression(expr, "expr");
  if (e.value === undefined) throw new Error(e.diagnostics.map((d) => d.message).join("; "));
  const r = resolveObjective(e.value, env);
  return { value: r.value, diagnostics: [...diagnostics, ...r.diagnostics] };
}

function linear(expr: string, user = ""): LinearObjectiveIR | null {
  const r = resolve(expr, user);
  expect(r.diagnostics).toEqual([]);
  return r.value!.linear;
}

describe("inlining", () => {
  it("substitutes named and positional arguments", () => {
    const named = resolve("beta_vae(beta: 4)").value!;
    const positional = resolve("beta_vae(4)").value!;
    expect(formatObjectiveExpr(named.expr)).toBe("distortion + 4 * rate");
    expect(positional.expr).toEqual(named.expr);
    expect(named.source).toBe("beta_vae(beta: 4)");
  });

  it("passes arguments through nested definitions", () => {
    const r = resolve("outer(2)", "objective outer(a) = beta_vae(beta: a * a) + a");
    expect(formatObjectiveExpr(r.value!.expr)).toBe("distortion + 2 * 2 * rate + 2");
  });

  it("user definitions shadow stdlib ones", () => {
    const r = resolve("elbo", "objective elbo = rate");
    expect(r.value!.expr).toEqual({ op: "term", term: "rate" });
  });

  it("iw_bound takes a constant integer k", () => {
    expect(resolve("iwae(k: 3 + 2)").value!.expr).toEqual({
      op: "unary",
      fn: "neg",
      input: { op: "iw_bound", k: 5 },
    });
    const bad = resolve("iwae(k: rate)");
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["invalid-expression"]);
    expect(bad.diagnostics[0]!.span.file).toBe("expr");
  });
});

describe("objective diagnostics", () => {
  const codes = (expr: string, user = "") => resolve(expr, user).diagnostics.map((d) => d.code);
  it("unknown objective", () => expect(codes("betavae(beta: 2)")).toEqual(["unknown-objective"]));
  it("unknown term", () => expect(codes("distortion + rates")).toEqual(["unknown-term"]));
  it("argument mismatches", () => {
    expect(codes("beta_vae(b: 2)")).toEqual(["objective-argument-mismatch"]);
    expect(codes("beta_vae(2, beta: 3)")).toEqual(["objective-argument-mismatch"]);
    expect(codes("beta_vae")).toEqual(["objective-argument-mismatch"]);
    expect(codes("elbo(1)")).toEqual(["objective-argument-mismatch"]);
  });
  it("recursion, direct and mutual", () => {
    expect(codes("loop", "objective loop = rate + loop")).toEqual(["objective-recursion"]);
    expect(codes("a", "objective a = b\nobjective b = 2 * a")).toEqual(["objective-recursion"]);
  });
  it("a term cannot be called", () => expect(codes("rate(2)")).toEqual(["invalid-expression"]));
  it("message quotes the arguments as written", () => {
    const d = resolve("beta_vae(gamma: 1 / 2)").diagnostics[0]!;
    expect(d.message).toBe("objective 'beta_vae' takes (beta), found (gamma: 1 / 2)");
  });
});

describe("linear form", () => {
  it("elbo and beta_vae", () => {
    expect(linear("elbo")).toEqual({ distortion: 1, rate: 1, entropy: 0, constant: 0 });
    expect(linear("beta_vae(beta: 4)")).toEqual({
      distortion: 1,
      rate: 4,
      entropy: 0,
      constant: 0,
    });
  });

  it("infomax(lambda: 1) is 2 * beta_vae(beta: 0.5) - 2H", () => {
    expect(linear("infomax(lambda: 1)")).toEqual({
      distortion: 2,
      rate: 1,
      entropy: -2,
      constant: 0,
    });
  });

  it("infomax(lambda) = (1 + lambda) * beta_vae(1 / (1 + lambda)) - (1 + lambda) * H", () => {
    for (const lambda of [0, 0.25, 1, 3, 9.5]) {
      const l = linear(`infomax(lambda: ${lambda})`)!;
      const s = 1 + lambda;
      expect(l.distortion).toBeCloseTo(s, 12);
      expect(l.rate).toBeCloseTo(1, 12);
      expect(l.entropy).toBeCloseTo(-s, 12);
      // The same objective written through beta_vae has the same linear form.
      const viaBeta = linear(`${s} * beta_vae(beta: 1 / ${s}) - ${s} * entropy`)!;
      expect(viaBeta.distortion).toBeCloseTo(l.distortion, 12);
      expect(viaBeta.rate).toBeCloseTo(l.rate, 12);
      expect(viaBeta.entropy).toBeCloseTo(l.entropy, 12);
    }
  });

  it("ELBO surgery: marginal_kl + mutual_info is the rate", () => {
    expect(linear("marginal_kl + mutual_info")).toEqual({
      distortion: 0,
      rate: 1,
      entropy: 0,
      constant: 0,
    });
  });

  it("constants, division and constant-only abs/max/min stay linear", () => {
    expect(linear("(distortion + 3) / 2 - abs(-1) + max(1, 2) * rate")).toEqual({
      distortion: 0.5,
      rate: 2,
      entropy: 0,
      constant: 0.5,
    });
  });

  it("is null when nonlinear", () => {
    expect(linear("target_rate(sigma: 0.5)")).toBeNull();
    expect(linear("iwae(k: 5)")).toBeNull();
    expect(linear("rate * distortion")).toBeNull();
    expect(linear("distortion / rate")).toBeNull();
    expect(linear("max(rate, 2)")).toBeNull();
  });

  it("keeps mutual_info and marginal_kl before substitution", () => {
    const r = resolve("infomax(lambda: 2)").value!;
    expect(termCoefficients(r.expr)).toEqual({
      distortion: 0,
      rate: 0,
      mutual_info: -2,
      marginal_kl: 1,
      entropy: 0,
      constant: 0,
    });
    expect(linearObjective(r.expr)).toEqual(r.linear);
  });
});

describe("explanations", () => {
  it("derives the beta-VAE form of infomax step by step", () => {
    const text = explainObjective(resolve("infomax(lambda: 1)").value!);
    expect(text).toContain("objective infomax(lambda: 1)");
    expect(text).toContain("= rate - 2 * mutual_info");
    expect(text).toContain("= 2 * distortion + rate - 2 * entropy");
    expect(text).toContain("beta_vae(beta: 0.5), up to the positive scale 2 and a constant");
  });

  it("says when there is no linear form", () => {
    expect(explainObjective(resolve("target_rate(sigma: 1)").value!)).toContain("not linear");
  });

  it("describes linear forms and beta-VAE equivalents", () => {
    expect(describeLinearObjective({ distortion: 2, rate: 1, entropy: -2, constant: 0 })).toBe(
      "2 * distortion + rate - 2 * entropy",
    );
    expect(betaVaeEquivalent({ distortion: 1, rate: 1, entropy: 0, constant: 0 })).toBe(
      "This is exactly elbo.",
    );
    expect(betaVaeEquivalent({ distortion: 0, rate: 1, entropy: 0, constant: 0 })).toBeNull();
    expect(betaVaeEquivalent({ distortion: 1, rate: -1, entropy: 0, constant: 0 })).toBeNull();
  });

  it("prints with only the parentheses needed", () => {
    const r = resolve("distortion - (rate - 1) * 2 - -entropy").value!;
    expect(formatObjectiveExpr(r.expr)).toBe("distortion - (rate - 1) * 2 - -entropy");
  });
});

describe("in a compiled model", () => {
  it("uses elbo when the model names no objective", () => {
    const r = compileSource(model(), "m.vae");
    expect(r.ir!.objective.source).toBe("elbo");
    expect(r.ir!.objective.linear).toEqual({ distortion: 1, rate: 1, entropy: 0, constant: 0 });
  });

  it("the command-line objective overrides the model's", () => {
    const r = compileSource(model({}, "objective elbo"), "m.vae", {
      objective: "beta_vae(beta: 0.25)",
    });
    expect(r.ir!.objective.source).toBe("beta_vae(beta: 0.25)");
    expect(r.sources.get("<command line>")).toBe("beta_vae(beta: 0.25)");
  });

  it("reports a command-line objective's mistakes in '<command line>'", () => {
    const r = compileSource(model(), "m.vae", { objective: "beta_vae(bta: 1)" });
    expect(r.ir).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.span.file])).toEqual([
      ["objective-argument-mismatch", "<command line>"],
    ]);
  });
});

describe("stdlib/objectives.vae", () => {
  it("defines the standard objectives, found from the package root", async () => {
    const { stdlibObjectivesPath } = await import("../../src/stdlib/paths.js");
    const { readFileSync } = await import("node:fs");
    const path = stdlibObjectivesPath();
    expect(path.endsWith("/stdlib/objectives.vae")).toBe(true);
    const program = parseProgram(readFileSync(path, "utf8"), "stdlib/objectives.vae").value!;
    expect(program.models).toEqual([]);
    const defs = program.objectives.map(
      (d) => `${d.name.name}(${d.params.map((p) => p.name).join(", ")})`,
    );
    expect(defs).toEqual([
      "elbo()",
      "beta_vae(beta)",
      "infomax(lambda)",
      "target_rate(sigma)",
      "iwae(k)",
      "capacity(gamma, c)",
    ]);
    const objective =
      "elbo + beta_vae(2) + infomax(lambda: 1) + target_rate(sigma: 1) + iwae(k: 2)";
    const r = compileSource(model(), "m.vae", { objective });
    expect(r.diagnostics).toEqual([]);
    expect(formatObjectiveExpr(r.ir!.objective.expr)).toBe(
      "distortion + rate + (distortion + 2 * rate) + (marginal_kl - 1 * mutual_info) + " +
        "(distortion + abs(1 - rate)) + -iw_bound(2)",
    );
  });
});
