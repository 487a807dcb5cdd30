/**
 * Image-shaped data: `data x: binary[28, 28]` with the vector nets of the MNIST VAE. The
 * image model flattens x row-major before the encoder and reads the decoder's [784] logits
 * back as [28, 28]; the data rows hold the pixels row-major. So it is the binary[784]
 * model with its values relabelled, and training both from the same seed on the same
 * rows must perform the same float32 operations on the same values: equal bit for bit.
 */
import { describe, expect, it } from "vitest";
import type { DatasetSplits } from "../../src/data/types.js";
import { diagnoseModel } from "../../src/engine/diagnostics/index.js";
import { evaluateModel, trainModel } from "../../src/engine/train.js";
import { compileSource } from "../../src/frontend.js";
import type { ModelIR } from "../../src/ir/types.js";
import { randomBinary } from "../engine/fixtures.js";

const imageVae = (dataType: string) => `model ImageVAE {
  data   x: ${dataType}
  latent z: real[20]
  net enc = mlp(784 -> 400 -> (loc: 20, log_scale: 20), activation: tanh)
  net dec = mlp(20 -> 400 -> 784, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective elbo
  train { batch: 20  epochs: 2  optimizer: adam(lr: 0.001)  seed: 7  backend: "cpu" }
}`;

/** Binary codes of image shape too: the encoder's [16] logits are read as [4, 4]. */
const binaryCodes = (dataType: string, latentType: string) => `model BinaryCodes {
  data   x: ${dataType}
  latent z: ${latentType}
  net enc = mlp(784 -> 32 -> 16, activation: tanh)
  net dec = mlp(16 -> 32 -> 784, activation: tanh)
  prior   p(z)   = Bernoulli(probs: 0.5)
  encoder q(z|x) = Bernoulli(logits: enc(x))
  decoder p(x|z) = Bernoulli(logits: dec(z))
  train { batch: 20  epochs: 2  estimator: score  seed: 5  backend: "cpu" }
}`;

function irOf(dataType: string, source = imageVae(dataType)): ModelIR {
  const r = compileSource(source, "image.vae");
  expect(r.diagnostics).toEqual([]);
  return r.ir!;
}

const rows = 60;
const data: DatasetSplits = {
  train: { source: "random rows", rows, dim: 784, values: randomBinary(rows, 784, 11) },
  test: { source: "random rows", rows: 20, dim: 784, values: randomBinary(20, 784, 12) },
  entropy: null,
};

describe("binary[28, 28] data with mlp nets", () => {
  it("trains exactly like binary[784]: same losses, same weights", async () => {
    const image = irOf("binary[28, 28]");
    const flat = irOf("binary[784]");
    expect(image.data.shape).toEqual([28, 28]);
    const a = await trainModel(image, data, image.train);
    const b = await trainModel(flat, data, flat.train);
    expect(a.backend).toBe("cpu");
    expect(a.history).toHaveLength(2);
    const metrics = (r: typeof a) => r.history.map((h) => [h.train, h.test]);
    expect(metrics(a)).toEqual(metrics(b));
    // Training moved: the equality above is not two untouched initialisations.
    expect(a.history[1]!.train.loss).toBeLessThan(a.history[0]!.train.loss);
    expect(Object.keys(a.weights)).toEqual(Object.keys(b.weights));
    for (const [name, w] of Object.entries(a.weights)) {
      expect(w.shape, name).toEqual(b.weights[name]!.shape);
      expect(
        Buffer.from(w.values.buffer).equals(Buffer.from(b.weights[name]!.values.buffer)),
        name,
      ).toBe(true);
    }
  }, 120_000);

  it("evaluates a flat model's weights to the same ELBO, and a permuted image to another", async () => {
    const image = irOf("binary[28, 28]");
    const flat = irOf("binary[784]");
    const trained = await trainModel(flat, data, { ...flat.train, epochs: 1 });
    const opts = { samples: 1, seed: 3, backend: "cpu" };
    const onImage = await evaluateModel(image, trained.weights, data.test!, opts);
    const onFlat = await evaluateModel(flat, trained.weights, data.test!, opts);
    expect(onImage).toEqual(onFlat);
    // Transposing every image changes the rows the nets see: row-major order matters.
    const t = data.test!;
    const transposed = new Float32Array(t.values.length);
    for (let r = 0; r < t.rows; r++) {
      for (let i = 0; i < 28; i++) {
        for (let j = 0; j < 28; j++) {
          transposed[r * 784 + j * 28 + i] = t.values[r * 784 + i * 28 + j]!;
        }
      }
    }
    const other = await evaluateModel(image, trained.weights, { ...t, values: transposed }, opts);
    expect(other.elbo).not.toBe(onImage.elbo);
  }, 120_000);

  it("reports the same information diagnostics (importance-sampled log p(x) included)", async () => {
    const image = irOf("binary[28, 28]");
    const flat = irOf("binary[784]");
    const trained = await trainModel(flat, data, { ...flat.train, epochs: 1 });
    const opts = { samples: 1, seed: 4, backend: "cpu", iwSamples: 8 };
    const a = await diagnoseModel(image, trained.weights, data.test!, opts);
    const b = await diagnoseModel(flat, trained.weights, data.test!, opts);
    expect(a.log_likelihood).not.toBeNull();
    expect(a).toEqual(b);
  }, 120_000);

  it("trains an image-shaped binary latent with the score estimator like its flat twin", async () => {
    const image = irOf("", binaryCodes("binary[28, 28]", "binary[4, 4]"));
    const flat = irOf("", binaryCodes("binary[784]", "binary[16]"));
    expect(image.encoder.params.logits!.op).toBe("reshape");
    const a = await trainModel(image, data, image.train);
    const b = await trainModel(flat, data, flat.train);
    expect(a.history.map((h) => [h.train, h.test])).toEqual(
      b.history.map((h) => [h.train, h.test]),
    );
    for (const [name, w] of Object.entries(a.weights)) {
      expect(Array.from(w.values), name).toEqual(Array.from(b.weights[name]!.values));
    }
  }, 120_000);
});
