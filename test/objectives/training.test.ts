import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Scalar, Tf } from "../../src/backends/tfjs/tf.js";
import type { DatasetSplits } from "../../src/data/types.js";
import {
  evaluateObjective,
  reparamTerms,
  tensorAlgebra,
} from "../../src/engine/estimators/index.js";
import { deriveSeed } from "../../src/engine/rng.js";
import { trainModel } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import {
  compileIR,
  flatGradient,
  modelWithRandomWeights,
  repeatRow,
} from "../engine/helpers-estimators.js";
import { uniforms } from "../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const SMALL = `
objective mine(a) = distortion + max(rate, a)

model S {
  data   x: binary[8]
  latent z: real[2]
  net enc = mlp(8 -> 6 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 6 -> 8, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
}`;

/** Rows near one of two prototypes (each bit flipped with probability 0.1). */
function protoData(rows: number, seed: number): DatasetSplits {
  const u = uniforms(seed);
  const values = new Float32Array(rows * 8);
  for (let r = 0; r < rows; r++) {
    const proto = u() < 0.5;
    for (let j = 0; j < 8; j++) values[r * 8 + j] = (j < 4 === proto) !== u() < 0.1 ? 1 : 0;
  }
  return { train: { source: "proto", rows, dim: 8, values }, entropy: null };
}

const config = (ir: ModelIR, epochs: number) => ({
  ...ir.train,
  batch: 50,
  epochs,
  optimizer: { name: "adam" as const, lr: 0.01 },
  backend: "wasm",
  seed: 1,
});

describe("objectives train end to end", () => {
  it("iwae(k: 5): gradients reach every weight and training raises the bound", async () => {
    const ir = compileIR(SMALL, "iwae(k: 5)");
    const m = modelWithRandomWeights(tf, ir, 3);
    const x = repeatRow(tf, [1, 1, 1, 1, 0, 0, 0, 0], 10);
    const g = flatGradient(
      m,
      () =>
        evaluateObjective(ir.objective.expr, tensorAlgebra(tf), {
          distortion: tf.scalar(0),
          rate: tf.scalar(0),
          entropy: tf.scalar(0),
          iwBound: (k) =>
            tf.mean(
              reparamTerms(m, x, { samples: 1, kl: "analytic", seed: 2, iwSamples: [k] }).iw.get(
                k,
              )!,
            ),
        }) as Scalar,
    );
    // Every weight (encoder through the reparameterised draws, decoder directly).
    let offset = 0;
    for (const spec of m.specs) {
      const n = spec.shape.reduce((p, d) => p * d, 1);
      const norm = Math.hypot(...g.subarray(offset, offset + n));
      expect(norm, spec.name).toBeGreaterThan(0);
      offset += n;
    }
    x.dispose();
    m.dispose();

    const result = await trainModel(ir, protoData(500, 1), config(ir, 8));
    const losses = result.history.map((h) => h.train.loss);
    // loss = −iw_bound(5) on all 500 rows with a fixed evaluation seed; the prototypes are
    // learnable, so the bound rises by nats, far beyond its Monte Carlo error.
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
    // The IWAE bound is at least the ELBO (Burda et al. 2016, Theorem 1), up to MC error.
    const last = result.history.at(-1)!.train;
    expect(-last.loss).toBeGreaterThan(last.elbo - 0.1);
  }, 60_000);

  it("a user objective with max trains: distortion + max(rate, a)", async () => {
    const ir = compileIR(SMALL, "mine(a: 1)");
    expect(ir.objective.linear).toBeNull();
    const result = await trainModel(ir, protoData(500, 2), config(ir, 8));
    const h = result.history;
    expect(h.at(-1)!.train.loss).toBeLessThan(h[0]!.train.loss - 0.5);
    // The loss is reported on the split's mean terms: D + max(R, 1).
    for (const e of h) {
      expect(e.train.loss).toBeCloseTo(e.train.distortion + Math.max(e.train.rate, 1), 4);
    }
  }, 60_000);

  it("min, abs and / in user objectives evaluate as written", async () => {
    const ir = compileIR(SMALL, "distortion + min(rate, 2) / 2 + abs(rate - 3)");
    const result = await trainModel(ir, protoData(200, 3), config(ir, 2));
    for (const e of result.history) {
      const { distortion: d, rate: r, loss } = e.train;
      expect(loss).toBeCloseTo(d + Math.min(r, 2) / 2 + Math.abs(r - 3), 4);
    }
  }, 60_000);
});

/**
 * infomax(λ) = (1 + λ)·D + R − (1 + λ)·H = (1 + λ)·beta_vae(1/(1 + λ)) + constant, so its
 * gradient is the beta-VAE gradient times s = 1 + λ. Adam's step m̂/(√v̂ + ε) is invariant
 * to that scale except through ε: with s·g it is m̂/(√v̂ + ε/s). The training loop below
 * is the engine's (same estimator, same objective evaluator, same per-step seeds) with
 * Adam's ε set to 1e-30, far below every √v̂, so the two runs differ only by float32
 * rounding of their gradients (a few ulps relative, from forming (1 + λ)·D + R instead
 * of D + R/(1 + λ)). Adam normalises each step to about lr, so T steps may differ by at
 * most T·lr·δ with δ the relative disagreement of m̂/√v̂; δ = 1e-4 allows ~1,700 ulps,
 * i.e. a gradient component cancelling ~100-fold. A beta 5% off must differ by far more.
 */
describe("infomax(λ) and beta_vae(1/(1 + λ)) under Adam", () => {
  const steps = 8;
  const lr = 0.01;

  function trajectory(objective: string, epsilon: number): NamedWeights {
    const ir = compileIR(SMALL, objective);
    const m = modelWithRandomWeights(tf, ir, 7);
    const data = protoData(50, 4).train;
    const x = tf.tensor2d(data.values, [50, 8]);
    const opt = tf.train.adam(lr, 0.9, 0.999, epsilon);
    for (let t = 0; t < steps; t++) {
      const seed = deriveSeed(1, "step", t);
      const cost = opt.minimize(
        () => {
          const terms = reparamTerms(m, x, { samples: 1, kl: "analytic", seed, iwSamples: [] });
          return evaluateObjective(ir.objective.expr, tensorAlgebra(tf), {
            distortion: tf.mean(terms.distortion),
            rate: tf.mean(terms.rate),
            entropy: tf.scalar(5.5), // any constant: H must not matter
            iwBound: () => tf.scalar(0),
          }) as Scalar;
        },
        true,
        [...m.trainable],
      );
      cost?.dispose();
    }
    const w: NamedWeights = {};
    for (const spec of m.specs) {
      const v = m.weights.get(spec.name)!;
      w[spec.name] = { shape: [...v.shape], values: new Float32Array(v.dataSync()) };
    }
    opt.dispose();
    x.dispose();
    m.dispose();
    return w;
  }

  const maxDiff = (a: NamedWeights, b: NamedWeights) =>
    Math.max(
      ...Object.keys(a).map((k) =>
        Math.max(...a[k]!.values.map((v, i) => Math.abs(v - b[k]!.values[i]!))),
      ),
    );

  for (const lambda of [1, 3]) {
    it(`λ = ${lambda}: the same weights after ${steps} steps, up to float32 rounding`, () => {
      const beta = 1 / (1 + lambda);
      const tol = steps * lr * 1e-4;
      const info = trajectory(`infomax(lambda: ${lambda})`, 1e-30);
      const bvae = trajectory(`beta_vae(beta: ${beta})`, 1e-30);
      expect(maxDiff(info, bvae)).toBeLessThan(tol);
      const off = trajectory(`beta_vae(beta: ${beta * 1.05})`, 1e-30);
      expect(maxDiff(info, off)).toBeGreaterThan(100 * tol);
    });
  }

  it("with the engine's ε = 1e-8 the runs still agree to within T·lr·ε(1 − 1/s)/min √v̂", async () => {
    // Through trainModel itself: the bound needs the smallest √v̂, unknown in advance; a
    // gradient component of 1e-4 or more (true of this model's weights at this scale)
    // bounds the per-step difference by lr·1e-8/1e-4 = lr·1e-4 on top of rounding.
    const run = async (objective: string) => {
      const ir = compileIR(SMALL, objective);
      return (await trainModel(ir, protoData(50, 4), { ...config(ir, steps), batch: 50 })).weights;
    };
    const info = await run("infomax(lambda: 1)");
    const bvae = await run("beta_vae(beta: 0.5)");
    const off = await run("beta_vae(beta: 0.525)");
    const tol = steps * lr * 2e-4;
    expect(maxDiff(info, bvae)).toBeLessThan(tol);
    expect(maxDiff(info, off)).toBeGreaterThan(10 * tol);
  }, 60_000);
});
