/**
 * Hand-built ModelIRs equivalent to the example programs, so backend and engine tests do
 * not depend on the frontend.
 */
import {
  IR_VERSION,
  type DistributionIR,
  type ModelIR,
  type ObjectiveExpr,
  type TensorExpr,
  type TrainIR,
} from "../../src/ir/types.js";

export const c = (value: number, shape: number[] = []): TensorExpr => ({
  op: "const",
  value,
  shape,
});
export const v = (name: string, role: "data" | "latent", shape: number[]): TensorExpr => ({
  op: "variable",
  name,
  role,
  shape,
});
export const param = (name: string, shape: number[]): TensorExpr => ({ op: "param", name, shape });
export const local = (name: string, shape: number[] = []): TensorExpr => ({
  op: "local",
  name,
  shape,
});
export const net = (name: string, input: TensorExpr, shape: number[] = []): TensorExpr => ({
  op: "net",
  net: name,
  input,
  shape,
});
export const head = (input: TensorExpr, name: string, shape: number[]): TensorExpr => ({
  op: "head",
  input,
  head: name,
  shape,
});

export const term = (t: "distortion" | "rate" | "mutual_info" | "marginal_kl" | "entropy") =>
  ({ op: "term", term: t }) as const;

export const ELBO: ObjectiveExpr = {
  op: "binary",
  fn: "add",
  lhs: term("distortion"),
  rhs: term("rate"),
};

export function train(overrides: Partial<TrainIR> = {}): TrainIR {
  return {
    dataset: null,
    optimizer: { name: "adam", lr: 0.001 },
    batch: 100,
    epochs: 10,
    samples: 1,
    estimator: "reparam",
    kl: "analytic",
    seed: 0,
    backend: null,
    ...overrides,
  };
}

function dist(
  role: DistributionIR["role"],
  label: string,
  variable: string,
  given: string | null,
  d: string,
  params: Record<string, TensorExpr>,
  bindings: DistributionIR["bindings"] = [],
): DistributionIR {
  return { role, label, variable, given, dist: d, params, bindings };
}

/**
 * examples/mnist-vae.vae with configurable sizes: binary[d] data, real[k] latent,
 * d -> h -> (loc: k, log_scale: k) tanh encoder and k -> h -> d tanh Bernoulli decoder.
 */
export function mnistVaeIR(d = 784, h = 400, k = 20): ModelIR {
  return {
    irVersion: IR_VERSION,
    name: "MnistVAE",
    data: { name: "x", kind: "binary", shape: [d] },
    latent: { name: "z", kind: "real", shape: [k] },
    params: [],
    nets: [
      {
        name: "encoder_net",
        kind: "mlp",
        inputSize: d,
        hidden: [h],
        activation: "tanh",
        output: {
          kind: "heads",
          heads: [
            { name: "loc", size: k },
            { name: "log_scale", size: k },
          ],
        },
      },
      {
        name: "decoder_net",
        kind: "mlp",
        inputSize: k,
        hidden: [h],
        activation: "tanh",
        output: { kind: "single", size: d },
      },
    ],
    prior: dist("prior", "p", "z", null, "Normal", { loc: c(0), scale: c(1) }),
    encoder: dist(
      "encoder",
      "q",
      "z",
      "x",
      "Normal",
      { loc: head(local("h"), "loc", [k]), log_scale: head(local("h"), "log_scale", [k]) },
      [{ name: "h", value: net("encoder_net", v("x", "data", [d])) }],
    ),
    decoder: dist("decoder", "p", "x", "z", "Bernoulli", {
      logits: net("decoder_net", v("z", "latent", [k]), [d]),
    }),
    objective: {
      source: "elbo",
      expr: ELBO,
      linear: { distortion: 1, rate: 1, entropy: 0, constant: 0 },
    },
    train: train(),
  };
}

/** examples/broken-elbo-toy.vae: categorical<k> data and latent, tables, learned marginal. */
export function brokenElboIR(k = 30, sigma = 0.5): ModelIR {
  const objective: ObjectiveExpr = {
    op: "binary",
    fn: "add",
    lhs: term("distortion"),
    rhs: {
      op: "unary",
      fn: "abs",
      input: { op: "binary", fn: "sub", lhs: { op: "const", value: sigma }, rhs: term("rate") },
    },
  };
  return {
    irVersion: IR_VERSION,
    name: "BrokenElboToy",
    data: { name: "x", kind: "categorical", shape: [], categories: k },
    latent: { name: "z", kind: "categorical", shape: [], categories: k },
    params: [{ name: "marginal_logits", shape: [k], init: 0 }],
    nets: [
      {
        name: "encoder_table",
        kind: "table",
        inputSize: k,
        hidden: [],
        activation: "identity",
        output: { kind: "single", size: k },
      },
      {
        name: "decoder_table",
        kind: "table",
        inputSize: k,
        hidden: [],
        activation: "identity",
        output: { kind: "single", size: k },
      },
    ],
    prior: dist("prior", "m", "z", null, "Categorical", {
      logits: param("marginal_logits", [k]),
    }),
    encoder: dist("encoder", "e", "z", "x", "Categorical", {
      logits: net("encoder_table", v("x", "data", []), [k]),
    }),
    decoder: dist("decoder", "d", "x", "z", "Categorical", {
      logits: net("decoder_table", v("z", "latent", []), [k]),
    }),
    objective: { source: `target_rate(sigma: ${sigma})`, expr: objective, linear: null },
    train: train({
      dataset: "toy:broken-elbo",
      estimator: "enumerate",
      optimizer: { name: "adam", lr: 0.05 },
      batch: 1000,
      epochs: 200,
    }),
  };
}

/**
 * examples/linear-vae.vae with configurable sizes: linear encoder mean, a data-independent
 * encoder log-scale param, linear decoder mean and a learned scalar noise log_sigma.
 */
export function linearVaeIR(d = 64, k = 4): ModelIR {
  return {
    irVersion: IR_VERSION,
    name: "LinearVAE",
    data: { name: "x", kind: "real", shape: [d] },
    latent: { name: "z", kind: "real", shape: [k] },
    params: [
      { name: "enc_log_scale", shape: [k], init: 0 },
      { name: "log_sigma", shape: [], init: 0 },
    ],
    nets: [
      {
        name: "enc_mean",
        kind: "linear",
        inputSize: d,
        hidden: [],
        activation: "identity",
        output: { kind: "single", size: k },
      },
      {
        name: "dec_mean",
        kind: "linear",
        inputSize: k,
        hidden: [],
        activation: "identity",
        output: { kind: "single", size: d },
      },
    ],
    prior: dist("prior", "p", "z", null, "Normal", { loc: c(0), scale: c(1) }),
    encoder: dist("encoder", "q", "z", "x", "Normal", {
      loc: net("enc_mean", v("x", "data", [d]), [k]),
      log_scale: param("enc_log_scale", [k]),
    }),
    decoder: dist("decoder", "p", "x", "z", "Normal", {
      loc: net("dec_mean", v("z", "latent", [k]), [d]),
      log_scale: param("log_sigma", []),
    }),
    objective: {
      source: "elbo",
      expr: ELBO,
      linear: { distortion: 1, rate: 1, entropy: 0, constant: 0 },
    },
    train: train(),
  };
}

/** Random binary rows (each pixel on with probability p), seeded. */
export function randomBinary(rows: number, dim: number, seed: number, p = 0.3): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 0x100000000 < p ? 1 : 0;
  }
  return out;
}
