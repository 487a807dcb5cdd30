/**
 * `prior p(c) = Categorical(logits: 0)`: the natural uniform prior over categorical<K>.
 * The backends broadcast the scalar to K logits, so the engine and the generated module see
 * log p(c) = log(1/K), and a model with it trains.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import { isEnumerable } from "../../src/backends/tfjs/distributions/index.js";
import { modelWeightSpecs, netWeightName } from "../../src/backends/tfjs/layout.js";
import { generateTypeScript } from "../../src/backends/typescript/index.js";
import type { Dataset } from "../../src/data/types.js";
import { evaluateModel, trainModel } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { compileSource } from "../../src/frontend.js";
import type { ModelIR } from "../../src/ir/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, "../backends/typescript/.generated");
/** float32 unit roundoff. */
const U = 2 ** -24;
const K = 3;
const X = 4;

const model = (prior: string, extra = "") => `
model UniformPrior {
  data   x: categorical<${X}>
  latent c: categorical<${K}>
  ${extra}
  net enc = table(${X} -> ${K})
  net dec = table(${K} -> ${X})
  prior   p(c)   = Categorical(${prior})
  encoder q(c|x) = Categorical(logits: enc(x))
  decoder p(x|c) = Categorical(logits: dec(c))
  train { estimator: enumerate  optimizer: adam(lr: 0.1)  batch: 50  epochs: 15 }
}`;

function irOf(source: string): ModelIR {
  const r = compileSource(source, "uniform.vae");
  expect(r.diagnostics).toEqual([]);
  return r.ir!;
}

/** A seeded stream of uniforms in [0, 1) (mulberry32). */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const scalar = irOf(model("logits: 0"));
const rows = 200;
const next = uniforms(7);
// Skewed towards x = 0 so that a model has something to learn.
const values = Float32Array.from({ length: rows }, () =>
  Math.min(X - 1, Math.floor(next() ** 2 * X)),
);
const data: Dataset = { source: "test rows", rows, dim: 1, values };

/** Table entries U(−2, 2): far from uniform, so q carries information. */
function randomWeights(ir: ModelIR, seed: number): NamedWeights {
  const u = uniforms(seed);
  const out: NamedWeights = {};
  for (const s of modelWeightSpecs(ir)) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    out[s.name] = { shape: s.shape, values: Float32Array.from({ length: n }, () => 4 * u() - 2) };
  }
  return out;
}

/** float64 log-softmax of one row. */
function logSoftmax(row: ArrayLike<number>): number[] {
  const xs = Array.from(row);
  const m = Math.max(...xs);
  const lse = m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
  return xs.map((v) => v - lse);
}

/** The entropy of the rows' empirical distribution, in nats: the least −ELBO any model reaches. */
function empiricalEntropy(): number {
  const counts = new Array<number>(X).fill(0);
  for (const x of values) counts[x]!++;
  return -counts.reduce((s, c) => (c === 0 ? s : s + (c / rows) * Math.log(c / rows)), 0);
}

beforeAll(async () => {
  await initBackend("cpu");
});

