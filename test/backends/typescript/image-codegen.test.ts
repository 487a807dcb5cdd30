/**
 * Code generation for image-shaped data: `binary[28, 28]` and `real[4, 4]` variables with
 * vector nets. The generated module flattens x row-major before a net and reshapes a
 * parameter [n] to the image, like the engine; it must type-check, compute what its
 * flat twin (the same model over a vector variable) computes on the same values, and
 * give the engine's parameters and rate for the same weights.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import { modelWeightSpecs } from "../../../src/backends/tfjs/layout.js";
import { compileModel } from "../../../src/backends/tfjs/compile.js";
import { generateTypeScript } from "../../../src/backends/typescript/index.js";
import { evaluateModel, importWeights } from "../../../src/engine/train.js";
import type { NamedWeights } from "../../../src/engine/types.js";
import { compileSource } from "../../../src/frontend.js";
import type { ModelIR } from "../../../src/ir/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../../..");
const OUT = join(HERE, ".generated");
/** float32 unit roundoff. */
const U = 2 ** -24;

const imageVae = (data: string) => `model ImageVAE {
  data   x: ${data}
  latent z: real[20]
  net enc = mlp(784 -> 400 -> (loc: 20, log_scale: 20), activation: tanh)
  net dec = mlp(20 -> 400 -> 784, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective elbo
}`;

/** Arithmetic before the flattening and a shared parameter [16] read as [4, 4]. */
const imageReal = (data: string) => `model ImageReal {
  data   x: ${data}
  latent z: real[2]
  param log_sigma: real[16] = -1
  net   enc = linear(16 -> (loc: 2, log_scale: 2))
  net   dec = mlp(2 -> 8 -> 16)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc(x * 2 - 1).loc, log_scale: enc(x * 2 - 1).log_scale)
  decoder p(x|z) = Normal(loc: dec(z) + 0.5, log_scale: log_sigma)
}`;

interface Case {
  name: string;
  image: ModelIR;
  flat: ModelIR;
  /** Event shape of the image variable. */
  shape: number[];
  values: (n: number, next: () => number) => number;
}

const CASES: Case[] = [
  {
    name: "image-vae",
    image: irOf(imageVae("binary[28, 28]")),
    flat: irOf(imageVae("binary[784]")),
    shape: [28, 28],
    values: (_, next) => (next() < 0.3 ? 1 : 0),
  },
  {
    name: "image-real",
    image: irOf(imageReal("real[4, 4]")),
    flat: irOf(imageReal("real[16]")),
    shape: [4, 4],
    values: (_, next) => 4 * next() - 2,
  },
];

/** The generated module is imported as transpiled JavaScript, without its declarations. */
type Module = any;
const modules = new Map<string, { image: Module; flat: Module; tsPath: string }>();

function irOf(source: string): ModelIR {
  const r = compileSource(source, "image.vae");
  expect(r.diagnostics).toEqual([]);
  return r.ir!;
}

async function generated(ir: ModelIR, file: string): Promise<{ mod: Module; tsPath: string }> {
  const g = await generateTypeScript(ir);
  expect(g.diagnostics).toEqual([]);
  const tsPath = join(OUT, `${file}.ts`);
  const mjsPath = join(OUT, `${file}.mjs`);
  writeFileSync(tsPath, g.code!);
  const js = ts.transpileModule(g.code!, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(mjsPath, js.outputText);
  return { mod: await import(pathToFileURL(mjsPath).href), tsPath };
}

beforeAll(async () => {
  await initBackend("cpu");
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, ".gitignore"), "*\n!.gitignore\n");
  for (const c of CASES) {
    const image = await generated(c.image, `${c.name}-image`);
    const flat = await generated(c.flat, `${c.name}-flat`);
    modules.set(c.name, { image: image.mod, flat: flat.mod, tsPath: image.tsPath });
  }
});

afterAll(() => {
  for (const c of CASES) {
    for (const kind of ["image", "flat"]) {
      for (const ext of ["ts", "mjs"])
        rmSync(join(OUT, `${c.name}-${kind}.${ext}`), { force: true });
    }
  }
});

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

/** Weights with every entry U(−3/√fan_in, 3/√fan_in): logits and scales far from 0 and 1. */
function randomWeights(ir: ModelIR, seed: number): NamedWeights {
  const next = uniforms(seed);
  const out: NamedWeights = {};
  for (const s of modelWeightSpecs(ir)) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    const a = 3 / Math.sqrt(s.shape[0] ?? 1);
    out[s.name] = {
      shape: s.shape,
      values: Float32Array.from({ length: n }, () => (2 * next() - 1) * a),
    };
  }
  return out;
}

