import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import { distributionImpl } from "../../../src/backends/tfjs/distributions/index.js";
import { analyticKl, klRegistry } from "../../../src/backends/tfjs/kl/index.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import { f32Bound, meanAndSe, softplus } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

function read(f: () => Tensor): Float32Array {
  const t = tf.tidy(f);
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

function expectSumClose(got: number, terms: number[], opsPerTerm = 12): void {
  const scale = terms.reduce((s, t) => s + Math.abs(t), 0) + 1;
  const want = terms.reduce((s, t) => s + t, 0);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(f32Bound(opsPerTerm + terms.length, scale));
}

it("the registry holds the three analytic pairs", () => {
  expect([...klRegistry.keys()].sort()).toEqual([
    "Bernoulli|Bernoulli",
    "Categorical|Categorical",
    "Normal|Normal",
  ]);
  expect(analyticKl("Normal", "Bernoulli")).toBeUndefined();
});

describe("KL[Normal ‖ Normal]", () => {
  const muA = [0.3, -1.2, 2];
  const lsA = [-0.5, 0.2, -2];
  const muB = [0, 0.5, 1.5];
  const lsB = [0, -0.3, 0.4];

  const closedForm = (j: number) =>
    lsB[j]! -
    lsA[j]! +
    (Math.exp(2 * lsA[j]!) + (muA[j]! - muB[j]!) ** 2) / (2 * Math.exp(2 * lsB[j]!)) -
    0.5;

  it("matches log σb − log σa + (σa² + (μa − μb)²)/(2σb²) − ½ with either scale form", () => {
    const kl = analyticKl("Normal", "Normal")!;
    const terms = [0, 1, 2].map(closedForm);
    const withLog = read(() =>
      kl(
        tf,
        { loc: tf.tensor([muA]), log_scale: tf.tensor([lsA]) },
        { loc: tf.tensor(muB), log_scale: tf.tensor(lsB) },
        [1, 3],
      ),
    );
    expectSumClose(withLog[0]!, terms);
    const withScale = read(() =>
      kl(
        tf,
        { loc: tf.tensor([muA]), scale: tf.tensor([lsA.map(Math.exp)]) },
        { loc: tf.tensor(muB), scale: tf.tensor(lsB.map(Math.exp)) },
        [1, 3],
      ),
    );
    // exp and log round-trip through float32 once more on the scale path.
    expectSumClose(withScale[0]!, terms, 24);
  });

  it("is zero for identical distributions and broadcasts unbatched pairs to the batch", () => {
    const kl = analyticKl("Normal", "Normal")!;
    const v = read(() =>
      kl(
        tf,
        { loc: tf.scalar(0), scale: tf.scalar(1) },
        { loc: tf.scalar(0), scale: tf.scalar(1) },
        [5, 2],
      ),
    );
    expect(Array.from(v)).toEqual([0, 0, 0, 0, 0]);
  });

  it("agrees with the Monte Carlo mean of log a(z) − log b(z) within 4 standard errors", () => {
    const n = 40000;
    const normal = distributionImpl("Normal");
    const a = () => ({ loc: tf.tensor(muA), log_scale: tf.tensor(lsA) });
    const b = () => ({ loc: tf.tensor(muB), log_scale: tf.tensor(lsB) });
    const diff = read(() => {
      const z = normal.sample(tf, a(), [n, 3], 123);
      return tf.sub(normal.logProb(tf, a(), z), normal.logProb(tf, b(), z));
    });
    const { mean, se } = meanAndSe(diff);
    const exact = [0, 1, 2].map(closedForm).reduce((s, v) => s + v, 0);
    expect(Math.abs(mean - exact)).toBeLessThanOrEqual(4 * se);
  });
});

describe("KL[Bernoulli ‖ Bernoulli]", () => {
  const la = [-2, 0.5, 3, -0.1];
  const lb = [1, 0.5, -1, 0.3];
  const ref = (j: number) => {
    const p = 1 / (1 + Math.exp(-la[j]!));
    // log σ(l) = −softplus(−l), log(1 − σ(l)) = −softplus(l)
    return (
      p * (softplus(-lb[j]!) - softplus(-la[j]!)) + (1 - p) * (softplus(lb[j]!) - softplus(la[j]!))
    );
  };

  it("matches Σ p log(p/q) + (1 − p) log((1 − p)/(1 − q)) from logits and from probs", () => {
    const kl = analyticKl("Bernoulli", "Bernoulli")!;
    const terms = la.map((_, j) => ref(j));
    const fromLogits = read(() =>
      kl(tf, { logits: tf.tensor([la]) }, { logits: tf.tensor([lb]) }, [1, 4]),
    );
    expectSumClose(fromLogits[0]!, terms);
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    const pa = la.map((l) => Math.fround(sig(l)));
    const pb = lb.map((l) => Math.fround(sig(l)));
    const fromProbs = read(() =>
      kl(tf, { probs: tf.tensor([pa]) }, { probs: tf.tensor(pb) }, [1, 4]),
    );
    const probTerms = pa.map(
      (p, j) => p * Math.log(p / pb[j]!) + (1 - p) * Math.log((1 - p) / (1 - pb[j]!)),
    );
    expectSumClose(fromProbs[0]!, probTerms);
  });
});

describe("KL[Categorical ‖ Categorical]", () => {
  it("matches Σ_k a_k log(a_k / b_k) over the category axis, summed over the event", () => {
    const la = [
      [1, 0, -1],
      [0.2, 2, 0.3],
    ];
    const lb = [0, 0.5, 1];
    const norm = (row: number[]) => {
      const z = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return row.map((v) => v - z);
    };
    const nb = norm(lb);
    const terms = la.map((row) => {
      const na = norm(row);
      return na.reduce((s, l, k) => s + Math.exp(l) * (l - nb[k]!), 0);
    });
    const kl = analyticKl("Categorical", "Categorical")!;
    // Event shape [2] with K = 3: parameters [B, 2, 3] and [3].
    const v = read(() => kl(tf, { logits: tf.tensor([la]) }, { logits: tf.tensor(lb) }, [1, 2]));
    expectSumClose(v[0]!, terms, 30);
  });
});
