import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Scalar, Tf } from "../../src/backends/tfjs/tf.js";
import {
  gradientVariance,
  reparamTerms,
  roleVariables,
} from "../../src/engine/estimators/index.js";
import { compileIR, modelWithRandomWeights, repeatRow } from "./helpers-estimators.js";
import { meanAndSe } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const GAUSSIAN = `
model G {
  data   x: binary[6]
  latent z: real[3]
  net enc = mlp(6 -> 8 -> (loc: 3, log_scale: 3), activation: tanh)
  net dec = mlp(3 -> 8 -> 6, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
}`;

/** Sample variance and its standard error, sqrt((m4 − s⁴) / n) (large-n normal theory). */
function varianceAndSe(xs: Float32Array): { v: number; se: number } {
  const { mean } = meanAndSe(xs);
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    m2 += (x - mean) ** 2;
    m4 += (x - mean) ** 4;
  }
  const n = xs.length;
  m2 /= n;
  m4 /= n;
  return { v: m2, se: Math.sqrt((m4 - m2 * m2) / n) };
}

describe("SGVB estimators A (Monte Carlo KL) and B (analytic KL)", () => {
  it("estimate the same ELBO, and B with lower variance (one data point, 20,000 draws)", () => {
    const ir = compileIR(GAUSSIAN);
    const m = modelWithRandomWeights(tf, ir, 5, 0.8);
    const draws = 20_000;
    const x = repeatRow(tf, [1, 0, 0, 1, 1, 0], draws);
    const elbo = (kl: "analytic" | "monte_carlo") =>
      tf.tidy(() => {
        const t = reparamTerms(m, x, { samples: 1, kl, seed: 42, iwSamples: [] });
        return tf.neg(tf.add(t.distortion, t.rate));
      });
    const a = elbo("monte_carlo");
    const b = elbo("analytic");
    const av = a.dataSync() as Float32Array;
    const bv = b.dataSync() as Float32Array;
    const ma = meanAndSe(av);
    const mb = meanAndSe(bv);
    // Same draws for both (same seed): the difference per draw is KL − (log q − log p),
    // whose mean is 0; its standard error bounds the discrepancy of the means.
    const diff = Float32Array.from(av, (v, i) => v - bv[i]!);
    const md = meanAndSe(diff);
    expect(Math.abs(md.mean)).toBeLessThan(4 * md.se);
    expect(Math.abs(ma.mean - mb.mean)).toBeLessThan(4 * Math.hypot(ma.se, mb.se));
    const va = varianceAndSe(av);
    const vb = varianceAndSe(bv);
    expect(va.v - vb.v).toBeGreaterThan(4 * Math.hypot(va.se, vb.se));
    tf.dispose([a, b, x]);
    m.dispose();
  });

  it("B gives a lower-variance encoder gradient than A on the same draws", async () => {
    const ir = compileIR(GAUSSIAN);
    const m = modelWithRandomWeights(tf, ir, 6, 0.8);
    const x = repeatRow(tf, [0, 1, 1, 0, 1, 0], 20);
    const vars = roleVariables(m, ir.encoder);
    const seeds = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const loss = (kl: "analytic" | "monte_carlo") => (seed: number) => {
      const t = reparamTerms(m, x, { samples: 1, kl, seed, iwSamples: [] });
      return tf.mean(tf.add(t.distortion, t.rate)) as Scalar;
    };
    const va = await gradientVariance(m, loss("monte_carlo"), vars, seeds);
    const vb = await gradientVariance(m, loss("analytic"), vars, seeds);
    // Trace of a covariance over many coordinates with 59 degrees of freedom each: a
    // reversal needs a ratio beyond the F(59, 59) 0.999 quantile (≈ 2.3).
    expect(vb * 2.3).toBeLessThan(va);
    x.dispose();
    m.dispose();
  });
});