async function valuesOf(t: { data(): Promise<ArrayLike<number>> }): Promise<number[]> {
  return Array.from(await t.data());
}

const rows = 12;

function dataFor(c: Case): Float32Array {
  const next = uniforms(5);
  const dim = c.shape.reduce((p, d) => p * d, 1);
  return Float32Array.from({ length: rows * dim }, (_, i) => c.values(i, next));
}

describe("generated modules for image-shaped data", () => {
  it("type-check against the installed tfjs types with the repository's options", () => {
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
    const files = CASES.map((c) => modules.get(c.name)!.tsPath);
    const program = ts.createProgram(files, { ...parsed!.options, noEmit: true });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(OUT, d.file.fileName)}:${d.start}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(errors).toEqual([]);
  }, 60_000);

  for (const c of CASES) {
    it(`${c.name}: the image module computes what its flat twin computes, reshaped`, async () => {
      const tf = await import("@tensorflow/tfjs");
      const { image, flat } = modules.get(c.name)!;
      const weights = randomWeights(c.image, 21);
      const wi = image.createWeights(0);
      const wf = flat.createWeights(0);
      image.loadWeights(wi, weights);
      flat.loadWeights(wf, weights);
      const values = dataFor(c);
      const dim = values.length / rows;
      const xi = tf.tensor(values, [rows, ...c.shape]);
      const xf = tf.tensor(values, [rows, dim]);
      const qi = image.encoderParams(wi, xi);
      const qf = flat.encoderParams(wf, xf);
      for (const k of Object.keys(qf))
        expect(await valuesOf(qi[k]), k).toEqual(await valuesOf(qf[k]));
      const z = qf.loc;
      const pi = image.decoderParams(wi, z);
      const pf = flat.decoderParams(wf, z);
      for (const k of Object.keys(pf)) {
        // Batched parameters carry the batch axis; a shared one is the image alone.
        const lead = pf[k].shape.length > 1 ? [rows] : [];
        expect(pi[k].shape, k).toEqual([...lead, ...c.shape]);
        expect(await valuesOf(pi[k]), k).toEqual(await valuesOf(pf[k]));
      }
      expect(await valuesOf(image.decoderLogProb(wi, xi, z))).toEqual(
        await valuesOf(flat.decoderLogProb(wf, xf, z)),
      );
      const ti = image.terms(wi, xi, 1, 9);
      const tfl = flat.terms(wf, xf, 1, 9);
      expect(await valuesOf(ti.rate)).toEqual(await valuesOf(tfl.rate));
      expect(await valuesOf(ti.distortion)).toEqual(await valuesOf(tfl.distortion));
      const loss = (await valuesOf(image.loss(wi, xi, { seed: 9 })))[0]!;
      expect(Number.isFinite(loss)).toBe(true);
    });

    it(`${c.name}: the image module gives the engine's parameters and rate`, async () => {
      const tf = await loadTf();
      const { image } = modules.get(c.name)!;
      const weights = randomWeights(c.image, 33);
      const w = image.createWeights(0);
      image.loadWeights(w, weights);
      const values = dataFor(c);
      const x = tf.tensor(values, [rows, ...c.shape]);
      const model = compileModel(c.image, tf, 0);
      importWeights(model, weights);
      // Both run the same tfjs kernels on the cpu backend in the same order (reshape, then
      // matMul, add and tanh per layer), so the parameters agree bit for bit.
      const engineQ = tf.tidy(() => model.distribution("encoder", { data: x }).params);
      const q = image.encoderParams(w, x);
      for (const k of Object.keys(q)) {
        expect(await valuesOf(q[k]), k).toEqual(await valuesOf(engineQ[k]!));
      }
      const engineP = model.distribution("decoder", { latent: q.loc }).params;
      const p = image.decoderParams(w, q.loc);
      for (const k of Object.keys(p)) {
        expect(p[k].shape, k).toEqual(engineP[k]!.shape);
        expect(await valuesOf(p[k]), k).toEqual(await valuesOf(engineP[k]!));
      }
      model.dispose();
      // The engine averages the per-row closed-form KLs over rows (float64 sum of float32
      // values); the module's mean is a float32 sum of the same values: ≤ rows·u relative.
      const dim = values.length / rows;
      const engine = await evaluateModel(
        c.image,
        weights,
        { source: "test rows", rows, dim, values },
        { samples: 1, seed: 0, backend: "cpu", kl: "analytic" },
      );
      const rate = (await valuesOf(image.terms(w, x).rate))[0]!;
      expect(engine.rate).toBeGreaterThan(0.1);
      expect(Math.abs(rate - engine.rate)).toBeLessThanOrEqual((rows + 1) * U * engine.rate);
    });
  }
});
