import { describe, expect, it } from "vitest";
import {
  BROKEN_ELBO_TOY,
  brokenElboDistribution,
  brokenElboEntropy,
  brokenElboMutualInformation,
  resolveDataset,
} from "../../src/data/index.js";
import { normalUpperTail, sampleCategorical } from "../../src/data/toy.js";
import { categorical } from "./helpers.js";

/**
 * p(x = j) recomputed independently of the library: composite Simpson integration of the
 * mixture density over each bin, the outer bins integrated 14 standard deviations out
 * (the mass beyond is below 1e-44). Simpson's error with h = 1/2000 is far below 1e-12.
 */
function integratedDistribution(): number[] {
  const { bins, components } = BROKEN_ELBO_TOY;
  const density = (h: number) =>
    components.reduce(
      (acc, c) =>
        acc +
        (c.weight * Math.exp(-0.5 * ((h - c.mean) / c.scale) ** 2)) / (c.scale * Math.sqrt(2 * Math.PI)),
      0,
    );
  const simpson = (a: number, b: number, n: number) => {
    const h = (b - a) / n;
    let s = density(a) + density(b);
    for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * density(a + i * h);
    return (s * h) / 3;
  };
  const far = 14 * Math.max(...components.map((c) => c.scale));
  const lo = Math.min(...components.map((c) => c.mean)) - far;
  const hi = Math.max(...components.map((c) => c.mean)) + far;
  const p: number[] = [];
  for (let j = 0; j < bins; j++) {
    const a = j === 0 ? lo : j - 0.5;
    const b = j === bins - 1 ? hi : j + 0.5;
    p.push(simpson(a, b, Math.ceil((b - a) * 2000)));
  }
  return p;
}

/** Upper quantile of chi-square(df) at normal deviate z (Wilson–Hilferty). */
function chiSquareQuantile(df: number, z: number): number {
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}

/**
 * Pearson's statistic against p, pooling bins whose expected count is below 5 (where the
 * chi-square approximation fails) into one cell.
 */
function pearson(values: Float32Array, p: ArrayLike<number>): { stat: number; df: number } {
  const n = values.length;
  const counts = new Array(p.length).fill(0);
  for (const v of values) counts[v]++;
  let stat = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (let j = 0; j < p.length; j++) {
    const e = n * p[j];
    if (e < 5) {
      pooledObserved += counts[j];
      pooledExpected += e;
      continue;
    }
    stat += (counts[j] - e) ** 2 / e;
    cells++;
  }
  if (pooledExpected > 0) {
    stat += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells++;
  }
  return { stat, df: cells - 1 };
}

describe("toy:broken-elbo", () => {
  it("has a distribution that sums to one and matches direct integration of the density", () => {
    const p = brokenElboDistribution();
    expect(p.length).toBe(30);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
    const q = integratedDistribution();
    for (let j = 0; j < 30; j++) expect(Math.abs(p[j] - q[j]), `bin ${j}`).toBeLessThan(1e-12);
  });

  it("reports the entropy of the generating distribution in closed form", async () => {
    const q = integratedDistribution();
    const h = -q.reduce((acc, v) => acc + v * Math.log(v), 0);
    expect(Math.abs(brokenElboEntropy() - h)).toBeLessThan(1e-10);
    // The value stated in docs/data.md.
    expect(brokenElboEntropy()).toBeCloseTo(3.019547, 6);
    const r = await resolveDataset("toy:broken-elbo", categorical(30));
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.entropy).toBe(brokenElboEntropy());
  });

  it("carries about half a nat about its mixture component (the paper's ideal rate)", () => {
    expect(brokenElboMutualInformation()).toBeCloseTo(0.49907, 5);
  });

  it("samples 50,000 train and 10,000 test points whose histograms fit the distribution", async () => {
    const r = await resolveDataset("toy:broken-elbo", categorical(30));
    const { train, test } = r.value!;
    expect([train.rows, test!.rows]).toEqual([50_000, 10_000]);
    expect([train.dim, test!.dim]).toEqual([1, 1]);
    const p = brokenElboDistribution();
    for (const split of [train, test!]) {
      expect(split.values.every((v) => Number.isInteger(v) && v >= 0 && v < 30)).toBe(true);
      const { stat, df } = pearson(split.values, p);
      // Two-sided at z = 4.75 (probability about 1e-6 each side): too good a fit would
      // mean the sample is not random, too poor a fit that it follows another law.
      expect(stat, split.source).toBeLessThan(chiSquareQuantile(df, 4.75));
      expect(stat, split.source).toBeGreaterThan(chiSquareQuantile(df, -4.75));
    }
  });

  it("is deterministic and has distinct train and test samples", async () => {
    const a = (await resolveDataset("toy:broken-elbo", categorical(30))).value!;
    const b = (await resolveDataset("toy:broken-elbo", categorical(30))).value!;
    expect(a.train.values).toEqual(b.train.values);
    expect(a.test!.values.slice(0, 100)).not.toEqual(a.train.values.slice(0, 100));
  });

  it("sampler detects a wrong law: samples of a shifted distribution fail the same test", () => {
    const p = brokenElboDistribution();
    const shifted = Array.from(p, (_, j) => p[(j + 1) % 30]);
    const { stat, df } = pearson(sampleCategorical(shifted, 50_000, 7), p);
    expect(stat).toBeGreaterThan(chiSquareQuantile(df, 4.75));
  });

  it("computes normal tail probabilities to near double precision", () => {
    // Reference values of 1 − Φ(t).
    const reference: [number, number][] = [
      [0.5, 0.3085375387259869],
      [1, 0.15865525393145705],
      [3, 0.0013498980316300946],
      [5, 2.866515718791939e-7],
      [8, 6.22096057427178e-16],
    ];
    for (const [t, q] of reference) {
      expect(Math.abs(normalUpperTail(t) - q) / q, `t = ${t}`).toBeLessThan(1e-12);
      expect(Math.abs(normalUpperTail(-t) - (1 - q))).toBeLessThan(1e-15);
    }
  });
});
