/**
 * The TypeScript backend: generated modules type-check against @tensorflow/tfjs, run, and
 * compute what the engine computes from the same weights.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTypeScript } from "../../../src/backends/typescript/index.js";
import { modelWeightSpecs } from "../../../src/backends/tfjs/layout.js";
import type { Dataset } from "../../../src/data/types.js";
import { loadTf } from "../../../src/backends/tfjs/backend.js";
import { compileModel } from "../../../src/backends/tfjs/compile.js";
import { evaluateModel, exportWeights } from "../../../src/engine/train.js";
import type { NamedWeights } from "../../../src/engine/types.js";
import { compileFile, compileSource } from "../../../src/frontend.js";
import type { ModelIR } from "../../../src/ir/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../../..");
const OUT = join(HERE, ".generated");
/** float32 unit roundoff. */
const U = 2 ** -24;

const EXAMPLES = ["mnist-vae", "linear-vae", "broken-elbo-toy"] as const;
type Example = (typeof EXAMPLES)[number];

interface Generated {
  ir: ModelIR;
  code: string;
  tsPath: string;
  mjsPath: string;
}

const generated = new Map<Example, Generated>();

/** Heads, a `where` binding, arithmetic with constants, softplus and the scale form. */
const SOURCE = `
model Arithmetic {
  data   x: real[6]
  latent z: real[3]

  param log_sigma: real = -1
  net   enc = linear(6 -> (loc: 3, raw: 3))
  net   dec = linear(3 -> 6)

  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc * 2 - 1, scale: softplus(h.raw) + 0.01) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), log_scale: log_sigma)
}`;

function irOf(name: string): ModelIR {
  const r = compileFile(join(ROOT, "examples", `${name}.vae`));
  expect(r.diagnostics).toEqual([]);
  return r.ir!;
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, ".gitignore"), "*\n!.gitignore\n");
  for (const name of EXAMPLES) {
    const ir = irOf(name);
    const g = await generateTypeScript(ir);
    expect(g.diagnostics).toEqual([]);
    const code = g.code!;
    const tsPath = join(OUT, `${name}.ts`);
    const mjsPath = join(OUT, `${name}.mjs`);
    writeFileSync(tsPath, code);
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(mjsPath, js.outputText);
    generated.set(name, { ir, code, tsPath, mjsPath });
  }
});

/** The generated module is imported as transpiled JavaScript, without its declarations. */
type Module = any;

async function load(name: Example): Promise<Module> {
  return import(pathToFileURL(generated.get(name)!.mjsPath).href);
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

/** Weights with every entry U(−scale, scale), scale per weight name. */
function randomWeights(ir: ModelIR, scale: (name: string, fanIn: number) => number, seed: number) {
  const next = uniforms(seed);
  const out: NamedWeights = {};
  for (const s of modelWeightSpecs(ir)) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    const a = scale(s.name, s.shape[0] ?? 1);
    out[s.name] = {
      shape: s.shape,
      values: Float32Array.from({ length: n }, () => (2 * next() - 1) * a),
    };
  }
  return out;
}

describe("generated module text", () => {
  it("imports only @tensorflow/tfjs and exports the documented API", () => {
    for (const name of EXAMPLES) {
      const { code, ir } = generated.get(name)!;
      const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports).toEqual(["@tensorflow/tfjs"]);
      expect(code).toContain(ir.name);
      expect(code).toContain(`Objective: ${ir.objective.source}`);
      for (const api of [
        "export const spec",
        "export interface Weights",
        "export function createWeights(seed = 0): Weights",
        "export function encoderParams(",
        "export function decoderParams(",
        "export function priorParams(",
        "export function terms(",
        "export function loss(",
        "export async function train(",
        "export function loadWeights(",
      ]) {
        expect(code, `${name}: ${api}`).toContain(api);
      }
    }
  });

  it("type-checks against the installed tfjs types with the repository's options", async () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    // A control: a type error against the tfjs declarations must be caught, which shows
    // that `@tensorflow/tfjs` resolved to its real types rather than to `any`.
    const control = join(OUT, "control.ts");
    writeFileSync(
      control,
      `${generated.get("linear-vae")!.code}\nexport const wrong: tf.Tensor1D = tf.scalar(1);\n`,
    );
    // The other supported examples and the expression model are checked as well.
    const extra: string[] = [];
    const sources = [
      ...["beta-vae", "gaussian-vae", "infomax"].map((n) => ({ n, ir: irOf(n) })),
      { n: "arithmetic-check", ir: compileSource(SOURCE, "arithmetic.vae").ir! },
    ];
    for (const { n, ir } of sources) {
      const g = await generateTypeScript(ir);
      expect(g.diagnostics, n).toEqual([]);
      extra.push(join(OUT, `${n}.ts`));
      writeFileSync(extra[extra.length - 1]!, g.code!);
    }
    const files = [...EXAMPLES.map((n) => generated.get(n)!.tsPath), ...extra];
    const program = ts.createProgram([...files, control], { ...parsed!.options, noEmit: true });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(OUT, d.file.fileName)}:${d.start}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    rmSync(control);
    expect(errors.filter((e) => !e.startsWith("control.ts"))).toEqual([]);
    expect(errors.filter((e) => e.startsWith("control.ts"))).toHaveLength(1);
  });
});

