/**
 * MAP training with a Gaussian weight prior (Kingma & Welling 2014, §5) and the
 * quadratic_logits net of the restricted Broken-ELBO model.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { netImpl } from "../../src/backends/tfjs/nets/index.js";
import type { Scalar, Tf } from "../../src/backends/tfjs/tf.js";
import type { DatasetSplits } from "../../src/data/types.js";
import { trainModel } from "../../src/engine/train.js";
import { weightPriorPenalty } from "../../src/engine/weight-prior.js";
import { compileSource } from "../../src/frontend.js";
import { f32Bound, randomF32 } from "../engine/numeric.js";
import { normals } from "./linear-algebra.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const linearVae = (train: string) => `model Small {
  data   x: real[6]
  latent z: real[2]
  param enc_log_scale: real[2] = 0
  param log_sigma: real = 0
  net enc_mean = linear(6 -> 2)
  net dec_mean = linear(2 -> 6)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc_mean(x), log_scale: enc_log_scale)
  decoder p(x|z) = Normal(loc: dec_mean(z), log_scale: log_sigma)
  train { ${train} }
}`;

describe("train { weight_prior: normal(scale: s) }", () => {
  it("is checked: a positive scale is kept, anything else is invalid-train-value", () => {
    const ok = compileSource(linearVae("weight_prior: normal(scale: 0.5)"), "m.vae");
    expect(ok.diagnostics).toEqual([]);
    expect(ok.ir!.train.weightPrior).toEqual({ kind: "normal", scale: 0.5 });
    expect(compileSource(linearVae(""), "m.vae").ir!.train.weightPrior).toBeUndefined();
    for (const bad of ["normal(scale: 0)", "normal(1)", "laplace(scale: 1)", "1"]) {
      const r = compileSource(linearVae(`weight_prior: ${bad}`), "m.vae");
      expect(
        r.diagnostics.map((d) => d.code),
        bad,
      ).toEqual(["invalid-train-value"]);
    }
  });

  it("adds Σθ²/(2 s² N), whose gradient is θ/(s² N)", () => {
    const a = tf.variable(tf.tensor2d(randomF32(6, 1, -2, 2), [2, 3]));
    const b = tf.variable(tf.tensor1d(randomF32(4, 2, -2, 2)));
    const [s, n] = [0.7, 250];
    const { value, grads } = tf.variableGrads(
      () => weightPriorPenalty(tf, [a, b], s, n) as Scalar,
      [a, b],
    );
    const theta = [...a.dataSync(), ...b.dataSync()];
    const want = theta.reduce((acc, t) => acc + t * t, 0) / (2 * s * s * n);
    expect(Math.abs(value.dataSync()[0]! - want)).toBeLessThanOrEqual(f32Bound(20, want));
    const g = [...grads[a.name]!.dataSync(), ...grads[b.name]!.dataSync()];
    g.forEach((gi, i) =>
      expect(Math.abs(gi - theta[i]! / (s * s * n))).toBeLessThanOrEqual(f32Bound(10, 1 / n)),
    );
  });

  it("shrinks the weights relative to maximum likelihood on the same seed", async () => {
    const g = normals(3);
    const rows = 200;
    const values = new Float32Array(rows * 6);
    for (let r = 0; r < rows; r++) {
      const z = [g(), g()];
      for (let j = 0; j < 6; j++) values[r * 6 + j] = 2 * z[0]! - z[1]! * (j - 2.5) + 0.3 * g();
    }
    const data: DatasetSplits = {
      train: { source: "synthetic", rows, dim: 6, values },
      entropy: null,
    };
    const norm = async (train: string) => {
      const ir = compileSource(linearVae(train), "m.vae").ir!;
      const result = await trainModel(ir, data, {
        ...ir.train,
        epochs: 60,
        batch: 50,
        optimizer: { name: "adam", lr: 0.02 },
        backend: "wasm",
      });
      return Object.entries(result.weights)
        .filter(([name]) => name.endsWith(".W"))
        .reduce((acc, [, w]) => acc + w.values.reduce((a, v) => a + v * v, 0), 0);
    };
    const ml = await norm("seed: 4");
    // s = 0.05 with N = 200: a pull of θ/(s²N) = 2θ per point against a data gradient of O(θ).
    const map = await norm("seed: 4 weight_prior: normal(scale: 0.05)");
    expect(map).toBeLessThan(0.5 * ml);
  }, 600_000);
});

describe("quadratic_logits(K -> n)", () => {
  const model = (netDef: string) => `model Q {
  data x: categorical<5>
  latent z: categorical<4>
  param m: real[4] = 0
  net enc = ${netDef}
  net dec = table(4 -> 5)
  prior p(z) = Categorical(logits: m)
  encoder q(z|x) = Categorical(logits: enc(x))
  decoder p(x|z) = Categorical(logits: dec(z))
  train { estimator: enumerate }
}`;

  it("checks index input and a single output without hidden layers", () => {
    expect(compileSource(model("quadratic_logits(5 -> 4)"), "q.vae").diagnostics).toEqual([]);
    const hidden = compileSource(model("quadratic_logits(5 -> 8 -> 4)"), "q.vae");
    expect(hidden.diagnostics.map((d) => d.code)).toEqual(["invalid-architecture"]);
    const wrongK = compileSource(model("quadratic_logits(6 -> 4)"), "q.vae");
    expect(wrongK.diagnostics.map((d) => d.code)).toEqual(["net-input-mismatch"]);
  });

  it("computes −(w_i·j/(K−1) − b_i)² for every output i", () => {
    const ir = compileSource(model("quadratic_logits(5 -> 4)"), "q.vae").ir!;
    const net = ir.nets.find((n) => n.name === "enc")!;
    expect(
      netImpl(net)
        .weights(net)
        .map((w) => [w.name, w.shape]),
    ).toEqual([
      ["w", [4]],
      ["b", [4]],
    ]);
    const w = [1.5, -2, 0.3, 4];
    const b = [0.2, 0.7, -1, 2];
    const weights: Record<string, ReturnType<Tf["tensor1d"]>> = {
      w: tf.tensor1d(w),
      b: tf.tensor1d(b),
    };
    const out = netImpl(net).apply(tf, net, (n) => weights[n]!, tf.tensor1d([0, 2, 4], "int32"));
    const got = (out as ReturnType<Tf["tensor1d"]>).arraySync() as unknown as number[][];
    [0, 2, 4].forEach((j, r) =>
      w.forEach((wi, i) => expect(got[r]![i]).toBeCloseTo(-(((wi * j) / 4 - b[i]!) ** 2), 5)),
    );
  });
});
