import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Scalar, Tf } from "../../src/backends/tfjs/tf.js";
import type { DatasetSplits } from "../../src/data/types.js";
import {
  evaluateObjective,
  freeBitsRate,
  numberAlgebra,
  reparamTerms,
  scheduleFactor,
  scoreTerms,
  trainingRate,
} from "../../src/engine/estimators/index.js";
import { trainModel } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import {
  compileIR,
  flatGradient,
  modelWithRandomWeights,
  repeatRow,
} from "./helpers-estimators.js";
import { uniforms } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

/** q(z|x) = N(enc_loc, 1) with a free mean per dimension: KL_j = enc_loc_j² / 2 exactly. */
const FIXED_Q = `
model F {
  data   x: binary[2]
  latent z: real[3]
  param enc_loc: real[3] = 0
  net dec = linear(3 -> 2)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc_loc, scale: 1)
  decoder p(x|z) = Bernoulli(logits: dec(z))
}`;

describe("free bits", () => {
  for (const kl of ["analytic", "monte_carlo"] as const) {
    it(`clamps each dimension's rate at λ: no rate gradient below it (kl: ${kl})`, () => {
      const ir = compileIR(FIXED_Q);
      const m = modelWithRandomWeights(tf, ir, 1);
      const loc = [0.1, 2, -0.3];
      m.weights.get("param.enc_loc")!.assign(tf.tensor1d(loc));
      const locVar = m.weights.get("param.enc_loc")!;
      const x = repeatRow(tf, [1, 0], kl === "analytic" ? 4 : 4000);
      const lambda = 0.5;
      const rate = (freeBits?: number) => () =>
        tf.tidy(() => {
          const terms = reparamTerms(m, x, {
            samples: 1,
            kl,
            seed: 3,
            iwSamples: [],
            rateByDimension: true,
          });
          return trainingRate(tf, terms, freeBits === undefined ? {} : { freeBits }, 0) as Scalar;
        });
      const g = flatGradient(m, rate(lambda), [locVar]);
      const g0 = flatGradient(m, rate(), [locVar]);
      // KL_j = loc_j²/2 = (0.005, 2, 0.045): dimensions 0 and 2 sit below λ.
      expect(g[0]).toBe(0);
      expect(g[2]).toBe(0);
      // Above λ the gradient is d(loc²/2)/dloc = loc, as without free bits. Monte Carlo:
      // with z = loc + ε, log q − log p = (z² − ε²)/2 has pathwise gradient z = loc + ε,
      // whose mean over 4,000 draws has standard error 1/√4000.
      const tol = kl === "analytic" ? 1e-5 : 4 / Math.sqrt(4000);
      expect(Math.abs(g[1]! - 2)).toBeLessThan(tol);
      expect(Math.abs(g0[1]! - g[1]!)).toBeLessThan(1e-5);
      expect(Math.abs(g0[0]!)).toBeGreaterThan(0);
      const value = tf.tidy(() => rate(lambda)().dataSync()[0]!);
      if (kl === "analytic") expect(value).toBeCloseTo(lambda + 2 + lambda, 5);
      x.dispose();
      m.dispose();
    });
  }

  it("sums max(λ, batch-mean KL_j) over dimensions", () => {
    const dims = tf.tensor2d([
      [0.2, 3],
      [0.4, 1],
    ]);
    expect(freeBitsRate(tf, dims, 0.5).dataSync()[0]).toBeCloseTo(0.5 + 2, 6);
    dims.dispose();
  });

  it("works with the score-function estimator (per-dimension Monte Carlo rate)", () => {
    const ir = compileIR(`
model B {
  data   x: binary[2]
  latent z: binary[3]
  param enc_logits: real[3] = 0
  net dec = linear(3 -> 2)
  prior   p(z)   = Bernoulli(probs: 0.5)
  encoder q(z|x) = Bernoulli(logits: enc_logits)
  decoder p(x|z) = Bernoulli(logits: dec(z))
  train { estimator: score, kl: monte_carlo }
}`);
    const m = modelWithRandomWeights(tf, ir, 2);
    m.weights.get("param.enc_logits")!.assign(tf.tensor1d([0.05, 4, -0.1]));
    const x = repeatRow(tf, [0, 1], 200);
    const g = flatGradient(
      m,
      () =>
        trainingRate(
          tf,
          scoreTerms(m, x, {
            samples: 1,
            kl: "monte_carlo",
            seed: 5,
            iwSamples: [],
            rateByDimension: true,
          }),
          { freeBits: 0.3 },
          0,
        ) as Scalar,
      [m.weights.get("param.enc_logits")!],
    );
    // KL_j of Bernoulli(σ(l)) from Bernoulli(0.5) is ≈ l²/8 near 0: far below 0.3 for the
    // first and last dimension (clamped: exactly 0), ≈ 0.68 nats for the middle one.
    expect(g[0]).toBe(0);
    expect(g[2]).toBe(0);
    expect(g[1]).not.toBe(0);
    x.dispose();
    m.dispose();
  });
});