describe("weights", () => {
  it("createWeights follows the engine's layout and initialisers", async () => {
    for (const name of EXAMPLES) {
      const { ir } = generated.get(name)!;
      const m = await load(name);
      const w = m.createWeights(3);
      const specs = modelWeightSpecs(ir);
      expect(Object.keys(w).sort()).toEqual(specs.map((s) => s.name).sort());
      for (const s of specs) {
        const v = w[s.name];
        expect(v.shape, s.name).toEqual(s.shape);
        const values = Array.from(await v.data()) as number[];
        if (s.init.kind === "uniform") {
          const b = s.init.bound;
          expect(values.every((x) => x >= -b && x <= b)).toBe(true);
          // E[x²] = b²/3 and Var[x²] = 4b⁴/45 for x ~ U(−b, b): within 5 standard errors.
          const se = b * b * Math.sqrt(4 / 45 / values.length);
          expect(Math.abs(mean(values.map((x) => x * x)) - (b * b) / 3)).toBeLessThan(5 * se);
        } else if (s.init.kind === "constant") {
          expect(new Set(values)).toEqual(new Set([s.init.value]));
        }
      }
      const again = m.createWeights(3);
      const first = specs[0]!.name;
      expect(await again[first].data()).toEqual(await w[first].data());
    }
  });

  it("createWeights draws the engine's initial weights bit for bit from the same seed", async () => {
    // The generated file carries its own copy of the engine's seed derivation
    // (src/engine/rng.ts): any drift between the two changes these draws.
    const tf = await loadTf();
    for (const name of EXAMPLES) {
      const { ir } = generated.get(name)!;
      const w = (await load(name)).createWeights(3);
      const model = compileModel(ir, tf, 3);
      const engine = await exportWeights(model);
      model.dispose();
      for (const [k, v] of Object.entries(engine)) {
        const got = await w[k].data();
        // A count, not the arrays: a failing diff of 313,600 values would take minutes.
        const differing = v.values.filter((x, i) => !Object.is(x, got[i])).length;
        expect(got.length, `${name} ${k}`).toBe(v.values.length);
        expect(differing, `${name} ${k}: values that differ`).toBe(0);
      }
    }
  });
});

