import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import {
  distributionImpl,
  distributionImpls,
  type ParamTensors,
} from "../../../src/backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import { f32Bound, randomF32 } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

/** Runs `f` in a tidy scope and reads its tensor back (shape and values). */
function read(f: () => Tensor): { shape: number[]; values: Float32Array } {
  const t = tf.tidy(f);
  const out = { shape: [...t.shape], values: t.dataSync() as Float32Array };
  t.dispose();
  return out;
}

const params = (p: Record<string, { v: Float32Array | number[]; shape: number[] }>) => () =>
  Object.fromEntries(
    Object.entries(p).map(([k, { v, shape }]) => [k, tf.tensor(v, shape, "float32")]),
  ) as ParamTensors;

/** |got − want| within a few float32 roundings of `want`'s magnitude. */
function expectClose(got: ArrayLike<number>, want: number[], ops = 8): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(Math.abs(got[i]! - w), `entry ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(
      f32Bound(ops, Math.abs(w)) + 1e-45,
    );
  });
}

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

describe("every family states its moments", () => {
  it("has mean and stddev for every registered distribution", () => {
    for (const d of distributionImpls.values()) {
      expect(typeof d.mean, d.name).toBe("function");
      expect(typeof d.stddev, d.name).toBe("function");
    }
  });
});

describe("Normal moments", () => {
  const B = 3;
  const D = 4;
  const loc = randomF32(B * D, 1, -2, 2);
  const logScale = randomF32(B * D, 2, -2, 1);
  const p = params({ loc: { v: loc, shape: [B, D] }, log_scale: { v: logScale, shape: [B, D] } });

  it("mean is loc and sd is exp(log_scale)", () => {
    const n = distributionImpl("Normal");
    const m = read(() => n.mean(tf, p(), [B, D]));
    expect(m.shape).toEqual([B, D]);
    expect(Array.from(m.values)).toEqual(Array.from(loc));
    const s = read(() => n.stddev(tf, p(), [B, D])!);
    expectClose(
      s.values,
      Array.from(logScale, (l) => Math.exp(l)),
      4,
    );
  });

  it("broadcasts a shared scale (the standard-normal prior) to [N, ...event]", () => {
    const n = distributionImpl("Normal");
    const shared = params({ loc: { v: [0], shape: [] }, scale: { v: [1.5], shape: [] } });
    const m = read(() => n.mean(tf, shared(), [2, 3]));
    expect(m.shape).toEqual([2, 3]);
    expect(Array.from(m.values)).toEqual([0, 0, 0, 0, 0, 0]);
    const s = read(() => n.stddev(tf, shared(), [2, 3])!);
    expect(Array.from(s.values)).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
  });
});

describe("Bernoulli moments", () => {
  it("from logits: p = σ(l), sd = √(σ(l)σ(−l)), accurate even where p rounds to 1", () => {
    const logits = [-30, -3, -0.5, 0, 0.7, 4, 20, 40];
    const b = distributionImpl("Bernoulli");
    const p = params({ logits: { v: logits, shape: [2, 4] } });
    const m = read(() => b.mean(tf, p(), [2, 4]));
    expectClose(m.values, logits.map(sigmoid), 8);
    const s = read(() => b.stddev(tf, p(), [2, 4])!);
    // σ(l)σ(−l) = e^{−|l|}/(1 + e^{−|l|})²: no cancellation in the reference either.
    const want = logits.map(
      (l) => Math.sqrt(Math.exp(-Math.abs(l))) / (1 + Math.exp(-Math.abs(l))),
    );
    expectClose(s.values, want, 12);
    // 1 − σ(20) rounds to 0 in float32; the product of sigmoids keeps the answer.
    expect(s.values[6]!).toBeGreaterThan(0);
  });

  it("from probs: p and √(p(1 − p)), broadcast from a shared value", () => {
    const b = distributionImpl("Bernoulli");
    const p = params({ probs: { v: [0.25], shape: [] } });
    const m = read(() => b.mean(tf, p(), [3, 2]));
    expect(m.shape).toEqual([3, 2]);
    expect(Array.from(m.values)).toEqual(Array(6).fill(0.25));
    const s = read(() => b.stddev(tf, p(), [3, 2])!);
    expectClose(s.values, Array(6).fill(Math.sqrt(0.25 * 0.75)), 6);
  });
});

describe("Categorical moments", () => {
  it("mean is the probability vector [N, ...event, K]; no standard deviation", () => {
    const K = 5;
    const B = 3;
    const logits = randomF32(B * K, 7, -3, 3);
    const c = distributionImpl("Categorical");
    const p = params({ logits: { v: logits, shape: [B, K] } });
    const m = read(() => c.mean(tf, p(), [B]));
    expect(m.shape).toEqual([B, K]);
    for (let b = 0; b < B; b++) {
      const row = Array.from(logits.subarray(b * K, (b + 1) * K));
      const z = row.reduce((s, l) => s + Math.exp(l), 0);
      expectClose(
        m.values.subarray(b * K, (b + 1) * K),
        row.map((l) => Math.exp(l) / z),
        16,
      );
    }
    expect(tf.tidy(() => c.stddev(tf, p(), [B]) ?? tf.scalar(-1)).dataSync()[0]).toBe(-1);
  });
});

describe("MixtureNormal moments", () => {
  const K = 3;
  const D = 2;

  /** Σ w μ and √(Σ w (σ² + μ²) − (Σ w μ)²) per event dim, in float64. */
  function reference(logits: number[], loc: number[], scale: number[]) {
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    const w = logits.map((l) => Math.exp(l) / z);
    const mean = Array.from({ length: D }, (_, d) =>
      w.reduce((s, wc, c) => s + wc * loc[c * D + d]!, 0),
    );
    const sd = Array.from({ length: D }, (_, d) => {
      const second = w.reduce(
        (s, wc, c) => s + wc * (scale[c * D + d]! ** 2 + loc[c * D + d]! ** 2),
        0,
      );
      return Math.sqrt(second - mean[d]! ** 2);
    });
    return { mean, sd };
  }

  it("shared parameters: Σ_c w_c μ_c and the law of total variance, broadcast over rows", () => {
    const logits = [0.3, -1.2, 0.9];
    const loc = Array.from(randomF32(K * D, 11, -3, 3));
    const logScale = Array.from(randomF32(K * D, 12, -1, 0.5));
    const mix = distributionImpl("MixtureNormal");
    const p = params({
      logits: { v: logits, shape: [K] },
      loc: { v: loc, shape: [K, D] },
      log_scale: { v: logScale, shape: [K, D] },
    });
    const want = reference(
      logits.map(Math.fround),
      loc,
      logScale.map((l) => Math.exp(l)),
    );
    const m = read(() => mix.mean(tf, p(), [2, D]));
    expect(m.shape).toEqual([2, D]);
    // Sums of K products of magnitude ≤ 3: the bound is absolute.
    m.values.forEach((v, i) =>
      expect(Math.abs(v - want.mean[i % D]!)).toBeLessThanOrEqual(f32Bound(24, 3)),
    );
    const s = read(() => mix.stddev(tf, p(), [2, D])!);
    expect(s.shape).toEqual([2, D]);
    s.values.forEach((v, i) =>
      expect(Math.abs(v - want.sd[i % D]!)).toBeLessThanOrEqual(f32Bound(40, 10)),
    );
  });

  it("batched parameters give each row its own mixture", () => {
    const N = 2;
    const logits = [0, 1, -1, 2, 0.5, -0.5];
    const loc = Array.from(randomF32(N * K * D, 21, -2, 2));
    const scale = Array.from(randomF32(N * K * D, 22, 0.2, 1.5));
    const mix = distributionImpl("MixtureNormal");
    // As the compiler aligns batched parameters: logits [N, 1, K], loc/scale [N, K, D].
    const p = params({
      logits: { v: logits, shape: [N, 1, K] },
      loc: { v: loc, shape: [N, K, D] },
      scale: { v: scale, shape: [N, K, D] },
    });
    const m = read(() => mix.mean(tf, p(), [N, D]));
    const s = read(() => mix.stddev(tf, p(), [N, D])!);
    for (let n = 0; n < N; n++) {
      const want = reference(
        logits.slice(n * K, (n + 1) * K),
        loc.slice(n * K * D, (n + 1) * K * D),
        scale.slice(n * K * D, (n + 1) * K * D),
      );
      for (let d = 0; d < D; d++) {
        expect(Math.abs(m.values[n * D + d]! - want.mean[d]!)).toBeLessThanOrEqual(f32Bound(24, 2));
        expect(Math.abs(s.values[n * D + d]! - want.sd[d]!)).toBeLessThanOrEqual(f32Bound(40, 6));
      }
    }
  });

  it("keeps the spread of components far from the origin (no E[x²] − μ² cancellation)", () => {
    // Two equal components at 1000 ± 1 with σ = 0.1: sd = √(0.01 + 1) ≈ 1.005. In float32,
    // E[x²] − μ² would lose everything below 1e6·2⁻²⁴ ≈ 0.06.
    const mix = distributionImpl("MixtureNormal");
    const p = params({
      logits: { v: [0, 0], shape: [2] },
      loc: { v: [999, 1001], shape: [2, 1] },
      scale: { v: [0.1, 0.1], shape: [2, 1] },
    });
    const m = read(() => mix.mean(tf, p(), [1, 1]));
    expect(m.values[0]).toBe(1000);
    const s = read(() => mix.stddev(tf, p(), [1, 1])!);
    expect(Math.abs(s.values[0]! - Math.sqrt(1.01))).toBeLessThanOrEqual(1e-6);
  });
});