describe("schedules", () => {
  it("scheduleFactor rises linearly from 0 to 1 over the given epochs, then stays at 1", () => {
    expect(scheduleFactor(0, 4)).toBe(0);
    expect(scheduleFactor(1, 4)).toBe(0.25);
    expect(scheduleFactor(6, 4)).toBe(1);
    expect(scheduleFactor(0, undefined)).toBe(1);
  });

  it("anneal(c) inside capacity scales c; without a factor it is c", () => {
    const ir = compileIR(FIXED_Q, "capacity(gamma: 10, c: 4)");
    const terms = { distortion: 100, rate: 3, entropy: 0, iwBound: () => 0 };
    const at = (annealFactor?: number) =>
      evaluateObjective(ir.objective.expr, numberAlgebra, {
        ...terms,
        ...(annealFactor !== undefined && { annealFactor }),
      });
    expect(at(0)).toBe(100 + 10 * 3);
    expect(at(0.5)).toBe(100 + 10 * 1);
    expect(at()).toBe(100 + 10 * 1);
    expect(at(1)).toBe(100 + 10 * 1);
  });
});

/** 40 binary rows, one minibatch: epoch e is exactly one step at progress e − 1. */
function tinyData(): DatasetSplits {
  const u = uniforms(9);
  const values = Float32Array.from({ length: 40 * 6 }, () => (u() < 0.4 ? 1 : 0));
  return { train: { source: "tiny", rows: 40, dim: 6, values }, entropy: null };
}

const SMALL = `
model S {
  data   x: binary[6]
  latent z: real[2]
  net enc = mlp(6 -> 5 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 5 -> 6, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
}`;

async function trainedWeights(objective: string, extra: object, epochs: number) {
  const ir = compileIR(SMALL, objective);
  const config = {
    ...ir.train,
    batch: 40,
    epochs,
    optimizer: { name: "adam" as const, lr: 0.01 },
    backend: "wasm",
    seed: 4,
    ...extra,
  };
  return (await trainModel(ir, tinyData(), config)).weights;
}

function maxAbsDiff(a: NamedWeights, b: NamedWeights): number {
  let d = 0;
  for (const k of Object.keys(a)) {
    a[k]!.values.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k]!.values[i]!))));
  }
  return d;
}

describe("loss shaping in trainModel", () => {
  it("warm-up: the first step (t = 0) has no rate, later steps do", async () => {
    const warm = await trainedWeights("elbo", { warmup: 4 }, 1);
    const noRate = await trainedWeights("distortion", {}, 1);
    const elbo = await trainedWeights("elbo", {}, 1);
    // Same seed, same draws, the same loss graph up to the rate's weight 0: bitwise equal.
    expect(maxAbsDiff(warm, noRate)).toBe(0);
    expect(maxAbsDiff(warm, elbo)).toBeGreaterThan(0);
    const warm3 = await trainedWeights("elbo", { warmup: 4 }, 3);
    const noRate3 = await trainedWeights("distortion", {}, 3);
    expect(maxAbsDiff(warm3, noRate3)).toBeGreaterThan(0);
  });

  it("free bits far above every dimension's KL train like the distortion alone", async () => {
    const fb = await trainedWeights("elbo", { freeBits: 1e4 }, 3);
    const noRate = await trainedWeights("distortion", {}, 3);
    expect(maxAbsDiff(fb, noRate)).toBe(0);
  });

  it("anneal: capacity starts at C = 0", async () => {
    const annealed = await trainedWeights("capacity(gamma: 3, c: 5)", { anneal: 2 }, 1);
    const zero = await trainedWeights("distortion + 3 * abs(rate)", {}, 1);
    const full = await trainedWeights("capacity(gamma: 3, c: 5)", {}, 1);
    expect(maxAbsDiff(annealed, zero)).toBe(0);
    expect(maxAbsDiff(annealed, full)).toBeGreaterThan(0);
  });
});
