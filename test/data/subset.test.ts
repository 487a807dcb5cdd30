import { describe, expect, it } from "vitest";
import { imageShapeOf, resolveDataset, subsetRows, type Dataset } from "../../src/data/index.js";
import { binary, categorical, real, unit } from "./helpers.js";

function counting(rows: number, dim: number): Dataset {
  return {
    source: "counting",
    rows,
    dim,
    values: Float32Array.from({ length: rows * dim }, (_, i) => Math.floor(i / dim)),
    labels: Int32Array.from({ length: rows }, (_, i) => i % 10),
  };
}

describe("subsetRows", () => {
  it("draws n distinct rows in their original order, with their labels", () => {
    const d = counting(1000, 3);
    const s = subsetRows(d, 100, 7);
    expect(s.rows).toBe(100);
    const first = Array.from({ length: 100 }, (_, r) => s.values[r * 3]!);
    for (let r = 0; r < 100; r++) {
      expect(s.values[r * 3 + 1]).toBe(first[r]);
      expect(s.values[r * 3 + 2]).toBe(first[r]);
      expect(s.labels![r]).toBe(first[r]! % 10);
    }
    expect(new Set(first).size).toBe(100);
    expect([...first].sort((a, b) => a - b)).toEqual(first);
  });

  it("is seeded: the same seed the same rows, another seed other rows", () => {
    const d = counting(1000, 1);
    expect(subsetRows(d, 50, 1).values).toEqual(subsetRows(d, 50, 1).values);
    expect(subsetRows(d, 50, 1).values).not.toEqual(subsetRows(d, 50, 2).values);
  });

  it("is not a prefix: rows come from the whole range", () => {
    // With 500 of 10,000 rows drawn uniformly, the chance that all lie in the first half is 2^-500.
    const s = subsetRows(counting(10_000, 1), 500, 0);
    expect(Math.max(...s.values)).toBeGreaterThan(5_000);
    expect(Math.min(...s.values)).toBeLessThan(5_000);
  });

  it("draws each row with probability n/N (a chi-square check over 20 seeds)", () => {
    const N = 40;
    const n = 10;
    const counts = new Array<number>(N).fill(0);
    const seeds = 400;
    for (let seed = 0; seed < seeds; seed++)
      for (const v of subsetRows(counting(N, 1), n, seed).values) counts[v]!++;
    const expected = (seeds * n) / N;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 39 degrees of freedom: P(chi² > 80) < 1e-4 for a uniform draw.
    expect(chi2).toBeLessThan(80);
  });

  it("returns the dataset itself when n covers it, and rejects negative n", () => {
    const d = counting(10, 2);
    expect(subsetRows(d, 10, 0)).toBe(d);
    expect(subsetRows(d, 99, 0)).toBe(d);
    expect(() => subsetRows(d, -1, 0)).toThrow(RangeError);
  });
});

describe("image datasets", () => {
  it("mnist and mnist-8x8 carry their image shape and digit labels; binarized-mnist its shape", async () => {
    const mnist = (await resolveDataset("mnist", unit(784))).value!;
    expect(mnist.test!.image).toEqual({ height: 28, width: 28 });
    const labels = (await resolveDataset("mnist-labels", categorical(10))).value!;
    expect(Array.from(mnist.test!.labels!)).toEqual(Array.from(labels.test!.values));
    expect(mnist.train.labels!.length).toBe(8_000);
    const small = (await resolveDataset("mnist-8x8", real(64), { split: "test" })).value!;
    expect(small.test!.image).toEqual({ height: 8, width: 8 });
    expect(small.test!.labels!.length).toBe(2_000);
    const bin = (await resolveDataset("binarized-mnist", binary(784), { split: "test" })).value!;
    expect(bin.test!.image).toEqual({ height: 28, width: 28 });
    expect(bin.test!.labels).toBeUndefined();
  });

  it("imageShapeOf: from the dataset, else from a data shape [H, W]; never for categorical data", () => {
    const flat = { name: "x", kind: "unit" as const, shape: [784] };
    expect(imageShapeOf(flat)).toBeNull();
    expect(imageShapeOf(flat, { ...counting(1, 784), image: { height: 28, width: 28 } })).toEqual({
      height: 28,
      width: 28,
    });
    expect(imageShapeOf({ name: "x", kind: "binary", shape: [12, 16] })).toEqual({
      height: 12,
      width: 16,
    });
    expect(imageShapeOf({ name: "x", kind: "real", shape: [2, 3, 4] })).toBeNull();
    expect(imageShapeOf({ name: "x", kind: "categorical", shape: [4, 4], categories: 3 })).toBeNull();
  });
});