describe("generated code agrees with the engine", () => {
  it("broken-elbo-toy: exact distortion, rate and loss by enumeration", async () => {
    const { ir } = generated.get("broken-elbo-toy")!;
    const m = await load("broken-elbo-toy");
    const tf = await import("@tensorflow/tfjs");
    // Logits of size O(1) so that the tables are far from uniform.
    const weights = randomWeights(ir, () => 2, 11);
    const rows = 200;
    const next = uniforms(5);
    const values = Float32Array.from({ length: rows }, () => Math.floor(next() * 30));
    const data: Dataset = { source: "test rows", rows, dim: 1, values };
    const engine = await evaluateModel(ir, weights, data, { samples: 1, seed: 0, backend: "cpu" });

    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const x = tf.tensor1d(Int32Array.from(values), "int32");
    const t = m.terms(w, x);
    const distortion = (await t.distortion.data())[0];
    const rate = (await t.rate.data())[0];
    const loss = (await m.loss(w, x).data())[0];
    /**
     * Both sides run the same float32 operations on the same backend except for how the
     * batch mean is accumulated. Per row a term is a sum over K = 30 categories of values
     * bounded by |log p| (log-softmax adds a K-term log-sum-exp): relative error ≤ 2K·u;
     * a float32 mean over N rows adds ≤ N·u. Each side is within (2K + N)·u·|value|.
     */
    const tol = (v: number) => 2 * (2 * 30 + rows) * U * Math.max(Math.abs(v), 1);
    expect(Math.abs(distortion - engine.distortion)).toBeLessThan(tol(engine.distortion));
    expect(Math.abs(rate - engine.rate)).toBeLessThan(tol(engine.rate));
    // target_rate(0.5) = D + |0.5 − R|
    expect(Math.abs(loss - engine.loss)).toBeLessThan(tol(engine.distortion) + tol(engine.rate));
    expect(engine.rate).toBeGreaterThan(0.1); // the check would be weak at R ≈ 0
    expect(engine.loss).toBeCloseTo(engine.distortion + Math.abs(0.5 - engine.rate), 5);
  });
});

/**
 * Float32 rounding errors are bounded probabilistically (Higham & Mary 2019): a dot product
 * of n terms plus a bias is within λ·√n·u·(Σ|h_i W_ij| + |b_j|) of the exact value with
 * probability at least 1 − 2n·exp(−λ²/2) (λ = 7: above 1 − 10⁻⁷ for n ≤ 784 per entry),
 * where the worst-case n·u bound would be looser than the quantities it is meant to test
 * after four layers. Errors of different inputs are independent, so propagated errors add
 * in quadrature.
 */
const LAMBDA = 7;

/**
 * A dense net evaluated in float64, with the bound above on how far a float32 evaluation
 * can be from it: an input error e_i propagates as √Σ(W_ij·e_i)², and tanh (1-Lipschitz)
 * adds its own rounding u·|tanh|.
 */
function denseForward(
  weights: NamedWeights,
  net: string,
  layers: number,
  input: readonly number[],
  inputErr: readonly number[],
): { value: number[]; err: number[] } {
  let h = [...input];
  let e = [...inputErr];
  for (let l = 0; l < layers; l++) {
    const W = weights[`net.${net}.${l}.W`]!;
    const b = weights[`net.${net}.${l}.b`]!.values;
    const [nIn, nOut] = W.shape as [number, number];
    const value: number[] = [];
    const err: number[] = [];
    for (let j = 0; j < nOut; j++) {
      let s = b[j]!;
      let mag = Math.abs(b[j]!);
      let prop = 0;
      for (let i = 0; i < nIn; i++) {
        const wij = W.values[i * nOut + j]!;
        s += h[i]! * wij;
        mag += Math.abs(h[i]! * wij);
        prop += (wij * e[i]!) ** 2;
      }
      let ej = LAMBDA * Math.sqrt(nIn + 1) * U * mag + Math.sqrt(prop);
      if (l + 1 < layers) {
        s = Math.tanh(s);
        ej += U * Math.abs(s);
      }
      value.push(s);
      err.push(ej);
    }
    h = value;
    e = err;
  }
  return { value: h, err: e };
}

/**
 * KL[N(μ, e^{2ℓ}) ‖ N(0, 1)] summed over dims, in float64, with the bound on a float32
 * evaluation: input errors times |∂KL/∂μ| = |μ| and |∂KL/∂ℓ| = |e^{2ℓ} − 1| in quadrature,
 * plus about 8 roundings per dimension and a d-term sum: λ·√(8 + d)·u·Σ_j |terms_j|.
 */
function normalKl(mu: number[], ls: number[], muErr: number[], lsErr: number[]) {
  let value = 0;
  let mag = 0;
  let prop = 0;
  for (let j = 0; j < mu.length; j++) {
    const v = Math.exp(2 * ls[j]!);
    value += -ls[j]! + (v + mu[j]! ** 2 - 1) / 2;
    mag += Math.abs(ls[j]!) + (v + mu[j]! ** 2 + 1) / 2;
    prop += (mu[j]! * muErr[j]!) ** 2 + ((v - 1) * lsErr[j]!) ** 2;
  }
  return { value, err: Math.sqrt(prop) + LAMBDA * Math.sqrt(8 + mu.length) * U * mag };
}

