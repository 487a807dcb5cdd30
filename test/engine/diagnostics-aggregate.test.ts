import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import type { Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import type { Dataset } from "../../src/data/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import {
  diagnoseModel,
  empiricalEntropy,
  exactAggregateTerms,
  minibatchAggregateTerms,
} from "../../src/engine/diagnostics/index.js";
import { enumerateTerms } from "../../src/engine/estimators/index.js";
import {
  LOG_2PI,
  linearWeightRecord,
  namedWeights,
  withWeights,
  type LinearWeights,
} from "./diagnostics-fixtures.js";
import { brokenElboIR, linearVaeIR } from "./fixtures.js";
import { f32Bound, logSumExp, mean, meanAndSe, randomF32, uniforms } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

describe("exact aggregate posterior of a categorical latent (toy, enumerate)", () => {
  const K = 5;
  const enc = Array.from(randomF32(K * K, 1, -2, 2));
  const dec = Array.from(randomF32(K * K, 2, -2, 2));
  const marg = Array.from(randomF32(K, 3, -1, 1));
  const weights = {
    "net.encoder_table.table": enc,
    "net.decoder_table.table": dec,
    "param.marginal_logits": marg,
  };
  const u = uniforms(9);
  // Skewed data with repeats: value v with probability ∝ v + 1.
  const xs = Array.from({ length: 41 }, () => Math.min(K - 1, Math.floor(Math.sqrt(u() * K * K))));
  const lsm = (r: number[]) => r.map((v) => v - logSumExp(r));
  const logQ = (x: number) => lsm(enc.slice(x * K, (x + 1) * K).map(Math.fround));
  const logP = lsm(marg.map(Math.fround));

  /** I, KL[q(z)‖p(z)] and R of the empirical joint, by brute force in float64. */
  const brute = (() => {
    const qBar = Array<number>(K).fill(0);
    for (const x of xs) logQ(x).forEach((l, z) => (qBar[z]! += Math.exp(l) / xs.length));
    let mi = 0;
    let rate = 0;
    for (const x of xs) {
      logQ(x).forEach((l, z) => {
        mi += (Math.exp(l) * (l - Math.log(qBar[z]!))) / xs.length;
        rate += (Math.exp(l) * (l - logP[z]!)) / xs.length;
      });
    }
    const kl = qBar.reduce((s, q, z) => s + q * (Math.log(q) - logP[z]!), 0);
    return { mi, kl, rate };
  })();
  // Sums over ≤ 41·5 terms of log-softmax values of magnitude ≤ ~6.
  const tol = f32Bound(8 * K * xs.length, 8);

  it("equals the brute-force I and KL, and I + KL = R exactly (ELBO surgery)", async () => {
    const m = withWeights(tf, brokenElboIR(K), weights);
    const x = tf.tensor(xs, [xs.length], "int32");
    const t = await exactAggregateTerms(m, x, 7);
    expect(t.estimator).toBe("exact");
    expect(Math.abs(t.mutualInfo - brute.mi)).toBeLessThanOrEqual(tol);
    expect(Math.abs(t.marginalKl - brute.kl)).toBeLessThanOrEqual(tol);
    expect(Math.abs(t.mutualInfo + t.marginalKl - t.rate)).toBeLessThanOrEqual(tol);
    // The same R as the enumerate estimator's rate term.
    const r = tf.tidy(() =>
      tf.mean(enumerateTerms(m, x, { samples: 1, kl: "analytic", seed: 0, iwSamples: [] }).rate),
    );
    expect(Math.abs(r.dataSync()[0]! - t.rate)).toBeLessThanOrEqual(tol);
    tf.dispose([r, x]);
    m.dispose();
  });

  it("diagnoseModel reports the exact I inside H − D ≤ I ≤ R and the exact log p(x)", async () => {
    const ir = brokenElboIR(K);
    const m = withWeights(tf, ir, weights);
    const w = namedWeights(m, weights);
    m.dispose();
    const data: Dataset = { source: "toy", rows: xs.length, dim: 1, values: Float32Array.from(xs) };
    const rep = await diagnoseModel(ir, w, data, { samples: 1, seed: 0, backend: "wasm" });
    expect(rep.mi_estimator).toBe("exact");
    expect(rep.entropy_source).toBe("empirical");
    expect(rep.entropy).toBeCloseTo(empiricalEntropy(data), 12);
    expect(Math.abs(rep.mutual_info.estimate - brute.mi)).toBeLessThanOrEqual(tol);
    expect(Math.abs(rep.marginal_kl - brute.kl)).toBeLessThanOrEqual(tol);
    expect(Math.abs(rep.mutual_info.upper - brute.rate)).toBeLessThanOrEqual(tol);
    // Barber–Agakov on the empirical joint: H − D ≤ I for any decoder; and I ≤ R.
    expect(rep.mutual_info.lower).not.toBeNull();
    expect(rep.mutual_info.lower!).toBeLessThanOrEqual(rep.mutual_info.estimate + tol);
    expect(rep.mutual_info.estimate).toBeLessThanOrEqual(rep.mutual_info.upper + tol);
    expect(rep.entropy! - rep.distortion).toBeLessThanOrEqual(rep.mutual_info.estimate + tol);
    expect(rep.active_units).toBeNull();
    const logPx = mean(
      xs.map((x) =>
        logSumExp(
          logP.map((lp, z) => lp + lsm(dec.slice(z * K, (z + 1) * K).map(Math.fround))[x]!),
        ),
      ),
    );
    expect(rep.log_likelihood_method).toBe("exact");
    expect(Math.abs(rep.log_likelihood! - logPx)).toBeLessThanOrEqual(tol);
    // log p(x) ≥ ELBO, exactly here.
    expect(rep.log_likelihood!).toBeGreaterThanOrEqual(rep.elbo - tol);

    const known = await diagnoseModel(ir, w, data, {
      samples: 1,
      seed: 0,
      backend: "wasm",
      entropy: 1.25,
    });
    expect(known.entropy).toBe(1.25);
    expect(known.entropy_source).toBe("exact");
    expect(known.mutual_info.lower).toBeCloseTo(Math.max(0, 1.25 - known.distortion), 12);
  });
});

