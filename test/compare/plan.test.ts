import { describe, expect, it } from "vitest";
import { runKey, type KeyIngredients } from "../../src/compare/key.js";
import { planRuns } from "../../src/compare/plan.js";

const TOY = "examples/broken-elbo-toy.vae";

describe("planRuns", () => {
  it("each objective, then each sweep value, × seeds counting up from the file's seed", () => {
    const r = planRuns(TOY, {
      objectives: ["elbo", "target_rate(sigma: 0.5)"],
      sweeps: ["beta_vae(beta: [0.5, 2])"],
      seeds: 3,
      epochs: 4,
      out: "/tmp/x",
    });
    expect(r.diagnostics).toEqual([]);
    const plan = r.value!;
    expect(plan.objectives).toEqual([
      "elbo",
      "target_rate(sigma: 0.5)",
      "beta_vae(beta: 0.5)",
      "beta_vae(beta: 2)",
    ]);
    expect(plan.runs).toHaveLength(12);
    expect(plan.runs.map((x) => x.train.seed).slice(0, 3)).toEqual([0, 1, 2]);
    expect(plan.runs.every((x) => x.train.epochs === 4 && x.train.workers === 1)).toBe(true);
    expect(plan.runs[0]!.ir.objective.source).toBe("elbo");
    expect(plan.runs[6]!.sweep).toMatchObject({ name: "beta_vae", param: "beta", value: 0.5 });
    expect(new Set(plan.runs.map((x) => x.key)).size).toBe(12);
    expect(plan.runs[0]!.dir).toBe(`/tmp/x/runs/${plan.runs[0]!.key}`);
  });

  it("no flags: the file's own objective alone; a repeated objective is one run", () => {
    expect(planRuns(TOY, { objectives: [], sweeps: [], out: "o" }).value!.objectives).toEqual([
      "target_rate(sigma: 0.5)",
    ]);
    expect(
      planRuns(TOY, { objectives: ["elbo", "elbo"], sweeps: [], out: "o" }).value!.runs,
    ).toHaveLength(1);
  });

  it("an unknown objective is the compiler's diagnostic, pointing into the flag's text", () => {
    const r = planRuns(TOY, { objectives: ["elbo", "beta_vea(beta: 2)"], sweeps: [], out: "o" });
    expect(r.value).toBeUndefined();
    const d = r.diagnostics.find((x) => x.span.file === "--objective #2")!;
    expect(d).toBeDefined();
    expect(d.code).toMatch(/unknown|undefined/);
    expect(d.span.start.offset).toBe(0);
    expect(d.span.end.offset).toBe("beta_vea".length);
  });

  it("a sweep over an unknown objective points at its name in the flag", () => {
    const r = planRuns(TOY, { objectives: [], sweeps: ["  nope(beta: 1..2 lin 2)"], out: "o" });
    const d = r.diagnostics[0]!;
    expect(d.span.file).toBe("--sweep");
    expect([d.span.start.offset, d.span.end.offset]).toEqual([2, 6]);
  });

  it.each([
    ["seeds", "--seeds"],
    ["jobs", "--jobs"],
    ["epochs", "--epochs"],
    ["iw", "--iw"],
    ["evalRows", "--eval-rows"],
  ] as const)("%s: 0 → compare-count-invalid", (field, option) => {
    const r = planRuns(TOY, { objectives: ["elbo"], sweeps: [], out: "o", [field]: 0 });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.params.option])).toEqual([
      ["compare-count-invalid", option],
    ]);
  });

  it("a missing file is file-not-found; sweep errors and objective errors are all reported", () => {
    expect(
      planRuns("nope.vae", { objectives: [], sweeps: [], out: "o" }).diagnostics[0]!.code,
    ).toBe("file-not-found");
    const r = planRuns(TOY, {
      objectives: ["elbo(("],
      sweeps: ["beta_vae(beta: 0..1 log 3)"],
      seeds: 0,
      out: "o",
    });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(
      ["compare-count-invalid", "sweep-log-nonpositive", "unexpected-token"].sort(),
    );
  });
});

describe("runKey", () => {
  const base: KeyIngredients = {
    source: "model M {}",
    model: "M",
    objective: "elbo",
    seed: 0,
    epochs: 10,
    dataset: "toy:broken-elbo",
    batch: 100,
    lr: 0.001,
    samples: 1,
    iw: 100,
    evalRows: 1000,
    version: "0.1.0",
  };
  it("is stable, short hex, and changes with every ingredient", () => {
    expect(runKey(base)).toBe(runKey({ ...base }));
    expect(runKey(base)).toMatch(/^[0-9a-f]{12}$/);
    const changed: Partial<KeyIngredients>[] = [
      { source: "model M { }" },
      { model: "N" },
      { objective: "beta_vae(beta: 2)" },
      { seed: 1 },
      { epochs: 11 },
      { dataset: "mnist" },
      { batch: 101 },
      { lr: 0.002 },
      { samples: 2 },
      { iw: 1000 },
      { evalRows: 999 },
      { version: "0.1.1" },
    ];
    const keys = changed.map((c) => runKey({ ...base, ...c }));
    expect(new Set([runKey(base), ...keys]).size).toBe(changed.length + 1);
  });
});

describe("summaries", () => {
  it("mean and sample sd (n − 1); one value has no sd; '-0.00' prints as 0.00", async () => {
    const { meanSd, formatMeanSd } = await import("../../src/compare/results.js");
    const s = meanSd([1, 2, 4])!;
    expect(s.mean).toBeCloseTo(7 / 3, 14);
    // Σ(x − 7/3)² = 16/9 + 1/9 + 25/9 = 42/9; divided by n − 1 = 2.
    expect(s.sd).toBeCloseTo(Math.sqrt(42 / 18), 14);
    expect(meanSd([5])).toEqual({ mean: 5, sd: null, n: 1 });
    expect(meanSd([NaN])).toBeNull();
    expect(formatMeanSd({ mean: -0.001, sd: 0.0001, n: 2 })).toBe("0.00 ± 0.00");
    expect(formatMeanSd({ mean: -3.034, sd: null, n: 1 })).toBe("-3.03");
  });
});
