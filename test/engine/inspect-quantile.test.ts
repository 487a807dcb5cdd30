import { describe, expect, it } from "vitest";
import { normalUpperTail } from "../../src/data/toy.js";
import { manifoldGrid } from "../../src/engine/inspect/manifold.js";
import { normalQuantile } from "../../src/engine/inspect/normal-quantile.js";
import {
  traversalDims,
  traversalOffsets,
  traversalRows,
} from "../../src/engine/inspect/traverse.js";

/** Φ(x) from the toy's float64 erfc (independent of the code under test), tail-accurate. */
const cdf = (x: number) => (x < 0 ? normalUpperTail(-x) : 1 - normalUpperTail(x));

describe("normalQuantile (Wichura's AS241)", () => {
  // Φ⁻¹(p) to 16 digits, from SciPy's norm.ppf (Cephes ndtri, an independent algorithm).
  const known: [number, number][] = [
    [0.5, 0],
    [0.6, 0.2533471031357997],
    [0.75, 0.6744897501960817],
    [0.9, 1.2815515655446004],
    [0.975, 1.959963984540054],
    [0.99, 2.3263478740408408],
    [0.999, 3.090232306167813],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
  ];

  it("matches known quantiles to 1e-9 relative in all three ranges", () => {
    for (const [p, x] of known) {
      const got = normalQuantile(p);
      expect(Math.abs(got - x), `Φ⁻¹(${p})`).toBeLessThanOrEqual(1e-9 * Math.abs(x) + 1e-15);
    }
  });

  it("inverts Φ: Φ(Φ⁻¹(p)) = p to 1e-9 relative from 1e-200 to 1 − 1e-12", () => {
    const ps = [
      1e-200, 1e-50, 1e-12, 1e-5, 0.001, 0.02, 0.07, 0.3, 0.49, 0.51, 0.8, 0.93, 0.999999,
    ];
    for (const p of ps) {
      const x = normalQuantile(p);
      // Compare in the smaller tail, where the relative error is meaningful.
      const got = p < 0.5 ? cdf(x) : normalUpperTail(x);
      const want = p < 0.5 ? p : 1 - p;
      expect(Math.abs(got - want) / want, `p = ${p}`).toBeLessThanOrEqual(1e-9);
    }
  });

  it("is odd about ½, infinite at 0 and 1, NaN outside [0, 1]", () => {
    for (const p of [0.001, 0.1, 0.25, 0.4])
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});

describe("manifoldGrid", () => {
  it("is Φ⁻¹ of the midpoints (j + ½)/steps, exactly symmetric, 0 in the middle", () => {
    for (const steps of [1, 2, 7, 15, 20]) {
      const g = manifoldGrid(steps);
      expect(g.length).toBe(steps);
      g.forEach((x, j) => {
        expect(Math.abs(x - normalQuantile((j + 0.5) / steps))).toBeLessThanOrEqual(1e-12);
        expect(g[steps - 1 - j]).toBe(-x === 0 ? 0 : -x);
      });
      for (let j = 1; j < steps; j++) expect(g[j]!).toBeGreaterThan(g[j - 1]!);
    }
    expect(manifoldGrid(15)[7]).toBe(0);
  });
});

describe("traversal helpers", () => {
  it("traversalDims: active dimensions by decreasing variance, at most 10; else the first 10", () => {
    expect(traversalDims([0.5, 0.001, 2, 0.02, 0.01])).toEqual([2, 0, 3]);
    expect(traversalDims([0, 0.005, 0])).toEqual([0, 1, 2]);
    const many = Array.from({ length: 14 }, (_, u) => 1 + u);
    expect(traversalDims(many)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect(traversalDims(Array(12).fill(0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("traversalOffsets: evenly spaced from −span to span", () => {
    expect(traversalOffsets(5, 2)).toEqual([-2, -1, 0, 1, 2]);
    expect(traversalOffsets(1, 2.5)).toEqual([0]);
    expect(traversalOffsets(9, 2.5)[8]).toBe(2.5);
  });

  it("traversalRows: block d moves dims[d] to μ + σ·t, the rest stay at the prior mean", () => {
    const prior = { mean: [1, -2, 0.5], sd: [2, 0.5, 1] };
    const z = traversalRows(prior, [2, 0], [-1, 0, 1]);
    expect(Array.from(z)).toEqual([
      ...[1, -2, -0.5],
      ...[1, -2, 0.5],
      ...[1, -2, 1.5],
      ...[-1, -2, 0.5],
      ...[1, -2, 0.5],
      ...[3, -2, 0.5],
    ]);
  });
});