describe("minibatch estimates of I and KL[q(z)‖p(z)] for a Gaussian latent", () => {
  const d = 3;
  const k = 2;
  const rows = 300;
  const xValues = randomF32(rows * d, 5, -1, 1);
  const decoder = { Wd: [0.8, -0.5, 0.3, 0.2, 0.6, -0.4], bd: [0.2, 0, -0.3], logSigma: -0.4 };

  async function run(
    enc: Pick<LinearWeights, "We" | "be" | "ls">,
    f: (m: never, x: Tensor) => Promise<void>,
  ) {
    const m = withWeights(tf, linearVaeIR(d, k), linearWeightRecord({ ...enc, ...decoder }));
    const x = tf.tensor(xValues, [rows, d]);
    await f(m as never, x);
    x.dispose();
    m.dispose();
  }

  it("gives I = 0 (stratified) and I = log N (MWS) when q(z|x) ignores x", async () => {
    await run(
      { We: Array<number>(d * k).fill(0), be: [0.3, -0.2], ls: [-0.5, 0.1] },
      async (m, x) => {
        for (const batch of [64, rows]) {
          const s = await minibatchAggregateTerms(m, x, {
            batch,
            seed: 1,
            weighting: "stratified",
            maxPairs: 5000,
          });
          const w = await minibatchAggregateTerms(m, x, {
            batch,
            seed: 1,
            weighting: "mws",
            maxPairs: 5000,
          });
          // log-sum-exp of M equal float32 values of magnitude ≤ ~10.
          const tol = f32Bound(4 * batch, 16);
          expect(Math.abs(s.mutualInfo)).toBeLessThanOrEqual(tol);
          expect(Math.abs(w.mutualInfo - Math.log(rows))).toBeLessThanOrEqual(tol);
          // Same draws: both split the same Monte Carlo rate.
          expect(Math.abs(s.marginalKl - s.rate)).toBeLessThanOrEqual(tol);
          expect(Math.abs(w.rate - s.rate)).toBeLessThanOrEqual(tol);
          expect(Math.abs(w.mutualInfo + w.marginalKl - w.rate)).toBeLessThanOrEqual(tol);
        }
      },
    );
  });

  it("gives I = log N (stratified) and log(N·M) (MWS) when posteriors do not overlap", async () => {
    const enc = { We: [50, 0, 0, 50, 25, 25], be: [0, 0], ls: [-6, -6] };
    await run(enc, async (m, x) => {
      const s = await minibatchAggregateTerms(m, x, {
        batch: 100,
        seed: 2,
        weighting: "stratified",
        maxPairs: 3000,
      });
      const w = await minibatchAggregateTerms(m, x, {
        batch: 100,
        seed: 2,
        weighting: "mws",
        maxPairs: 3000,
      });
      // Terms of magnitude up to ~20 (log densities of scale e^-6), summed over 2 dims.
      const tol = f32Bound(32, 32);
      expect(Math.abs(s.mutualInfo - Math.log(rows))).toBeLessThanOrEqual(tol);
      expect(Math.abs(w.mutualInfo - Math.log(rows * 100))).toBeLessThanOrEqual(tol);
    });
  });

  it("is unbiased for I at M = N, low by a Jensen gap at M < N, and MWS is higher still", async () => {
    const enc = { We: [1.5, -0.4, 0.3, 1.2, -0.8, 0.6], be: [0.1, -0.1], ls: [-0.9, -0.6] };
    const f = Math.fround;
    const x = Array.from(xValues);
    const mu = Array.from({ length: rows }, (_, n) =>
      [0, 1].map(
        (j) =>
          f(enc.be[j]!) + [0, 1, 2].reduce((s, i) => s + x[n * d + i]! * f(enc.We[i * k + j]!), 0),
      ),
    );
    const ls = enc.ls.map(f);
    const logQ = (z: number[], n: number) =>
      z.reduce(
        (s, zj, j) =>
          s - 0.5 * ((zj - mu[n]![j]!) / Math.exp(ls[j]!)) ** 2 - ls[j]! - 0.5 * LOG_2PI,
        0,
      );
    // Reference: the exact q(z) = (1/N) Σ_n q(z|x_n), z drawn here with Box–Muller.
    const u = uniforms(77);
    const terms: number[] = [];
    for (let rep = 0; rep < 4; rep++) {
      for (let i = 0; i < rows; i++) {
        const z = [0, 1].map((j) => {
          const g = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
          return mu[i]![j]! + Math.exp(ls[j]!) * g;
        });
        const lq = logSumExp(mu.map((_, n) => logQ(z, n))) - Math.log(rows);
        terms.push(logQ(z, i) - lq);
      }
    }
    const ref = meanAndSe(terms);
    // One draw per row: the estimate's own standard error is the terms' spread over √N.
    const seOne = ref.se * Math.sqrt(terms.length / rows);
    const se = Math.hypot(ref.se, seOne);
    expect(ref.mean).toBeGreaterThan(0.5);
    expect(ref.mean).toBeLessThan(Math.log(rows) - 1);
    await run(enc, async (m, xt) => {
      const full = await minibatchAggregateTerms(m, xt, {
        batch: rows,
        seed: 3,
        weighting: "stratified",
        maxPairs: 20000,
      });
      expect(Math.abs(full.mutualInfo - ref.mean)).toBeLessThanOrEqual(4 * se);
      const small = await minibatchAggregateTerms(m, xt, {
        batch: 30,
        seed: 3,
        weighting: "stratified",
        maxPairs: 20000,
      });
      expect(small.mutualInfo).toBeGreaterThanOrEqual(ref.mean - 4 * se);
      const mws = await minibatchAggregateTerms(m, xt, {
        batch: 30,
        seed: 3,
        weighting: "mws",
        maxPairs: 20000,
      });
      // Same draws; MWS weights every pair by 1/(N·M) ≤ both stratified weights.
      expect(mws.mutualInfo).toBeGreaterThanOrEqual(small.mutualInfo);
      expect(Math.abs(mws.rate - small.rate)).toBeLessThanOrEqual(f32Bound(64, 16));
    });
  });
});