describe("Categorical(logits: 0) as a prior", () => {
  it("gives log p(c) = log(1/K) from a scalar logit or probability", async () => {
    const tf = await loadTf();
    for (const prior of ["logits: 0", "logits: -3.5", "probs: 0.5"]) {
      const ir = irOf(model(prior));
      // The IR keeps the parameter as written; the backend broadcasts it.
      expect(ir.prior.params[prior.split(":")[0]!]!.shape).toEqual([]);
      const m = compileModel(ir, tf, 0);
      const lp = tf.tidy(() => {
        const p = m.distribution("prior", {});
        if (!isEnumerable(p.dist)) throw new Error("Categorical is enumerable");
        expect(p.dist.categories(p.params)).toBe(K);
        return p.dist.logProbs(tf, p.params).dataSync();
      });
      m.dispose();
      expect(lp).toHaveLength(K);
      // log-softmax of K equal values: a K-term log-sum-exp, ≤ 2K·u·log K.
      for (const l of lp) expect(Math.abs(l - Math.log(1 / K)), prior).toBeLessThan(2 * K * U);
    }
  });

  it("gives the closed-form rate Σ q log q + log K and the twin with zero logits' terms", async () => {
    const weights = randomWeights(scalar, 3);
    const got = await evaluateModel(scalar, weights, data, { samples: 1, seed: 0, backend: "cpu" });
    // R = E_x KL[q(c|x) ‖ U{K}] = E_x [Σ_k q_k log q_k] + log K, in float64.
    const table = weights[netWeightName("enc", "table")]!.values;
    let rate = 0;
    for (const x of values) {
      const lq = logSoftmax(table.subarray(x * K, (x + 1) * K));
      rate += lq.reduce((s, l) => s + Math.exp(l) * l, 0) + Math.log(K);
    }
    rate /= rows;
    // Per row a K-term sum over a K-term log-sum-exp (≤ 2K·u relative to the magnitudes,
    // bounded by log K + max|logit| ≤ 5), then a mean over N rows (≤ N·u).
    expect(Math.abs(got.rate - rate)).toBeLessThan((2 * K + rows) * U * 5);
    expect(rate).toBeGreaterThan(0.05);

    const twin = irOf(model("logits: u", `param u: real[${K}] = 0`));
    const twinWeights = {
      ...weights,
      [modelWeightSpecs(twin).find((s) => s.name.includes("u"))!.name]: {
        shape: [K],
        values: new Float32Array(K),
      },
    };
    const expected = await evaluateModel(twin, twinWeights, data, {
      samples: 1,
      seed: 0,
      backend: "cpu",
    });
    // The same float32 operations on the same values: equal to the bit.
    expect(got.rate).toBe(expected.rate);
    expect(got.distortion).toBe(expected.distortion);
  });

  it("trains to the entropy of the data, the least −ELBO, with a rate ≥ 0", async () => {
    const result = await trainModel(
      scalar,
      { train: data, entropy: null },
      { ...scalar.train, backend: "cpu", seed: 1 },
    );
    const losses = result.history.map((h) => h.train.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Untrained, the tables are near zero and the loss near log X; training brings it to
    // the least −ELBO possible, the rows' entropy. A prior not normalised to 1/K would
    // make the rate negative and let the loss pass below that bound.
    expect(losses[0]!).toBeLessThan(Math.log(X) - 0.05);
    const h = empiricalEntropy();
    expect(losses.at(-1)!).toBeGreaterThan(h - 1e-4);
    expect(losses.at(-1)!).toBeLessThan(h + 0.01);
    for (const e of result.history) expect(e.train.rate).toBeGreaterThanOrEqual(-1e-6);
  }, 60_000);

  it("generated code computes the engine's terms", async () => {
    const g = await generateTypeScript(scalar);
    expect(g.diagnostics).toEqual([]);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, ".gitignore"), "*\n!.gitignore\n");
    const mjs = join(OUT, "uniform-prior.mjs");
    const js = ts.transpileModule(g.code!, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(mjs, js.outputText);
    const m = await import(pathToFileURL(mjs).href);
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    const weights = randomWeights(scalar, 5);
    const engine = await evaluateModel(scalar, weights, data, {
      samples: 1,
      seed: 0,
      backend: "cpu",
    });
    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const logPrior = Array.from(await tf.logSoftmax(m.priorParams(w).logits).data()) as number[];
    for (const l of logPrior) expect(Math.abs(l - Math.log(1 / K))).toBeLessThan(4 * K * U);
    const t = m.terms(w, tf.tensor1d(Int32Array.from(values), "int32"));
    const distortion = (await t.distortion.data())[0];
    const rate = (await t.rate.data())[0];
    // Same float32 operations but for how the batch mean accumulates: (2K + N)·u per side.
    const tol = (v: number) => 2 * (2 * Math.max(K, X) + rows) * U * Math.max(Math.abs(v), 1);
    expect(Math.abs(distortion - engine.distortion)).toBeLessThan(tol(engine.distortion));
    expect(Math.abs(rate - engine.rate)).toBeLessThan(tol(engine.rate));
  });
});
