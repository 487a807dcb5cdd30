import { describe, expect, it } from "vitest";
import { parseSweep, sweepValues } from "../../src/compare/sweep.js";

const relClose = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b);

describe("parseSweep", () => {
  it("log spacing: A·(B/A)^(i/(N−1)), exact to 1e-12 relative, ends exact", () => {
    const r = parseSweep("beta_vae(beta: 0.1..10 log 8)");
    expect(r.diagnostics).toEqual([]);
    const s = r.value!;
    expect(s.name).toBe("beta_vae");
    expect(s.param).toBe("beta");
    expect(s.values).toHaveLength(8);
    s.values.forEach((v, i) => expect(relClose(v, 0.1 * 100 ** (i / 7))).toBe(true));
    expect(s.values[0]).toBe(0.1);
    expect(s.values[7]).toBe(10);
    // Consecutive ratios are constant: the defining property of log spacing.
    for (let i = 1; i < 7; i++)
      expect(relClose(s.values[i + 1]! / s.values[i]!, s.values[1]! / s.values[0]!)).toBe(true);
    expect(s.objectives[0]).toBe("beta_vae(beta: 0.1)");
    // The midpoint of 0.1..10 in log space is 1, written as 1 and not 1.0000000000000004.
    expect(parseSweep("beta_vae(beta: 0.1..10 log 3)").value!.objectives[1]).toBe(
      "beta_vae(beta: 1)",
    );
  });

  it("linear spacing and lists; fixed arguments are kept in their place", () => {
    expect(parseSweep("target_rate(sigma: 0..2 lin 5)").value!.values).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(sweepValues(1, 2, "lin", 4).map((v) => v * 3)).toEqual(
      [3, 4, 5, 6].map((v) => expect.closeTo(v, 12)),
    );
    const list = parseSweep("beta_vae( beta : [0.5, 1, 2e1] )").value!;
    expect(list.values).toEqual([0.5, 1, 20]);
    expect(list.objectives).toEqual([
      "beta_vae(beta: 0.5)",
      "beta_vae(beta: 1)",
      "beta_vae(beta: 20)",
    ]);
    const fixed = parseSweep("capacity(gamma: 100, c: 0..25 lin 6)").value!;
    expect(fixed.param).toBe("c");
    expect(fixed.objectives[1]).toBe("capacity(gamma: 100, c: 5)");
    expect(parseSweep("target_rate(sigma: -1..1 lin 3)").value!.objectives).toEqual([
      "target_rate(sigma: -1)",
      "target_rate(sigma: 0)",
      "target_rate(sigma: 1)",
    ]);
  });

  const cases: [string, string, number, number][] = [
    // text, code, span start column, span end column (1-based, end exclusive)
    ["beta_vae(beta: 0..10 log 8)", "sweep-log-nonpositive", 16, 17],
    ["beta_vae(beta: 0.1..-2 log 8)", "sweep-log-nonpositive", 21, 23],
    ["beta_vae(beta: 1..10 log 1)", "sweep-too-few-values", 26, 27],
    ["beta_vae(beta: 1..10 lin 0)", "sweep-too-few-values", 26, 27],
    ["beta_vae(beta: [0.5])", "sweep-too-few-values", 16, 21],
    ["beta_vae(beta: 1..10 log 5000)", "sweep-too-many-values", 26, 30],
    ["beta_vae(beta: 1..1 lin 3)", "sweep-empty-range", 16, 20],
    ["beta_vae(beta: 1..2 cubic 3)", "sweep-syntax", 21, 26],
    ["beta_vae(beta: 1..2 log 2.5)", "sweep-syntax", 25, 28],
    ["beta_vae(beta: 1..2 log)", "sweep-syntax", 24, 25],
    ["beta_vae(beta 1..2 lin 2)", "sweep-syntax", 15, 19],
    ["beta_vae(beta: 1..)", "sweep-syntax", 19, 20],
    ["beta_vae(beta: [1, 2)", "sweep-syntax", 21, 22],
    ["beta_vae(beta: 1..2 lin 2) extra", "sweep-syntax", 28, 33],
    ["(beta: 1..2 lin 2)", "sweep-syntax", 1, 2],
    ["", "sweep-syntax", 1, 1],
    ["beta_vae(beta: 0.5)", "sweep-no-range", 1, 20],
    ["capacity(gamma: 1..2 lin 2, c: [1, 2])", "sweep-several-ranges", 29, 30],
  ];
  it.each(cases)("%s → %s", (text, code, from, to) => {
    const r = parseSweep(text, "--sweep");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe(code);
    expect(d.span.file).toBe("--sweep");
    expect([d.span.start.column, d.span.end.column]).toEqual([from, to]);
  });

  it("never throws on hostile text", () => {
    for (const t of [
      "((((",
      "a(b: [",
      "a(b: 1e999..2 lin 2)",
      "a(b: ..)",
      "a(b: [,])",
      "\u0000",
      "a(b:1..2 lin 99999999999999999999)",
    ])
      expect(parseSweep(t).diagnostics.length).toBeGreaterThan(0);
  });
});