describe("minibatch estimates for a non-Gaussian latent (generic pairwise densities)", () => {
  it("gives I = 0 (stratified) and log N (MWS) for a Bernoulli latent that ignores x", async () => {
    const ir: ModelIR = {
      ...linearVaeIR(2, 3),
      name: "BinaryLatent",
      latent: { name: "z", kind: "binary", shape: [3] },
      params: [{ name: "enc_logits", shape: [3], init: 0 }],
      encoder: {
        role: "encoder",
        label: "q",
        variable: "z",
        given: "x",
        dist: "Bernoulli",
        params: { logits: { op: "param", name: "enc_logits", shape: [3] } },
        bindings: [],
      },
      prior: {
        role: "prior",
        label: "p",
        variable: "z",
        given: null,
        dist: "Bernoulli",
        params: { probs: { op: "const", value: 0.5, shape: [] } },
        bindings: [],
      },
    };
    const m = compileModel(ir, tf, 0);
    const lg = m.weights.get("param.enc_logits")!;
    lg.assign(tf.tensor([1.5, -0.5, 0.2]));
    const rows = 120;
    const x = tf.tensor(randomF32(rows * 2, 8), [rows, 2]);
    for (const batch of [25, rows]) {
      const o = { batch, seed: 4, maxPairs: 700 };
      const s = await minibatchAggregateTerms(m, x, { ...o, weighting: "stratified" });
      const w = await minibatchAggregateTerms(m, x, { ...o, weighting: "mws" });
      const tol = f32Bound(4 * batch, 8);
      expect(Math.abs(s.mutualInfo)).toBeLessThanOrEqual(tol);
      expect(Math.abs(w.mutualInfo - Math.log(rows))).toBeLessThanOrEqual(tol);
      // KL[q‖p] of three independent Bernoullis against Bernoulli(0.5), in closed form,
      // within 4 standard errors of a mean over `rows` draws (per-draw sd ≤ Σ|log q − log p|).
      const klExact = [1.5, -0.5, 0.2].reduce((acc, l) => {
        const p = 1 / (1 + Math.exp(-Math.fround(l)));
        return acc + p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p));
      }, 0);
      const bound = [1.5, -0.5, 0.2].reduce((acc, l) => acc + Math.abs(l) + Math.log(2), 0);
      expect(Math.abs(s.marginalKl - klExact)).toBeLessThanOrEqual((4 * bound) / Math.sqrt(rows));
    }
    x.dispose();
    m.dispose();
  });
});
