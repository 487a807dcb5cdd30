import { describe, expect, it } from "vitest";
import { deriveSeed, hashString, Rng } from "../../src/engine/rng.js";

describe("Rng", () => {
  it("is a pure function of the seed and tags", () => {
    const a = new Rng(42, "train");
    const b = new Rng(42, "train");
    const c = new Rng(42, "eval");
    const d = new Rng(43, "train");
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(Array.from({ length: 5 }, () => d.nextUint32())).not.toEqual(xs);
  });

  it("distinguishes seeds beyond 32 bits and negative seeds", () => {
    expect(deriveSeed(1)).not.toBe(deriveSeed(1 + 2 ** 32));
    expect(deriveSeed(5)).not.toBe(deriveSeed(-5));
    expect(deriveSeed(5, "a")).not.toBe(deriveSeed(5, "b"));
    expect(hashString("net.a.0.W")).not.toBe(hashString("net.a.0.b"));
  });

  it("permutes 0..n-1", () => {
    const p = new Rng(1).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(new Rng(2).permutation(1000))).not.toEqual(Array.from(p));
  });

  it("draws uniform integers: each of k bins within 4 standard errors of n/k", () => {
    const rng = new Rng(7);
    const k = 10;
    const n = 50000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[rng.nextInt(k)]!++;
    const p = 1 / k;
    for (const c of counts)
      expect(Math.abs(c - n * p)).toBeLessThanOrEqual(4 * Math.sqrt(n * p * (1 - p)));
    const f = Array.from({ length: n }, () => rng.nextFloat());
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
  });
});
