import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import {
  exactLogLikelihood,
  importanceLogLikelihood,
  latentRowBudget,
  logAddExp,
} from "../../src/engine/diagnostics/index.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import {
  exactPosteriorEncoder,
  linearElbo,
  linearLogPx,
  linearWeightRecord,
  withWeights,
  type LinearWeights,
} from "./diagnostics-fixtures.js";
import { brokenElboIR, linearVaeIR, mnistVaeIR, randomBinary } from "./fixtures.js";
import { f32Bound, logSumExp, meanAndSe, randomF32 } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const d = 3;
const k = 2;
const x = [1.0, -0.5, 0.7];
/** An encoder that is not the posterior, so log p(x) − ELBO is well above zero. */
const off: LinearWeights = {
  We: [0.5, -0.2, 0.1, 0.4, -0.3, 0.2],
  be: [0.1, -0.1],
  ls: [-0.7, -0.2],
  Wd: [0.8, -0.5, 0.3, 0.2, 0.6, -0.4],
  bd: [0.2, 0, -0.3],
  logSigma: -0.4,
};

async function estimate(w: LinearWeights, rows: number, samples: number, seed: number, cap = 4096) {
  const m = withWeights(tf, linearVaeIR(d, k), linearWeightRecord(w));
  const xs = tf.tile(tf.tensor([x]), [rows, 1]);
  const est = await importanceLogLikelihood(m, xs, { samples, seed, maxLatentRows: cap });
  xs.dispose();
  m.dispose();
  return est;
}

describe("logAddExp", () => {
  it("is log(e^a + e^b) with −∞ as identity, without overflow", () => {
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(2, -Infinity)).toBe(2);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
  });
});

describe("importance-sampled log p(x) on the linear-Gaussian VAE", () => {
  const logPx = linearLogPx(off, x, k);
  const elbo = linearElbo(off, x, k);

  it("is exact for every k and every chunking when q(z|x) is the true posterior", async () => {
    // Orthogonal decoder rows make the posterior diagonal, so the encoder can equal it and
    // every weight p(x, z)/q(z|x) is p(x): the streamed log-sum-exp must return it exactly.
    const Wd = [0.5, 1.0, 0, 0.6, -0.3, 0.3];
    const bd = [0.2, 0, -0.3];
    const w: LinearWeights = { ...exactPosteriorEncoder(Wd, bd, -0.4, k), Wd, bd, logSigma: -0.4 };
    const exact = linearLogPx(w, x, k);
    for (const [samples, cap] of [
      [1, 4096],
      [5000, 777],
      [5000, 5000],
    ] as const) {
      const est = await estimate(w, 3, samples, 5, cap);
      // Each log weight is a sum of ~30 float32 operations on terms of magnitude ≤ ~30.
      for (const v of est) expect(Math.abs(v - exact)).toBeLessThanOrEqual(f32Bound(64, 32));
    }
  });

  it("with k = 1 averages to the ELBO", async () => {
    const est = meanAndSe(await estimate(off, 20000, 1, 11));
    expect(Math.abs(est.mean - elbo)).toBeLessThanOrEqual(4 * est.se);
  });

  it("increases with k in expectation and stays between the ELBO and log p(x)", async () => {
    expect(logPx - elbo).toBeGreaterThan(0.05);
    const ks = [1, 5, 50, 500];
    const means: { mean: number; se: number }[] = [];
    for (const [i, kk] of ks.entries())
      means.push(meanAndSe(await estimate(off, 2000, kk, 100 + i)));
    for (let i = 1; i < ks.length; i++) {
      const se = Math.hypot(means[i]!.se, means[i - 1]!.se);
      expect(means[i]!.mean).toBeGreaterThanOrEqual(means[i - 1]!.mean - 4 * se);
      expect(means[i]!.mean - elbo).toBeGreaterThan(-4 * means[i]!.se);
      expect(means[i]!.mean).toBeLessThanOrEqual(logPx + 4 * means[i]!.se);
    }
    // Strictly better than the ELBO once k is large: the gap closes by more than 4 SE.
    expect(means[3]!.mean - means[0]!.mean).toBeGreaterThan(
      4 * Math.hypot(means[3]!.se, means[0]!.se),
    );
  });

  it("with k = 5000 matches the closed-form log p(x) within its standard error and bias", async () => {
    const rows = meanAndSe(await estimate(off, 64, 5000, 21, 50000));
    // Per row, log p̂ = log p + log(1 + ε) with Var ε = V/k: the rows' spread estimates
    // √(V/k) and the delta method gives the bias −V/(2k) ≈ −sd²/2.
    const sd = rows.se * Math.sqrt(64);
    const bias = (sd * sd) / 2;
    expect(rows.mean).toBeLessThanOrEqual(logPx + 4 * rows.se);
    expect(rows.mean).toBeGreaterThanOrEqual(logPx - bias - 4 * rows.se);
    // And far closer than the ELBO is.
    expect(Math.abs(rows.mean - logPx)).toBeLessThan((logPx - elbo) / 10);
  });
});

