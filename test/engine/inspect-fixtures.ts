/**
 * Shared pieces of the inspection tests: small models compiled from source, seeded
 * weights read back as plain arrays (float64 references are computed from them), the
 * backend the tests run on, and a check that a call leaves no tensor behind.
 */
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import type { Dataset } from "../../src/data/types.js";
import { exportWeights } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import { compileIR } from "./helpers-estimators.js";
import { uniforms } from "./numeric.js";

export const BACKEND = "wasm";
export const OPTS = { backend: BACKEND } as const;

export async function startBackend(): Promise<Tf> {
  await initBackend(BACKEND);
  return loadTf();
}

/** A model with every weight uniform in [−scale, scale] (seeded), as NamedWeights. */
export async function randomWeights(
  tf: Tf,
  ir: ModelIR,
  seed: number,
  scale = 1,
): Promise<NamedWeights> {
  const m = compileModel(ir, tf, seed);
  try {
    const w = await exportWeights(m);
    const u = uniforms(seed);
    for (const t of Object.values(w)) {
      for (let i = 0; i < t.values.length; i++) t.values[i] = (2 * u() - 1) * scale;
    }
    return w;
  } finally {
    m.dispose();
  }
}

export function dataset(values: ArrayLike<number>, dim: number): Dataset {
  return {
    source: "test",
    rows: values.length / dim,
    dim,
    values: Float32Array.from(values),
  };
}

/** `f`'s result, after checking that it left the tensor count where it found it. */
export async function withoutLeaks<T>(tf: Tf, f: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await f();
  if (tf.memory().numTensors !== before) {
    throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  }
  return out;
}

/** Weight values in float64 (they are float32 already, so exactly). */
export const w64 = (w: NamedWeights, name: string): number[] => {
  const t = w[name];
  if (t === undefined) throw new Error(`no weight ${name}`);
  return Array.from(t.values);
};

/** x·W + b for one row, W [in, out] row-major, in float64. */
export function affine(x: ArrayLike<number>, W: number[], b: number[]): number[] {
  const out = b.length;
  return b.map((bj, j) => {
    let s = bj;
    for (let i = 0; i < x.length; i++) s += x[i]! * W[i * out + j]!;
    return s;
  });
}

export { compileIR };

/** A linear-Gaussian encoder (separate loc and log-scale nets), a Bernoulli decoder. */
export const LINEAR_SOURCE = `
model Lin {
  data   x: binary[3]
  latent z: real[2]
  net enc_loc = linear(3 -> 2)
  net enc_ls  = linear(3 -> 2)
  net dec     = linear(2 -> 3)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc_loc(x), log_scale: enc_ls(x))
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective elbo
}`;

/** The decoder's logits are a parameter: E[x|z] = σ(c) whatever z is. */
export const CONSTANT_DECODER_SOURCE = `
model Const {
  data   x: binary[3]
  latent z: real[2]
  param c: real[3] = 0
  net enc_loc = linear(3 -> 2)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc_loc(x), log_scale: 0)
  decoder p(x|z) = Bernoulli(logits: c)
  objective elbo
}`;

/** A learned mixture prior over a 2-D latent. */
export const MIXTURE_SOURCE = `
model Mix {
  data   x: real[3]
  latent z: real[2]
  param mix_logits: real[3] = 0
  param mix_loc: real[3, 2] = 0
  param mix_log_scale: real[3, 2] = 0
  net enc = mlp(3 -> 4 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = linear(2 -> 3)
  prior   m(z)   = MixtureNormal(logits: mix_logits, loc: mix_loc, log_scale: mix_log_scale)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 1)
  objective elbo
}`;

/** Binary latent codes. */
export const BINARY_LATENT_SOURCE = `
model Codes {
  data   x: binary[4]
  latent z: binary[3]
  net enc = linear(4 -> 3)
  net dec = linear(3 -> 4)
  prior   p(z)   = Bernoulli(probs: 0.5)
  encoder q(z|x) = Bernoulli(logits: enc(x))
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective elbo
  train { estimator: score }
}`;

/** Alemi et al.'s toy at a small size: tables and a learned marginal. */
export function tableSource(kx: number, kz: number): string {
  return `
model Toy {
  data   x: categorical<${kx}>
  latent z: categorical<${kz}>
  param marginal_logits: real[${kz}] = 0
  net   encoder_table = table(${kx} -> ${kz})
  net   decoder_table = table(${kz} -> ${kx})
  prior   m(z)   = Categorical(logits: marginal_logits)
  encoder e(z|x) = Categorical(logits: encoder_table(x))
  decoder d(x|z) = Categorical(logits: decoder_table(z))
  objective elbo
  train { estimator: enumerate }
}`;
}
