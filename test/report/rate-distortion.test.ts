import { describe, expect, it } from "vitest";
import {
  isoElboLevels,
  rateDistortionDomains,
  rateDistortionMeans,
  rateDistortionSpec,
  type RdRun,
} from "../../src/report/index.js";
import { sweepRuns } from "./fixtures.js";

interface LayerLike {
  name?: string;
  data?: { values?: Record<string, unknown>[] };
  encoding?: Record<string, { scale?: { domain?: number[] } }>;
}

function layers(spec: object): LayerLike[] {
  return (spec as { layer: LayerLike[] }).layer;
}

function layer(spec: object, name: string): LayerLike | undefined {
  return layers(spec).find((l) => l.name === name);
}

const H = Math.log(30);

describe("rateDistortionSpec", () => {
  it("draws D = H − R and the infeasible region exactly when H is given", () => {
    const withH = rateDistortionSpec({ runs: sweepRuns(), entropy: H });
    const line = layer(withH, "entropy-line")!.data!.values![0]!;
    // The segment lies on D + R = H and reaches both intercepts (the domains start at 0).
    expect(line.r1).toBe(0);
    expect(line.d1).toBeCloseTo(H, 12);
    expect(line.d2).toBe(0);
    expect(line.r2).toBeCloseTo(H, 12);
    const region = layer(withH, "infeasible-region")!.data!.values!;
    for (const p of region)
      expect((p.rate as number) + (p.distortion as number)).toBeLessThanOrEqual(H + 1e-12);
    expect(region.some((p) => (p.rate as number) + (p.distortion as number) === H)).toBe(true);

    const withoutH = rateDistortionSpec({ runs: sweepRuns(), entropy: null });
    for (const name of ["entropy-line", "entropy-label", "infeasible-region", "infeasible-label"])
      expect(layer(withoutH, name), name).toBeUndefined();
    expect(JSON.stringify(withoutH)).not.toContain("D = H − R");
  });

  it("joins a sweep through its means in order of the swept value, and only when there is one", () => {
    const runs = sweepRuns();
    // Out of order on purpose: the line must follow sweepValue, not input order.
    const shuffled = [...runs.slice(6, 9), ...runs.slice(0, 6), ...runs.slice(9)];
    const spec = rateDistortionSpec({ runs: shuffled, entropy: H });
    const path = layer(spec, "sweep-lines")!.data!.values!;
    const means = rateDistortionMeans(runs);
    const expected = [0.5, 1, 2].map((b) => means.find((m) => m.label === `beta_vae(beta: ${b})`)!);
    expect(path.map((p) => p.order)).toEqual([0, 1, 2]);
    expect(path.map((p) => p.rate)).toEqual(expected.map((m) => m.rate));
    expect(path.map((p) => p.distortion)).toEqual(expected.map((m) => m.distortion));

    const unswept = runs.map(({ sweep: _s, sweepValue: _v, ...r }) => r);
    const plain = rateDistortionSpec({ runs: unswept, entropy: H });
    expect(layer(plain, "sweep-lines")).toBeUndefined();
    expect(layer(plain, "sweep-labels")).toBeUndefined();
  });

  it("means are the averages over seeds of each label, in order of first appearance", () => {
    const means = rateDistortionMeans(sweepRuns());
    expect(means.map((m) => m.label)).toEqual([
      "beta_vae(beta: 0.5)",
      "beta_vae(beta: 1)",
      "beta_vae(beta: 2)",
      "elbo",
    ]);
    const beta1 = means[1]!;
    expect(beta1.seeds).toBe(3);
    expect(beta1.rate).toBeCloseTo((3 + 3.1 + 3.2) / 3, 12);
    expect(beta1.distortion).toBeCloseTo((0.4 + 0.45 + 0.5) / 3, 12);
    expect(means[3]).toMatchObject({ seeds: 2, rate: 2.3, distortion: 1.4 });
  });

  it("domains hold every point, the origin and both intercepts of the H line, and every layer uses them", () => {
    const cases: { runs: RdRun[]; entropy: number | null }[] = [
      { runs: sweepRuns(), entropy: H },
      { runs: sweepRuns(), entropy: 50 }, // H beyond every point
      {
        // MNIST-like magnitudes with a negative Monte Carlo rate and a continuous decoder's D < 0
        runs: [
          { label: "a", seed: 0, rate: -0.3, distortion: 95.2 },
          { label: "b", seed: 0, rate: 26.1, distortion: -12.5 },
        ],
        entropy: null,
      },
      { runs: [{ label: "only", seed: 0, rate: 0, distortion: 0 }], entropy: null },
    ];
    for (const { runs, entropy } of cases) {
      const d = rateDistortionDomains(runs, entropy);
      const inside = (x: number, [lo, hi]: [number, number]) => lo <= x && x <= hi;
      for (const r of runs) {
        expect(inside(r.rate, d.rate)).toBe(true);
        expect(inside(r.distortion, d.distortion)).toBe(true);
      }
      expect(inside(0, d.rate) && inside(0, d.distortion)).toBe(true);
      if (entropy !== null)
        expect(inside(entropy, d.rate) && inside(entropy, d.distortion)).toBe(true);
      expect(d.rate[1]).toBeGreaterThan(d.rate[0]);
      expect(d.distortion[1]).toBeGreaterThan(d.distortion[0]);

      for (const l of layers(rateDistortionSpec({ runs, entropy }))) {
        expect(l.encoding!.x!.scale!.domain, l.name).toEqual(d.rate);
        expect(l.encoding!.y!.scale!.domain, l.name).toEqual(d.distortion);
      }
    }
  });

  it("leaves out runs with a non-finite coordinate instead of breaking the axes", () => {
    const runs: RdRun[] = [
      { label: "ok", seed: 0, rate: 4, distortion: 7 },
      { label: "diverged", seed: 0, rate: Number.NaN, distortion: Infinity },
    ];
    const d = rateDistortionDomains(runs, null);
    expect(d.rate.every(Number.isFinite) && d.distortion.every(Number.isFinite)).toBe(true);
    const points = layer(rateDistortionSpec({ runs, entropy: null }), "runs")!.data!.values!;
    expect(points.map((p) => p.label)).toEqual(["ok"]);
  });

  it("iso-ELBO lines sit at round values of D + R spanning the runs and lie on D + R = c", () => {
    const runs = sweepRuns();
    const domains = rateDistortionDomains(runs, H);
    const levels = isoElboLevels(runs, domains);
    const sums = runs.map((r) => r.rate + r.distortion);
    expect(levels.length).toBeGreaterThanOrEqual(2);
    expect(levels.length).toBeLessThanOrEqual(6);
    expect(Math.min(...levels)).toBeLessThanOrEqual(Math.min(...sums));
    expect(Math.max(...levels)).toBeGreaterThanOrEqual(Math.max(...sums));
    const step = levels[1]! - levels[0]!;
    for (const c of levels) expect(Math.abs(c / step - Math.round(c / step))).toBeLessThan(1e-9);

    const spec = rateDistortionSpec({ runs, entropy: H });
    const segments = layer(spec, "iso-elbo-lines")!.data!.values!;
    expect(segments.map((s) => s.text)).toEqual(levels.map((c) => `−ELBO = ${c}`));
    for (const [i, s] of segments.entries()) {
      expect((s.r1 as number) + (s.d1 as number)).toBeCloseTo(levels[i]!, 12);
      expect((s.r2 as number) + (s.d2 as number)).toBeCloseTo(levels[i]!, 12);
      // The label anchor is on the line too.
      expect((s.rate as number) + (s.distortion as number)).toBeCloseTo(levels[i]!, 9);
    }
  });

  it("MNIST-sized values get iso-ELBO levels at multiples of ten", () => {
    const runs: RdRun[] = [
      { label: "elbo", seed: 0, rate: 25.3, distortion: 76.1 },
      { label: "beta", seed: 0, rate: 9.1, distortion: 110.3 },
    ];
    expect(isoElboLevels(runs, rateDistortionDomains(runs, null))).toEqual([100, 110, 120]);
  });

  it("is deterministic and handles no runs at all", () => {
    const a = JSON.stringify(rateDistortionSpec({ runs: sweepRuns(), entropy: H }));
    const b = JSON.stringify(rateDistortionSpec({ runs: sweepRuns(), entropy: H }));
    expect(a).toBe(b);
    const empty = rateDistortionSpec({ runs: [], entropy: null });
    expect(layer(empty, "iso-elbo-lines")).toBeUndefined();
    expect(layer(empty, "runs")!.data!.values).toEqual([]);
  });
});

describe("mean labels", () => {
  it("objectives that train to the same point share one label; distinct points keep their own", () => {
    const runs: RdRun[] = [
      { label: "infomax(lambda: 1)", seed: 0, rate: 34.78, distortion: 85.45 },
      { label: "beta_vae(beta: 0.5)", seed: 0, rate: 34.78, distortion: 85.45 },
      { label: "beta_vae(beta: 1)", seed: 0, rate: 26.12, distortion: 92.81 },
    ];
    const spec = rateDistortionSpec({ runs, entropy: null });
    const labels = layer(spec, "mean-labels")!.data!.values!.map((v) => v["label"]);
    expect(labels).toEqual(["infomax(lambda: 1) = beta_vae(beta: 0.5)", "beta_vae(beta: 1)"]);
    // Half a nat apart on a 40-nat plane is a different place: two labels.
    runs[1] = { ...runs[1]!, rate: 35.3 };
    const apart = rateDistortionSpec({ runs, entropy: null });
    expect(layer(apart, "mean-labels")!.data!.values!.length).toBe(3);
  });
});