/** The bound on a float32 mean of independent per-row values, each within its `err`. */
function meanBound(rows: { value: number; err: number }[]): { value: number; err: number } {
  const n = rows.length;
  const value = mean(rows.map((r) => r.value));
  const prop = Math.sqrt(rows.reduce((s, r) => s + r.err ** 2, 0)) / n;
  return { value, err: prop + LAMBDA * Math.sqrt(n) * U * Math.abs(value) };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function binaryRows(rows: number, dim: number, seed: number): Float32Array {
  const next = uniforms(seed);
  return Float32Array.from({ length: rows * dim }, () => (next() < 0.3 ? 1 : 0));
}

describe("generated code agrees with the engine (continuous latents)", () => {
  it("mnist-vae: analytic rate and the decoder log-likelihood at the encoder mean", async () => {
    const { ir } = generated.get("mnist-vae")!;
    const m = await load("mnist-vae");
    const tf = await import("@tensorflow/tfjs");
    // Three times the initialisation range, so that scales and logits are far from 1 and 0.
    const weights = randomWeights(ir, (_, fanIn) => 3 / Math.sqrt(fanIn), 21);
    const rows = 12;
    const dim = 784;
    const values = binaryRows(rows, dim, 3);
    const data: Dataset = { source: "test rows", rows, dim, values };
    const engine = await evaluateModel(ir, weights, data, {
      samples: 1,
      seed: 0,
      backend: "cpu",
      kl: "analytic",
    });

    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const x = tf.tensor2d(values, [rows, dim]);
    const rate = (await m.terms(w, x).rate.data())[0] as number;
    const q = m.encoderParams(w, x);
    const logLik = Array.from(await m.decoderLogProb(w, x, q.loc).data()) as number[];

    const kls: { value: number; err: number }[] = [];
    const lls: { value: number; err: number }[] = [];
    for (let r = 0; r < rows; r++) {
      const xr = Array.from(values.subarray(r * dim, (r + 1) * dim));
      const enc = denseForward(weights, "encoder_net", 2, xr, Array<number>(dim).fill(0));
      const mu = enc.value.slice(0, 20);
      const muErr = enc.err.slice(0, 20);
      kls.push(normalKl(mu, enc.value.slice(20), muErr, enc.err.slice(20)));
      const dec = denseForward(weights, "decoder_net", 2, mu, muErr);
      // ℓ = Σ x·l − softplus(l), ∂ℓ/∂l = x − σ(l); ~4 roundings per term and a d-term sum.
      let ll = 0;
      let mag = 0;
      let prop = 0;
      dec.value.forEach((l, k) => {
        const sp = Math.log1p(Math.exp(-Math.abs(l))) + Math.max(l, 0);
        ll += xr[k]! * l - sp;
        mag += Math.abs(xr[k]! * l) + sp;
        prop += ((xr[k]! - 1 / (1 + Math.exp(-l))) * dec.err[k]!) ** 2;
      });
      lls.push({ value: ll, err: Math.sqrt(prop) + LAMBDA * Math.sqrt(4 + dim) * U * mag });
    }
    const { value: exactRate, err: rateErr } = meanBound(kls);
    expect(Math.abs(rate - exactRate)).toBeLessThan(rateErr);
    expect(Math.abs(engine.rate - exactRate)).toBeLessThan(rateErr);
    expect(exactRate).toBeGreaterThan(1); // far from a trivial encoder
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(logLik[r]! - lls[r]!.value)).toBeLessThan(lls[r]!.err);
    }
  });

  it("linear-vae: analytic rate with a shared encoder scale matches the engine", async () => {
    const { ir } = generated.get("linear-vae")!;
    const m = await load("linear-vae");
    const tf = await import("@tensorflow/tfjs");
    const weights = randomWeights(ir, (_, fanIn) => 2 / Math.sqrt(fanIn), 8);
    const rows = 20;
    const dim = 64;
    const next = uniforms(4);
    const values = Float32Array.from({ length: rows * dim }, () => 4 * next() - 2);
    const data: Dataset = { source: "test rows", rows, dim, values };
    const engine = await evaluateModel(ir, weights, data, { samples: 1, seed: 0, backend: "cpu" });

    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const rate = (await m.terms(w, tf.tensor2d(values, [rows, dim])).rate.data())[0] as number;
    const ls = Array.from(weights["param.enc_log_scale"]!.values);
    const kls = Array.from({ length: rows }, (_, r) => {
      const xr = Array.from(values.subarray(r * dim, (r + 1) * dim));
      const enc = denseForward(weights, "enc_mean", 1, xr, Array<number>(dim).fill(0));
      return normalKl(enc.value, ls, enc.err, [0, 0, 0, 0]);
    });
    const { value: exactRate, err: rateErr } = meanBound(kls);
    expect(Math.abs(rate - exactRate)).toBeLessThan(rateErr);
    expect(Math.abs(engine.rate - exactRate)).toBeLessThan(rateErr);
  });

  it("linear-vae: the Monte Carlo rate (estimator A, L = 8) is unbiased for the analytic one", async () => {
    const base = generated.get("linear-vae")!.ir;
    const ir: ModelIR = { ...base, train: { ...base.train, kl: "monte_carlo", samples: 8 } };
    const g = await generateTypeScript(ir);
    expect(g.code).toContain("tileRows(q.loc, samples)");
    const path = join(OUT, "linear-vae-mc.mjs");
    writeFileSync(
      path,
      ts.transpileModule(g.code!, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    );
    const m: Module = await import(pathToFileURL(path).href);
    const tf = await import("@tensorflow/tfjs");
    const weights = randomWeights(ir, (_, fanIn) => 2 / Math.sqrt(fanIn), 8);
    const rows = 20;
    const dim = 64;
    const next = uniforms(4);
    const values = Float32Array.from({ length: rows * dim }, () => 4 * next() - 2);
    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const x = tf.tensor2d(values, [rows, dim]);
    const ls = Array.from(weights["param.enc_log_scale"]!.values);
    const exact = mean(
      Array.from({ length: rows }, (_, r) => {
        const xr = Array.from(values.subarray(r * dim, (r + 1) * dim));
        const enc = denseForward(weights, "enc_mean", 1, xr, Array<number>(dim).fill(0));
        return normalKl(enc.value, ls, enc.err, [0, 0, 0, 0]).value;
      }),
    );
    // Independent estimates (distinct seeds): their mean is within 5 standard errors of the
    // expectation except with probability < 10⁻⁶ (normal approximation, 40 draws).
    const estimates: number[] = [];
    for (let i = 0; i < 40; i++) {
      estimates.push((await m.terms(w, x, 8, 1000 + i).rate.data())[0] as number);
    }
    const avg = mean(estimates);
    const sd = Math.sqrt(
      estimates.reduce((a, e) => a + (e - avg) ** 2, 0) / (estimates.length - 1),
    );
    expect(sd).toBeGreaterThan(0);
    expect(Math.abs(avg - exact)).toBeLessThan((5 * sd) / Math.sqrt(estimates.length));
  });

  it("train runs a few steps and lowers the toy's loss", async () => {
    const m = await load("broken-elbo-toy");
    const tf = await import("@tensorflow/tfjs");
    const next = uniforms(9);
    // Rows concentrated on 3 of 30 bins: the uniform start is far from the fit.
    const x = tf.tensor1d(
      Int32Array.from({ length: 300 }, () => Math.floor(next() * 3)),
      "int32",
    );
    const { history } = await m.train(x, { epochs: 5, batch: 100, seed: 1 });
    expect(history).toHaveLength(5);
    expect(history[4]).toBeLessThan(history[0]);
  });
});

