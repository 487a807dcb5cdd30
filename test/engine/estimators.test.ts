import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { compileModel, type CompiledModel } from "../../src/backends/tfjs/compile.js";
import type { Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import {
  enumerateTerms,
  estimatorFor,
  reparamTerms,
  scoreTerms,
  type EstimatorOptions,
} from "../../src/engine/estimators/index.js";
import { importWeights } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import { brokenElboIR, linearVaeIR } from "./fixtures.js";
import { f32Bound, logSumExp, meanAndSe, randomF32 } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const LOG_2PI = Math.log(2 * Math.PI);

function withWeights(ir: ModelIR, values: Record<string, number[]>): CompiledModel {
  const m = compileModel(ir, tf, 0);
  const w: NamedWeights = {};
  for (const spec of m.specs) {
    w[spec.name] = { shape: spec.shape, values: Float32Array.from(values[spec.name]!) };
  }
  importWeights(m, w);
  return m;
}

function terms(
  m: CompiledModel,
  x: Tensor,
  opts: Partial<EstimatorOptions>,
  est = reparamTerms,
): { d: Float32Array; r: Float32Array; iw: Map<number, Float32Array> } {
  const full: EstimatorOptions = { samples: 1, kl: "analytic", seed: 1, iwSamples: [], ...opts };
  const out = tf.tidy(() => {
    const t = est(m, x, full);
    return [t.distortion, t.rate, ...full.iwSamples.map((k) => t.iw.get(k)!)];
  });
  const vals = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return {
    d: vals[0]!,
    r: vals[1]!,
    iw: new Map(full.iwSamples.map((k, i) => [k, vals[2 + i]!])),
  };
}

/**
 * The linear-Gaussian VAE with fixed weights: q(z|x) = N(xWe + be, diag s²),
 * p(z) = N(0, I), p(x|z) = N(zWd + bd, σ² I). Its ELBO and log p(x) have closed forms.
 */
describe("reparam (SGVB) on a linear-Gaussian model", () => {
  const d = 3;
  const k = 2;
  const We = [0.5, -0.2, 0.1, 0.4, -0.3, 0.2]; // [3, 2]
  const be = [0.1, -0.1];
  const ls = [-0.7, -0.2];
  const Wd = [0.8, -0.5, 0.3, 0.2, 0.6, -0.4]; // [2, 3]
  const bd = [0.2, 0, -0.3];
  const logSigma = -0.4;
  const x = [1.0, -0.5, 0.7];
  const weights = {
    "net.enc_mean.0.W": We,
    "net.enc_mean.0.b": be,
    "net.dec_mean.0.W": Wd,
    "net.dec_mean.0.b": bd,
    "param.enc_log_scale": ls,
    "param.log_sigma": [logSigma],
  };
  const f = (v: number) => Math.fround(v);

  const exact = (() => {
    const mu = [0, 1].map((j) => f(be[j]!) + x.reduce((s, xi, i) => s + xi * f(We[i * k + j]!), 0));
    const s2 = ls.map((l) => Math.exp(2 * f(l)));
    const sig2 = Math.exp(2 * f(logSigma));
    let expLogLik = 0;
    for (let i = 0; i < d; i++) {
      const m = f(bd[i]!) + mu.reduce((s, mj, j) => s + mj * f(Wd[j * d + i]!), 0);
      const spread = s2.reduce((s, v, j) => s + f(Wd[j * d + i]!) ** 2 * v, 0);
      expLogLik += -0.5 * LOG_2PI - f(logSigma) - ((x[i]! - m) ** 2 + spread) / (2 * sig2);
    }
    const rate = [0, 1].reduce((s, j) => s - f(ls[j]!) + 0.5 * (s2[j]! + mu[j]! ** 2) - 0.5, 0);
    // log p(x) = log N(x; bd, WdᵀWd + σ²I)
    const C = [0, 1, 2].map((i) =>
      [0, 1, 2].map(
        (j) =>
          [0, 1].reduce((s, l) => s + f(Wd[l * d + i]!) * f(Wd[l * d + j]!), 0) +
          (i === j ? sig2 : 0),
      ),
    );
    const r = x.map((xi, i) => xi - f(bd[i]!));
    const det =
      C[0]![0]! * (C[1]![1]! * C[2]![2]! - C[1]![2]! * C[2]![1]!) -
      C[0]![1]! * (C[1]![0]! * C[2]![2]! - C[1]![2]! * C[2]![0]!) +
      C[0]![2]! * (C[1]![0]! * C[2]![1]! - C[1]![1]! * C[2]![0]!);
    // Solve C y = r by Cramer's rule.
    const solve = (col: number) => {
      const M = C.map((row, i) => row.map((v, j) => (j === col ? r[i]! : v)));
      return (
        (M[0]![0]! * (M[1]![1]! * M[2]![2]! - M[1]![2]! * M[2]![1]!) -
          M[0]![1]! * (M[1]![0]! * M[2]![2]! - M[1]![2]! * M[2]![0]!) +
          M[0]![2]! * (M[1]![0]! * M[2]![1]! - M[1]![1]! * M[2]![0]!)) /
        det
      );
    };
    const quad = r.reduce((s, ri, i) => s + ri * solve(i), 0);
    const logPx = -0.5 * (d * LOG_2PI + Math.log(det) + quad);
    return { distortion: -expLogLik, rate, elbo: expLogLik - rate, logPx };
  })();

  const R = 20000;
  const batch = () => tf.tile(tf.tensor([x]), [R, 1]);

  it("analytic rate (estimator B) is the closed-form KL, and E[D] is the exact distortion", () => {
    const m = withWeights(linearVaeIR(d, k), weights);
    const xs = batch();
    const t = terms(m, xs, { kl: "analytic" });
    for (const r of t.r.slice(0, 5)) {
      expect(Math.abs(r - exact.rate)).toBeLessThanOrEqual(f32Bound(40, 4));
    }
    const dist = meanAndSe(t.d);
    expect(Math.abs(dist.mean - exact.distortion)).toBeLessThanOrEqual(4 * dist.se);
    xs.dispose();
    m.dispose();
  });

  it("Monte Carlo rate (estimator A) gives an unbiased ELBO within 4 standard errors", () => {
    const m = withWeights(linearVaeIR(d, k), weights);
    const xs = batch();
    const t = terms(m, xs, { kl: "monte_carlo", seed: 7 });
    const elbo = meanAndSe(Array.from(t.d, (di, i) => -(di + t.r[i]!)));
    expect(Math.abs(elbo.mean - exact.elbo)).toBeLessThanOrEqual(4 * elbo.se);
    const rate = meanAndSe(t.r);
    expect(Math.abs(rate.mean - exact.rate)).toBeLessThanOrEqual(4 * rate.se);
    xs.dispose();
    m.dispose();
  });

  it("averages L samples per point (sample-major), still unbiased", () => {
    const m = withWeights(linearVaeIR(d, k), weights);
    const rows = 2000;
    const xs = tf.tile(tf.tensor([x]), [rows, 1]);
    const t = terms(m, xs, { samples: 10, kl: "monte_carlo", seed: 3 });
    expect(t.d.length).toBe(rows);
    const elbo = meanAndSe(Array.from(t.d, (di, i) => -(di + t.r[i]!)));
    expect(Math.abs(elbo.mean - exact.elbo)).toBeLessThanOrEqual(4 * elbo.se);
    // Averaging 10 draws per point shrinks the per-point spread: SE·√rows is the per-point
    // standard deviation, which must be below that of single draws by about √10.
    const single = terms(m, xs, { samples: 1, kl: "monte_carlo", seed: 3 });
    const elbo1 = meanAndSe(Array.from(single.d, (di, i) => -(di + single.r[i]!)));
    expect(elbo.se).toBeLessThan(elbo1.se / 2);
    xs.dispose();
    m.dispose();
  });

  it("iw_bound(1) is the ELBO and iw_bound(50) lies between the ELBO and log p(x)", () => {
    const m = withWeights(linearVaeIR(d, k), weights);
    const rows = 4000;
    const xs = tf.tile(tf.tensor([x]), [rows, 1]);
    const t = terms(m, xs, { iwSamples: [1, 50], seed: 11 });
    const iw1 = meanAndSe(t.iw.get(1)!);
    expect(Math.abs(iw1.mean - exact.elbo)).toBeLessThanOrEqual(4 * iw1.se);
    const iw50 = meanAndSe(t.iw.get(50)!);
    expect(exact.logPx - exact.elbo).toBeGreaterThan(0.05);
    expect(iw50.mean).toBeLessThanOrEqual(exact.logPx + 4 * iw50.se);
    expect(iw50.mean - exact.elbo).toBeGreaterThan(4 * iw50.se);
    xs.dispose();
    m.dispose();
  });
});

describe("enumerate on the broken-ELBO toy", () => {
  const K = 5;
  const enc = Array.from(randomF32(K * K, 1, -2, 2));
  const dec = Array.from(randomF32(K * K, 2, -2, 2));
  const marg = Array.from(randomF32(K, 3, -1, 1));
  const xs = [0, 3, 4, 4, 1, 2];

  const logSoftmax = (row: number[]) => {
    const z = logSumExp(row);
    return row.map((v) => v - z);
  };
  const row = (t: number[], i: number) => t.slice(i * K, (i + 1) * K).map(Math.fround);

  function bruteForce(x: number) {
    const lq = logSoftmax(row(enc, x));
    const lp = logSoftmax(marg.map(Math.fround));
    let distortion = 0;
    let rate = 0;
    const joint: number[] = [];
    for (let z = 0; z < K; z++) {
      const q = Math.exp(lq[z]!);
      const lpx = logSoftmax(row(dec, z))[x]!;
      distortion -= q * lpx;
      rate += q * (lq[z]! - lp[z]!);
      joint.push(lp[z]! + lpx);
    }
    return { distortion, rate, logPx: logSumExp(joint) };
  }

  const model = () =>
    withWeights(brokenElboIR(K), {
      "net.encoder_table.table": enc,
      "net.decoder_table.table": dec,
      "param.marginal_logits": marg,
    });

  it("D, R and log p(x) equal a brute-force double loop over x and z", () => {
    const m = model();
    const x = tf.tensor(xs, [xs.length], "int32");
    const t = terms(m, x, { iwSamples: [3] }, enumerateTerms);
    xs.forEach((xv, b) => {
      const ref = bruteForce(xv);
      // Sums of K terms, each a few log-softmax operations on values of size ≤ ~6.
      const tol = f32Bound(8 * K + 16, 8);
      expect(Math.abs(t.d[b]! - ref.distortion)).toBeLessThanOrEqual(tol);
      expect(Math.abs(t.r[b]! - ref.rate)).toBeLessThanOrEqual(tol);
      expect(Math.abs(t.iw.get(3)![b]! - ref.logPx)).toBeLessThanOrEqual(tol);
    });
    x.dispose();
    m.dispose();
  });

  it("gives the exact gradient: ∂D/∂dec[z][j] = −Σ_b q(z|x_b)(1[j = x_b] − p(j|z)) / B", () => {
    const m = model();
    const x = tf.tensor(xs, [xs.length], "int32");
    const table = m.weights.get("net.decoder_table.table")!;
    const opts = { samples: 1, kl: "analytic", seed: 0, iwSamples: [] } as const;
    const { value, grads } = tf.variableGrads(
      () => tf.mean(enumerateTerms(m, x, opts).distortion) as never,
      [table],
    );
    const g = grads[table.name]!;
    value.dispose();
    const got = g.arraySync() as number[][];
    for (let z = 0; z < K; z++) {
      const pz = logSoftmax(row(dec, z)).map(Math.exp);
      for (let j = 0; j < K; j++) {
        let want = 0;
        for (const xv of xs) {
          const q = Math.exp(logSoftmax(row(enc, xv))[z]!);
          want -= (q * ((j === xv ? 1 : 0) - pz[j]!)) / xs.length;
        }
        expect(Math.abs(got[z]![j]! - want)).toBeLessThanOrEqual(f32Bound(8 * K + 16, 1));
      }
    }
    g.dispose();
    x.dispose();
    m.dispose();
  });
});

describe("estimatorFor", () => {
  it("maps names to estimators", () => {
    expect(estimatorFor("reparam")).toBe(reparamTerms);
    expect(estimatorFor("enumerate")).toBe(enumerateTerms);
    expect(estimatorFor("score")).toBe(scoreTerms);
  });
});
