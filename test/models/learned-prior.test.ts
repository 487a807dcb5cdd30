/**
 * Learned priors: a `param` inside the prior (Alemi et al.'s learned marginal m(z)) gets
 * the gradient of the rate, and a learned mixture prior trains through the Monte Carlo
 * rate because no Normal‖MixtureNormal KL has a closed form.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import type { Scalar, Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import { resolveDataset } from "../../src/data/index.js";
import type { Dataset } from "../../src/data/types.js";
import { enumerateTerms, reparamTerms } from "../../src/engine/estimators/index.js";
import { trainModel } from "../../src/engine/train.js";
import { compileFile, compileSource } from "../../src/frontend.js";
import { f32Bound } from "../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const normalPriorModel = `model LearnedNormalPrior {
  data   x: real[3]
  latent z: real[2]
  param prior_loc: real[2] = 0.5
  param prior_log_scale: real[2] = -0.3
  net enc = linear(3 -> (loc: 2, log_scale: 2))
  net dec = linear(2 -> 3)
  prior   m(z)   = Normal(loc: prior_loc, log_scale: prior_log_scale)
  encoder e(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder d(x|z) = Normal(loc: dec(z), scale: 1)
}`;

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

describe("gradients reach a param inside the prior", () => {
  it("Normal(loc: prior_loc, log_scale: prior_log_scale) with the analytic rate", () => {
    const res = compileSource(normalPriorModel, "prior.vae");
    expect(res.diagnostics).toEqual([]);
    const model = compileModel(res.ir!, tf, 3);
    const x = tf.tensor2d([0.2, -1, 0.4, 1.5, 0.3, -0.7, -0.1, 0.9, 2], [3, 3]);
    const loc = model.weights.get("param.prior_loc")!;
    const logScale = model.weights.get("param.prior_log_scale")!;
    const { grads } = tf.variableGrads(() => {
      const terms = reparamTerms(model, x, { samples: 1, kl: "analytic", seed: 5, iwSamples: [] });
      return tf.mean(tf.add(terms.distortion, terms.rate)) as Scalar;
    }, [loc, logScale]);
    // KL[N(μ, s²) ‖ N(m, σ²)] = log σ − log s + (s² + (μ − m)²) / (2σ²) − ½ per dimension:
    // ∂/∂m = (m − μ)/σ², ∂/∂log σ = 1 − (s² + (μ − m)²)/σ², averaged over the batch.
    const enc = model.distribution("encoder", { data: x });
    const mu = values(enc.params["loc"]!);
    const s = values(enc.params["log_scale"]!).map(Math.exp);
    const m = [0.5, 0.5];
    const sigma2 = Math.exp(-0.6);
    const gLoc = [0, 1].map((j) =>
      [0, 1, 2].reduce((a, b) => a + (m[j]! - mu[b * 2 + j]!) / sigma2 / 3, 0),
    );
    const gLogScale = [0, 1].map((j) =>
      [0, 1, 2].reduce(
        (a, b) => a + (1 - (s[b * 2 + j]! ** 2 + (mu[b * 2 + j]! - m[j]!) ** 2) / sigma2) / 3,
        0,
      ),
    );
    const bound = f32Bound(40, 10);
    values(grads[loc.name]!).forEach((g, j) =>
      expect(Math.abs(g - gLoc[j]!)).toBeLessThanOrEqual(bound),
    );
    values(grads[logScale.name]!).forEach((g, j) =>
      expect(Math.abs(g - gLogScale[j]!)).toBeLessThanOrEqual(bound),
    );
    expect(gLoc.some((g) => Math.abs(g) > 0.1)).toBe(true);
    model.dispose();
  });

  it("Categorical(logits: marginal_logits) of the toy under enumeration: ∂R/∂logits = m − q̄", () => {
    const res = compileFile("examples/broken-elbo-toy.vae", { objective: "elbo" });
    const model = compileModel(res.ir!, tf, 4);
    const logits = model.weights.get("param.marginal_logits")!;
    logits.assign(tf.tensor1d(Array.from({ length: 30 }, (_, k) => Math.sin(k))));
    const x = tf.tensor1d([3, 17, 17, 29, 0, 12], "int32");
    const { grads } = tf.variableGrads(() => {
      const terms = enumerateTerms(model, x, {
        samples: 1,
        kl: "analytic",
        seed: 1,
        iwSamples: [],
      });
      return tf.mean(tf.add(terms.distortion, terms.rate)) as Scalar;
    }, [logits]);
    // R = Σ_k q_k (log q_k − log m_k), log m = log-softmax(logits): ∂R/∂logits = m − q.
    const mProbs = values(tf.softmax(logits));
    const q = values(
      tf.mean(tf.softmax(model.distribution("encoder", { data: x }).params["logits"]!), 0),
    );
    values(grads[logits.name]!).forEach((g, k) =>
      expect(Math.abs(g - (mProbs[k]! - q[k]!))).toBeLessThanOrEqual(f32Bound(60, 1)),
    );
    model.dispose();
  });
});

describe("MixtureNormal prior", () => {
  it("falls back to the Monte Carlo rate: analytic and monte_carlo agree draw for draw", () => {
    const res = compileFile("examples/mixture-prior.vae");
    expect(res.diagnostics).toEqual([]);
    const model = compileModel(res.ir!, tf, 0);
    const x = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([8, 784], 0, 1, "float32", 2), 0.7), "float32"),
    );
    const rate = (kl: "analytic" | "monte_carlo") =>
      values(reparamTerms(model, x, { samples: 2, kl, seed: 9, iwSamples: [] }).rate);
    const analytic = rate("analytic");
    expect(analytic).toEqual(rate("monte_carlo"));
    expect(analytic.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it("examples/mixture-prior.vae trains on a subset of binarized MNIST", async () => {
    const res = compileFile("examples/mixture-prior.vae");
    const ir = res.ir!;
    const full = await resolveDataset("binarized-mnist", ir.data);
    expect(full.diagnostics).toEqual([]);
    const head = (d: Dataset, rows: number): Dataset => ({
      ...d,
      rows,
      values: d.values.subarray(0, rows * d.dim),
    });
    const data = {
      train: head(full.value!.train, 1000),
      test: head(full.value!.test!, 500),
      entropy: null,
    };
    const result = await trainModel(ir, data, { ...ir.train, epochs: 3, backend: "wasm" });
    const [first, last] = [result.history[0]!, result.history[result.history.length - 1]!];
    for (const m of [first.test!, last.test!]) {
      expect([m.elbo, m.rate, m.distortion].every(Number.isFinite)).toBe(true);
      // A Monte Carlo rate can dip below 0 on one draw, but not on 500 points' average.
      expect(m.rate).toBeGreaterThan(0);
    }
    // 30 Adam steps take the ELBO far from its start (≈ −543 = 784·log 2 with logits ≈ 0).
    expect(last.test!.elbo).toBeGreaterThan(first.test!.elbo);
    // The prior's parameters were trained: the component means moved from their draw.
    const init = compileModel(ir, tf, ir.train.seed);
    const before = values(init.weights.get("param.mix_loc")!);
    const after = Array.from(result.weights["param.mix_loc"]!.values);
    expect(Math.max(...after.map((v, i) => Math.abs(v - before[i]!)))).toBeGreaterThan(1e-3);
    init.dispose();
  }, 600_000);
});