describe("parameter expressions", () => {
  it("evaluate like a float64 reference, and the rate like the engine's", async () => {
    const r = compileSource(SOURCE, "arithmetic.vae");
    expect(r.diagnostics).toEqual([]);
    const ir = r.ir!;
    const g = await generateTypeScript(ir);
    const base = join(OUT, "arithmetic");
    writeFileSync(`${base}.ts`, g.code!);
    writeFileSync(
      `${base}.mjs`,
      ts.transpileModule(g.code!, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    );
    const m: Module = await import(pathToFileURL(`${base}.mjs`).href);
    const tf = await import("@tensorflow/tfjs");
    const weights = randomWeights(ir, (_, fanIn) => 2 / Math.sqrt(fanIn), 17);
    const rows = 10;
    const dim = 6;
    const next = uniforms(12);
    const values = Float32Array.from({ length: rows * dim }, () => 4 * next() - 2);
    const w = m.createWeights(0);
    m.loadWeights(w, weights);
    const x = tf.tensor2d(values, [rows, dim]);
    const q = m.encoderParams(w, x);
    expect(q.loc.shape).toEqual([rows, 3]);
    const loc = Array.from(await q.loc.data()) as number[];
    const scale = Array.from(await q.scale.data()) as number[];
    const kls: { value: number; err: number }[] = [];
    for (let r = 0; r < rows; r++) {
      const xr = Array.from(values.subarray(r * dim, (r + 1) * dim));
      const h = denseForward(weights, "enc", 1, xr, Array<number>(dim).fill(0));
      const mu: number[] = [];
      const muErr: number[] = [];
      const ls: number[] = [];
      const lsErr: number[] = [];
      for (let j = 0; j < 3; j++) {
        // 2a − 1: the input error doubles, plus two roundings of the result.
        mu.push(2 * h.value[j]! - 1);
        muErr.push(2 * h.err[j]! + 2 * U * (2 * Math.abs(h.value[j]!) + 1));
        // softplus(a) + 0.01: softplus is σ(a)-Lipschitz; a few roundings of the result.
        const raw = h.value[3 + j]!;
        const sc = Math.log1p(Math.exp(-Math.abs(raw))) + Math.max(raw, 0) + 0.01;
        const scErr = h.err[3 + j]! / (1 + Math.exp(-raw)) + 4 * U * sc;
        ls.push(Math.log(sc));
        lsErr.push(scErr / sc + U);
        expect(Math.abs(loc[r * 3 + j]! - mu[j]!)).toBeLessThan(muErr[j]!);
        expect(Math.abs(scale[r * 3 + j]! - sc)).toBeLessThan(scErr);
      }
      kls.push(normalKl(mu, ls, muErr, lsErr));
    }
    const data: Dataset = { source: "test rows", rows, dim, values };
    const engine = await evaluateModel(ir, weights, data, { samples: 1, seed: 0, backend: "cpu" });
    const rate = (await m.terms(w, x).rate.data())[0] as number;
    const { value: exactRate, err: rateErr } = meanBound(kls);
    expect(Math.abs(rate - exactRate)).toBeLessThan(rateErr);
    expect(Math.abs(engine.rate - exactRate)).toBeLessThan(rateErr);
    rmSync(`${base}.ts`);
  });
});

describe("unsupported constructs", () => {
  const cases: [string, string][] = [
    ["mixture-prior", "MixtureNormal"],
    ["score-function", "the score estimator"],
    ["free-bits-warmup", "free bits"],
    ["capacity", "anneal() in the objective"],
  ];
  for (const [example, what] of cases) {
    it(`${example}: codegen-unsupported naming ${what}`, async () => {
      const g = await generateTypeScript(irOf(example));
      expect(g.code).toBeUndefined();
      expect(g.diagnostics.map((d) => d.code)).toContain("codegen-unsupported");
      expect(g.diagnostics.some((d) => d.message.includes(what))).toBe(true);
    });
  }

  it("iw_bound in the objective", async () => {
    const r = compileFile(join(ROOT, "examples", "mnist-vae.vae"), { objective: "iwae(k: 5)" });
    expect(r.diagnostics).toEqual([]);
    const g = await generateTypeScript(r.ir!, { file: "mnist-vae.vae" });
    expect(g.diagnostics).toHaveLength(1);
    expect(g.diagnostics[0]!.code).toBe("codegen-unsupported");
    expect(g.diagnostics[0]!.params).toEqual({ what: "iw_bound(5) in the objective" });
    expect(g.diagnostics[0]!.span.file).toBe("mnist-vae.vae");
  });
});
