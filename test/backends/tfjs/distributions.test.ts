import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import {
  distributionImpl,
  isEnumerable,
  type ParamTensors,
} from "../../../src/backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import { f32Bound, meanAndSe, randomF32, softplus } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const LOG_2PI = Math.log(2 * Math.PI);
const normal = () => distributionImpl("Normal");
const bernoulli = () => distributionImpl("Bernoulli");
const categorical = () => distributionImpl("Categorical");

function read(f: () => Tensor): Float32Array {
  const t = tf.tidy(f);
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/** Sum over `n` event terms, each computed with a handful of float32 operations. */
function expectSumClose(got: number, terms: number[], opsPerTerm = 8): void {
  const scale = terms.reduce((s, t) => s + Math.abs(t), 0);
  const want = terms.reduce((s, t) => s + t, 0);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(f32Bound(opsPerTerm + terms.length, scale + 1));
}

describe("Normal", () => {
  const B = 4;
  const D = 3;
  const x = randomF32(B * D, 1, -3, 3);
  const loc = randomF32(B * D, 2, -1, 1);
  const logScale = randomF32(B * D, 3, -2, 1);

  function reference(b: number, scaleOf: (i: number) => number): number[] {
    return Array.from({ length: D }, (_, j) => {
      const i = b * D + j;
      const s = scaleOf(i);
      return -0.5 * ((x[i]! - loc[i]!) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
    });
  }

  it("log density with log_scale matches the closed form, summed over the event", () => {
    const lp = read(() =>
      normal().logProb(
        tf,
        { loc: tf.tensor(loc, [B, D]), log_scale: tf.tensor(logScale, [B, D]) },
        tf.tensor(x, [B, D]),
      ),
    );
    expect(lp.length).toBe(B);
    for (let b = 0; b < B; b++)
      expectSumClose(
        lp[b]!,
        reference(b, (i) => Math.exp(logScale[i]!)),
      );
  });

  it("log density with scale matches the same closed form", () => {
    const scale = logScale.map((l) => Math.fround(Math.exp(l)));
    const lp = read(() =>
      normal().logProb(
        tf,
        { loc: tf.tensor(loc, [B, D]), scale: tf.tensor(scale, [B, D]) },
        tf.tensor(x, [B, D]),
      ),
    );
    for (let b = 0; b < B; b++)
      expectSumClose(
        lp[b]!,
        reference(b, (i) => scale[i]!),
      );
  });

  it("broadcasts unbatched scalar parameters (the standard-normal prior)", () => {
    const lp = read(() =>
      normal().logProb(tf, { loc: tf.scalar(0), scale: tf.scalar(1) }, tf.tensor(x, [B, D])),
    );
    for (let b = 0; b < B; b++) {
      const terms = Array.from({ length: D }, (_, j) => -0.5 * x[b * D + j]! ** 2 - 0.5 * LOG_2PI);
      expectSumClose(lp[b]!, terms);
    }
  });

  it("entropy is Σ (½ log 2πe + log σ), broadcast over the batch", () => {
    const h = read(() =>
      normal().entropy(tf, { loc: tf.scalar(0), log_scale: tf.tensor(logScale.slice(0, D)) }, [
        B,
        D,
      ]),
    );
    expect(h.length).toBe(B);
    const terms = Array.from({ length: D }, (_, j) => 0.5 * (1 + LOG_2PI) + logScale[j]!);
    for (let b = 0; b < B; b++) expectSumClose(h[b]!, terms);
  });

  it("samples are reparameterised: loc + σ·ε with the same ε for the same seed", () => {
    const n = 6;
    const eps = read(() =>
      normal().sample(tf, { loc: tf.scalar(0), scale: tf.scalar(1) }, [n, D], 7),
    );
    const z = read(() =>
      normal().sample(
        tf,
        { loc: tf.tensor(loc.slice(0, D)), log_scale: tf.tensor(logScale.slice(0, D)) },
        [n, D],
        7,
      ),
    );
    for (let i = 0; i < n * D; i++) {
      const want = loc[i % D]! + Math.exp(logScale[i % D]!) * eps[i]!;
      expect(Math.abs(z[i]! - want)).toBeLessThanOrEqual(f32Bound(4, Math.abs(want) + 1));
    }
    const g = tf.tidy(() =>
      tf.grad((m: Tensor) =>
        tf.sum(normal().sample(tf, { loc: m, scale: tf.scalar(2) }, [n, D], 7)),
      )(tf.zeros([D])),
    );
    // ∂/∂loc Σ z = n per coordinate: the gradient flows through the sample.
    expect(Array.from(g.dataSync())).toEqual([n, n, n]);
    g.dispose();
  });

  it("standard-normal draws have mean 0 and variance 1 within 4 standard errors", () => {
    const n = 20000;
    const eps = read(() => normal().sample(tf, { loc: tf.scalar(0), scale: tf.scalar(1) }, [n], 3));
    const m = meanAndSe(eps);
    expect(Math.abs(m.mean)).toBeLessThanOrEqual(4 * m.se);
    const sq = meanAndSe(Array.from(eps, (e) => e * e));
    expect(Math.abs(sq.mean - 1)).toBeLessThanOrEqual(4 * sq.se);
  });
});

describe("Bernoulli", () => {
  const logits = new Float32Array([-50, -3, -0.5, 0, 0.7, 4, 50, 1.5]);
  const x = new Float32Array([1, 0, 1, 1, 0, 1, 0, 0]);

  function refTerm(l: number, v: number): number {
    // log σ(l) = −softplus(−l), log(1 − σ(l)) = −softplus(l)
    return v === 1 ? -softplus(-l) : -softplus(l);
  }

  it("log density from logits is stable and exact even for |logits| = 50", () => {
    const lp = read(() =>
      bernoulli().logProb(tf, { logits: tf.tensor(logits, [2, 4]) }, tf.tensor(x, [2, 4])),
    );
    for (let b = 0; b < 2; b++) {
      const terms = [0, 1, 2, 3].map((j) => refTerm(logits[b * 4 + j]!, x[b * 4 + j]!));
      expectSumClose(lp[b]!, terms);
    }
    expect(lp[0]).toBeLessThan(-50 + 1e-3);
  });

  it("log density from probs matches x log p + (1 − x) log(1 − p)", () => {
    const p = new Float32Array([0.1, 0.5, 0.9, 0.999, 0.2, 0.3, 0.7, 0.05]);
    const lp = read(() =>
      bernoulli().logProb(tf, { probs: tf.tensor(p, [2, 4]) }, tf.tensor(x, [2, 4])),
    );
    for (let b = 0; b < 2; b++) {
      const terms = [0, 1, 2, 3].map((j) => {
        const i = b * 4 + j;
        return x[i] === 1 ? Math.log(p[i]!) : Math.log(1 - p[i]!);
      });
      expectSumClose(lp[b]!, terms);
    }
    const zeros = read(() =>
      bernoulli().logProb(tf, { probs: tf.tensor([0, 1]) }, tf.tensor([[0, 1]])),
    );
    expect(zeros[0]).toBe(0);
  });

  it("entropy matches −p log p − (1 − p) log(1 − p) for both parameterisations", () => {
    const l = logits.slice(1, 7);
    const want = Array.from(l, (v) => {
      const p = 1 / (1 + Math.exp(-v));
      return p * softplus(-v) + (1 - p) * softplus(v);
    });
    const h = read(() => bernoulli().entropy(tf, { logits: tf.tensor(l) }, [1, 6]));
    expectSumClose(h[0]!, want);
    const p = Array.from(l, (v) => Math.fround(1 / (1 + Math.exp(-v))));
    const hp = read(() => bernoulli().entropy(tf, { probs: tf.tensor(p) }, [1, 6]));
    expectSumClose(
      hp[0]!,
      // 0·log 0 = 0: σ(50) rounds to 1 in float32.
      p.map((q) => (q > 0 ? -q * Math.log(q) : 0) - (q < 1 ? (1 - q) * Math.log(1 - q) : 0)),
    );
  });

  it("sample frequencies match σ(logits) within 4 standard errors", () => {
    const n = 20000;
    const s = read(() => bernoulli().sample(tf, { logits: tf.tensor([-1, 0.5]) }, [n, 2], 5));
    for (const [j, l] of [-1, 0.5].entries()) {
      const p = 1 / (1 + Math.exp(-l));
      const col = Array.from({ length: n }, (_, i) => s[i * 2 + j]!);
      expect(col.every((v) => v === 0 || v === 1)).toBe(true);
      const freq = col.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(freq - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});

describe("Categorical", () => {
  const K = 4;
  const logits = new Float32Array([0.5, -1, 2, 0, 3, 3, -2, 1]);

  function logSoftmaxRow(row: Float32Array | number[]): number[] {
    const m = Math.max(...row);
    const z = Math.log([...row].reduce((s, v) => s + Math.exp(v - m), 0)) + m;
    return [...row].map((v) => v - z);
  }

  it("log-probabilities over K are the log-softmax, for logits and for (unnormalised) probs", () => {
    const impl = categorical();
    expect(isEnumerable(impl)).toBe(true);
    if (!isEnumerable(impl)) return;
    const lp = read(() => impl.logProbs(tf, { logits: tf.tensor(logits, [2, K]) }));
    const ref = [...logSoftmaxRow(logits.slice(0, K)), ...logSoftmaxRow(logits.slice(K))];
    for (let i = 0; i < 2 * K; i++) {
      expect(Math.abs(lp[i]! - ref[i]!)).toBeLessThanOrEqual(f32Bound(2 * K + 4, 8));
    }
    const w = [1, 2, 3, 4];
    const lq = read(() => impl.logProbs(tf, { probs: tf.tensor(w) }));
    for (let k = 0; k < K; k++) {
      expect(Math.abs(lq[k]! - Math.log(w[k]! / 10))).toBeLessThanOrEqual(f32Bound(K + 4, 4));
    }
    expect(impl.categories({ logits: tf.zeros([3, 7]) } as ParamTensors)).toBe(7);
  });

  it("log density picks the value's log-probability and sums over the event", () => {
    // Event shape [2]: each row holds two indices, parameters [B, 2, K].
    const values = tf.tensor(
      [
        [2, 0],
        [1, 3],
      ],
      [2, 2],
      "int32",
    );
    const lp = read(() =>
      categorical().logProb(tf, { logits: tf.tensor(logits, [1, 2, K]) }, values),
    );
    const r0 = logSoftmaxRow(logits.slice(0, K));
    const r1 = logSoftmaxRow(logits.slice(K));
    expectSumClose(lp[0]!, [r0[2]!, r1[0]!], 2 * K + 4);
    expectSumClose(lp[1]!, [r0[1]!, r1[3]!], 2 * K + 4);
    // Indices stored as floats (categorical data) are accepted too.
    const lpf = read(() =>
      categorical().logProb(tf, { logits: tf.tensor(logits.slice(0, K)) }, tf.tensor([2, 0])),
    );
    expectSumClose(lpf[0]!, [r0[2]!], 2 * K + 4);
    expectSumClose(lpf[1]!, [r0[0]!], 2 * K + 4);
    values.dispose();
  });

  it("entropy is −Σ p log p", () => {
    const r = logSoftmaxRow(logits.slice(0, K));
    const want = -r.reduce((s, l) => s + Math.exp(l) * l, 0);
    const h = read(() => categorical().entropy(tf, { logits: tf.tensor(logits.slice(0, K)) }, [3]));
    expect(h.length).toBe(3);
    for (const v of h) expect(Math.abs(v - want)).toBeLessThanOrEqual(f32Bound(4 * K + 8, 4));
  });

  it("Gumbel-max samples have the softmax frequencies within 4 standard errors", () => {
    const n = 20000;
    const s = read(() =>
      categorical().sample(tf, { logits: tf.tensor(logits.slice(0, K)) }, [n], 9),
    );
    const p = logSoftmaxRow(logits.slice(0, K)).map(Math.exp);
    for (let k = 0; k < K; k++) {
      const freq = s.filter((v) => v === k).length / n;
      expect(Math.abs(freq - p[k]!)).toBeLessThanOrEqual(4 * Math.sqrt((p[k]! * (1 - p[k]!)) / n));
    }
  });
});
