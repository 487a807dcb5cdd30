import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { CompiledModel } from "../../src/backends/tfjs/compile.js";
import type { Scalar, Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import { resolveDataset } from "../../src/data/datasets.js";
import type { Dataset } from "../../src/data/types.js";
import {
  enumerateTerms,
  estimatorFor,
  evaluateObjective,
  roleVariables,
  ScoreBaselines,
  scoreTerms,
  scoreVarianceReport,
  stopGradient,
  tensorAlgebra,
  type Estimator,
  type EstimatorOptions,
} from "../../src/engine/estimators/index.js";
import { trainModel } from "../../src/engine/train.js";
import { compileFile } from "../../src/frontend.js";
import type { ModelIR } from "../../src/ir/types.js";
import { brokenElboIR } from "./fixtures.js";
import {
  compileIR,
  flatGradient,
  modelWithRandomWeights,
  repeatRow,
  vectorMeanSe,
} from "./helpers-estimators.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

/** Three Bernoulli latents (8 joint values): exact expectations by enumeration are cheap. */
const TINY = `
model Tiny {
  data   x: binary[4]
  latent z: binary[3]
  net enc = linear(4 -> 3)
  net dec = linear(3 -> 4)
  prior   p(z)   = Bernoulli(probs: 0.3)
  encoder q(z|x) = Bernoulli(logits: enc(x))
  decoder p(x|z) = Bernoulli(logits: dec(z))
  train { estimator: score }
}`;

const ROW = [1, 0, 1, 1];

/** −ELBO of one data point, exactly: Σ_z q(z|x) [log q(z|x) − log p(z) − log p(x|z)]. */
function exactNegElbo(m: CompiledModel, x: Tensor): Scalar {
  const zs: number[][] = [];
  for (let i = 0; i < 8; i++) zs.push([i & 1, (i >> 1) & 1, (i >> 2) & 1]);
  const z = tf.tensor2d(zs);
  const xs = tf.tile(x, [8, 1]);
  const enc = m.distribution("encoder", { data: xs });
  const logQ = enc.dist.logProb(tf, enc.params, z);
  const prior = m.distribution("prior", {});
  const logP = prior.dist.logProb(tf, prior.params, z);
  const dec = m.distribution("decoder", { latent: z });
  const logLik = dec.dist.logProb(tf, dec.params, xs);
  return tf.sum(tf.mul(tf.exp(logQ), tf.sub(tf.sub(logQ, logP), logLik))) as Scalar;
}

function estimatedNegElbo(
  m: CompiledModel,
  x: Tensor,
  est: Estimator,
  opts: Partial<EstimatorOptions>,
): Scalar {
  const t = est(m, x, { samples: 1, kl: "analytic", seed: 1, iwSamples: [], ...opts });
  return tf.add(tf.mean(t.distortion), tf.mean(t.rate)) as Scalar;
}

describe("score-function estimator", () => {
  it("is selected by name, and a Bernoulli sample inside a gradient scope has no gradient path", () => {
    expect(estimatorFor("score")).toBe(scoreTerms);
    const ir = compileIR(TINY);
    const m = modelWithRandomWeights(tf, ir, 1);
    const x = repeatRow(tf, ROW, 5);
    // Bernoulli sampling compares with a uniform draw, an op without a gradient: the
    // estimator must keep it off the tape or tfjs refuses to differentiate.
    const g = flatGradient(m, () => estimatedNegElbo(m, x, scoreTerms, {}));
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
    const y = tf.variable(tf.tensor1d([1, 2]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(stopGradient(tf, y), y)) as Scalar, [y]);
    expect(Array.from(grads[y.name]!.dataSync())).toEqual([1, 2]);
    x.dispose();
    m.dispose();
  });

  /**
   * Unbiasedness: the mean of many independent gradient estimates (each the average of B
   * single-draw gradients) equals the exact gradient of the −ELBO within 4 standard errors
   * per coordinate, for every weight (encoder: score term; decoder: pathwise).
   */
  for (const kl of ["monte_carlo", "analytic"] as const) {
    it(`gives the exact ELBO gradient in expectation (kl: ${kl}), with and without a baseline`, () => {
      const ir = compileIR(TINY);
      const m = modelWithRandomWeights(tf, ir, 2);
      const x1 = tf.tensor2d([ROW]);
      const exact = flatGradient(m, () => exactNegElbo(m, x1));
      const batch = 200;
      const repeats = 40;
      const x = repeatRow(tf, ROW, batch);
      const baselines = new ScoreBaselines(tf);
      // A deliberately poor baseline value (far from the signal's mean) must not bias.
      tf.tidy(() => baselines.observe("distortion", tf.scalar(20)));
      tf.tidy(() => baselines.observe("rate", tf.scalar(-5)));
      const frozen = baselines.frozenCopy();
      for (const b of [undefined, frozen]) {
        const draws: Float64Array[] = [];
        for (let r = 0; r < repeats; r++) {
          draws.push(
            flatGradient(m, () =>
              estimatedNegElbo(m, x, scoreTerms, { kl, seed: 100 + r, ...(b && { baselines: b }) }),
            ),
          );
        }
        const { mean, se } = vectorMeanSe(draws);
        for (let j = 0; j < exact.length; j++) {
          expect(Math.abs(mean[j]! - exact[j]!)).toBeLessThan(4 * se[j]! + 1e-6);
        }
      }
      baselines.dispose();
      frozen.dispose();
      x.dispose();
      x1.dispose();
      m.dispose();
    });
  }

  it("matches the exact (enumerated) gradient on a categorical latent", () => {
    const ir: ModelIR = brokenElboIR(5, 0.5);
    const m = modelWithRandomWeights(tf, ir, 3);
    const xs = tf.tensor1d([0, 1, 2, 3, 4, 0, 2, 4], "int32");
    const loss = (est: Estimator, seed: number) => () =>
      evaluateObjective(ir.objective.expr, tensorAlgebra(tf), {
        ...termMeans(est(m, xs, { samples: 50, kl: "analytic", seed, iwSamples: [] })),
        entropy: tf.scalar(0),
        iwBound: () => tf.scalar(0),
      }) as Scalar;
    const exact = flatGradient(m, loss(enumerateTerms, 0));
    const draws = Array.from({ length: 40 }, (_, r) => flatGradient(m, loss(scoreTerms, 7 + r)));
    const { mean, se } = vectorMeanSe(draws);
    for (let j = 0; j < exact.length; j++) {
      expect(Math.abs(mean[j]! - exact[j]!)).toBeLessThan(4 * se[j]! + 1e-6);
    }
    xs.dispose();
    m.dispose();
  });

  it("reports lower encoder-gradient variance with the moving-average baseline", async () => {
    const ir = compileIR(TINY);
    const m = modelWithRandomWeights(tf, ir, 4);
    const x = repeatRow(tf, ROW, 50);
    expect(roleVariables(m, ir.encoder)).toEqual(
      m.specs.filter((s) => s.name.startsWith("net.enc.")).map((s) => m.weights.get(s.name)),
    );
    const report = await scoreVarianceReport(
      m,
      (seed, baselines) =>
        estimatedNegElbo(m, x, scoreTerms, { seed, ...(baselines && { baselines }) }),
      11,
    );
    // Both are sample variances with 19 degrees of freedom per coordinate; a reversal by
    // chance would need a variance ratio beyond the F(19, 19) 0.999 quantile (≈ 4.3) in
    // the wrong direction, while the signal's mean (≈ the baseline) dominates its spread.
    expect(report.withBaseline).toBeGreaterThan(0);
    expect(report.withBaseline * 4.3).toBeLessThan(report.withoutBaseline);
    expect(report.baselines["distortion"]).toBeGreaterThan(0);
    x.dispose();
    m.dispose();
  });
});

function termMeans(t: { distortion: Tensor; rate: Tensor }) {
  return { distortion: tf.mean(t.distortion), rate: tf.mean(t.rate) };
}

function firstRows(ds: Dataset, rows: number): Dataset {
  return { ...ds, rows, values: ds.values.subarray(0, rows * ds.dim) };
}

describe("examples/score-function.vae", () => {
  it("trains on 2,000 MNIST rows: the ELBO improves and the baseline lowers the variance", async () => {
    const compiled = compileFile("examples/score-function.vae");
    const ir = compiled.ir!;
    expect(ir.train.estimator).toBe("score");
    const data = await resolveDataset("binarized-mnist", ir.data);
    const splits = data.value!;
    const logs: string[] = [];
    const result = await trainModel(
      ir,
      { train: firstRows(splits.train, 2000), test: firstRows(splits.test!, 500), entropy: null },
      { ...ir.train, epochs: 3, backend: "wasm" },
      { log: (m) => logs.push(m) },
    );
    const line = logs.find((l) => l.startsWith("score-function encoder gradient variance"));
    expect(line).toBeDefined();
    const [without, withB] = [...line!.matchAll(/([\d.e+-]+) with(?:out)? /g)].map((m) =>
      Number(m[1]),
    );
    expect(withB!).toBeLessThan(without!);
    const elbo = result.history.map((h) => h.train.elbo);
    // The train ELBO is evaluated on all 2,000 rows with a fixed seed: its Monte Carlo
    // error (≈ sd / √2000 ≈ 1 nat) is far below the gains of the first epochs (tens of nats).
    expect(elbo[2]!).toBeGreaterThan(elbo[0]! + 5);
    expect(result.history.every((h) => Number.isFinite(h.train.elbo))).toBe(true);
  }, 120_000);
});
