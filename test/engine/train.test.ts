import { beforeAll, describe, expect, it } from "vitest";
import { loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import type { Dataset, DatasetSplits } from "../../src/data/types.js";
import { evaluateModel, trainModel } from "../../src/engine/train.js";
import type { NamedWeights, StepInfo } from "../../src/engine/types.js";
import { brokenElboIR, linearVaeIR, mnistVaeIR, train } from "./fixtures.js";
import { f32Bound, uniforms } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  tf = await loadTf();
});

/** Binary rows near one of two prototypes, each pixel flipped with probability 0.1. */
function prototypes(rows: number, dim: number, seed: number, source: string): Dataset {
  const u = uniforms(seed);
  const values = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const proto = u() < 0.5 ? 0 : 1;
    for (let j = 0; j < dim; j++) {
      const on = j < dim / 2 === (proto === 0);
      values[r * dim + j] = u() < 0.1 !== on ? 1 : 0;
    }
  }
  return { source, rows, dim, values };
}

function sameWeights(a: NamedWeights, b: NamedWeights): boolean {
  return Object.keys(a).every((k) => {
    const x = a[k]!.values;
    const y = b[k]!.values;
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  });
}

describe("trainModel on a small Bernoulli VAE", () => {
  const ir = mnistVaeIR(16, 8, 2);
  const data: DatasetSplits = {
    train: prototypes(400, 16, 1, "proto/train"),
    test: prototypes(200, 16, 2, "proto/test"),
    entropy: null,
  };
  const config = train({
    batch: 20,
    epochs: 10,
    optimizer: { name: "adam", lr: 0.01 },
    seed: 3,
    backend: "wasm",
  });

  it("decreases the loss, keeps tensor counts flat over 200 steps, and reports every epoch", async () => {
    const counts: number[] = [];
    const dataIds: number[] = [];
    const steps: StepInfo[] = [];
    const logs: string[] = [];
    let epochs = 0;
    const before = tf.memory().numTensors;
    const result = await trainModel(ir, data, config, {
      onStep: (s) => {
        steps.push(s);
        counts.push(tf.memory().numTensors);
        dataIds.push((tf.engine().backend as unknown as { numDataIds(): number }).numDataIds());
      },
      onEpoch: () => epochs++,
      log: (m) => logs.push(m),
    });
    expect(result.backend).toBe("wasm");
    expect(logs.some((l) => l.startsWith("backend: wasm"))).toBe(true);
    expect(steps.length).toBe(200);
    expect(steps[0]!.stepsPerEpoch).toBe(20);
    // The optimiser creates its moment estimates on the first step; after that nothing
    // may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    // Nor may buffers leak below the tensor level (kernel temporaries).
    expect(new Set(dataIds.slice(1)).size).toBe(1);
    expect(epochs).toBe(10);
    const h = result.history;
    expect(h.length).toBe(10);
    for (const m of h) {
      expect(m.test).not.toBeNull();
      expect(m.train.elbo).toBeCloseTo(-(m.train.rate + m.train.distortion), 9);
      expect(m.train.loss).toBeCloseTo(m.train.distortion + m.train.rate, 9);
      expect(m.train.rate).toBeGreaterThanOrEqual(0);
      expect(m.samples_per_second).toBeGreaterThan(0);
    }
    // 16 pixels start at ~16·log 2 ≈ 11 nats; two prototypes with 10% noise need
    // ≈ 16·H(0.1) + log 2 ≈ 6 nats. Training must get well below the start.
    expect(h[9]!.train.loss).toBeLessThan(h[0]!.train.loss - 1);
    expect(h[9]!.test!.loss).toBeLessThan(h[0]!.test!.loss - 1);
    // After training the loss is read (not NaN) at least every 10 steps.
    expect(steps.filter((s) => s.step % 10 === 0).every((s) => Number.isFinite(s.loss))).toBe(true);
    // All tensors of the run are released.
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is reproducible: same seed, identical weights; another seed, different weights", async () => {
    const short = { ...config, epochs: 2 };
    const a = await trainModel(ir, data, short);
    const b = await trainModel(ir, data, short);
    const c = await trainModel(ir, data, { ...short, seed: 4 });
    expect(sameWeights(a.weights, b.weights)).toBe(true);
    // Everything but wall-clock timings must repeat exactly.
    const untimed = (h: typeof a.history) =>
      h.map(({ seconds: _s, samples_per_second: _r, diagnostics, ...m }) => ({
        ...m,
        diagnostics: diagnostics && { ...diagnostics, seconds: 0 },
      }));
    expect(untimed(a.history)).toEqual(untimed(b.history));
    expect(sameWeights(a.weights, c.weights)).toBe(false);
  });

  it("evaluateModel reproduces the last epoch's held-out metrics from the exported weights", async () => {
    const r = await trainModel(ir, data, { ...config, epochs: 1 });
    const before = tf.memory().numTensors;
    const m = await evaluateModel(ir, r.weights, data.test!, {
      samples: config.samples,
      seed: config.seed,
      backend: "wasm",
    });
    expect(m).toEqual(r.history[0]!.test);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("trains with adagrad and sgd, and reports no held-out metrics without a held-out split", async () => {
    for (const name of ["adagrad", "sgd"] as const) {
      const r = await trainModel(
        ir,
        { train: data.train, entropy: null },
        {
          ...config,
          epochs: 1,
          optimizer: { name, lr: 0.05 },
        },
      );
      expect(r.history[0]!.test).toBeNull();
      expect(Number.isFinite(r.history[0]!.train.loss)).toBe(true);
    }
  });
});

describe("trainModel with exact enumeration (broken-ELBO toy)", () => {
  it("lowers the target-rate loss and keeps the ELBO below minus the empirical entropy", async () => {
    const K = 10;
    const u = uniforms(5);
    // A peaked distribution over K bins.
    const weights = Array.from({ length: K }, (_, i) => Math.exp(-0.5 * ((i - 4) / 2) ** 2));
    const total = weights.reduce((s, w) => s + w, 0);
    const rows = 600;
    const values = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let t = u() * total;
      let i = 0;
      while (i < K - 1 && t > weights[i]!) t -= weights[i++]!;
      values[r] = i;
    }
    const counts = new Array<number>(K).fill(0);
    values.forEach((v) => counts[v]!++);
    const empiricalEntropy = -counts.reduce(
      (s, c) => (c > 0 ? s + (c / rows) * Math.log(c / rows) : s),
      0,
    );
    const ir = brokenElboIR(K, 0.5);
    const result = await trainModel(
      ir,
      { train: { source: "toy", rows, dim: 1, values }, entropy: empiricalEntropy },
      { ...ir.train, batch: 200, epochs: 40, seed: 1, backend: "wasm" },
    );
    const h = result.history;
    expect(h[h.length - 1]!.train.loss).toBeLessThan(h[0]!.train.loss);
    // The empirical distribution maximises the average log-likelihood, and the ELBO is a
    // lower bound on it, so ELBO ≤ −Ĥ exactly (enumeration has no sampling noise).
    // Per-point terms are float32 sums over K values of size ≲ 10 (averaged in float64).
    const tol = f32Bound(8 * K + 16, 10);
    for (const m of h) expect(m.train.elbo).toBeLessThanOrEqual(-empiricalEntropy + tol);
  });
});

describe("trainModel on the linear VAE (Gaussian observations, learned noise)", () => {
  it("lowers the negative ELBO", async () => {
    const u = uniforms(9);
    const rows = 300;
    const d = 8;
    const values = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      // Two latent factors plus noise.
      const a = u() * 2 - 1;
      const b = u() * 2 - 1;
      for (let j = 0; j < d; j++)
        values[r * d + j] = a * (j % 2) + b * (j < 4 ? 1 : -1) + 0.1 * (u() - 0.5);
    }
    const ir = linearVaeIR(d, 2);
    const result = await trainModel(
      ir,
      { train: { source: "lin", rows, dim: d, values }, entropy: null },
      { ...ir.train, batch: 30, epochs: 8, optimizer: { name: "adam", lr: 0.02 }, backend: "wasm" },
    );
    const h = result.history;
    expect(h[h.length - 1]!.train.loss).toBeLessThan(h[0]!.train.loss - 1);
    expect(result.weights["param.log_sigma"]!.shape).toEqual([]);
  });
});