describe("exact log p(x) under enumeration", () => {
  it("equals log Σ_z p(z) p(x|z) computed by brute force", async () => {
    const K = 5;
    const enc = Array.from(randomF32(K * K, 1, -2, 2));
    const dec = Array.from(randomF32(K * K, 2, -2, 2));
    const marg = Array.from(randomF32(K, 3, -1, 1));
    const m = withWeights(tf, brokenElboIR(K), {
      "net.encoder_table.table": enc,
      "net.decoder_table.table": dec,
      "param.marginal_logits": marg,
    });
    const xs = [0, 3, 4, 4, 1, 2, 2];
    const xt = tf.tensor(xs, [xs.length], "int32");
    // Blocks of 2 rows (10 latent rows / K) exercise the row chunking.
    const got = await exactLogLikelihood(m, xt, 10);
    const lsm = (r: number[]) => r.map((v) => v - logSumExp(r));
    const lp = lsm(marg.map(Math.fround));
    xs.forEach((xv, b) => {
      const joint = lp.map(
        (lpz, z) => lpz + lsm(dec.slice(z * K, (z + 1) * K).map(Math.fround))[xv]!,
      );
      expect(Math.abs(got[b]! - logSumExp(joint))).toBeLessThanOrEqual(f32Bound(8 * K + 16, 8));
    });
    xt.dispose();
    m.dispose();
  });
});

describe("memory of the importance-sampled estimate", () => {
  it("does not grow with k: k = 5000 peaks where one chunk does, below one unchunked tensor", async () => {
    const dim = 64;
    const ir = mnistVaeIR(dim, 32, 4);
    const m = compileModel(ir, tf, 1);
    const rows = 4;
    const x = tf.tensor(randomBinary(rows, dim, 7), [rows, dim]);
    const cap = 1000;
    const peak = async (samples: number) => {
      const info = await tf.profile(async () => {
        await importanceLogLikelihood(m, x, { samples, seed: 3, maxLatentRows: cap });
      });
      return info.peakBytes;
    };
    const base = tf.memory().numBytes;
    const oneChunk = await peak(cap);
    const many = await peak(5000);
    // Every chunk has the same shapes ([cap, width] at most), so the peak is the same.
    expect(many).toBe(oneChunk);
    // Holding all k·B decoder outputs at once would need 5000·4·64 float32s for one tensor.
    expect(many - base).toBeLessThan(5000 * rows * dim * 4);
    expect(tf.memory().numBytes).toBe(base);
    x.dispose();
    m.dispose();
  });

  it("sizes chunks by the widest row of the model", () => {
    expect(latentRowBudget(mnistVaeIR(784, 400, 20), 2 ** 21)).toBe(Math.floor(2 ** 21 / 784));
    expect(latentRowBudget(linearVaeIR(64, 4), 640)).toBe(10);
  });
});
