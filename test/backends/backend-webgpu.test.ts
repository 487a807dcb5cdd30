import { afterAll, describe, expect, it } from "vitest";
import { initBackend, loadTf, WASM_OVERRIDES } from "../../src/backends/tfjs/backend.js";
import { compileModel } from "../../src/backends/tfjs/compile.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import { adapterLabel, probeWebGpu } from "../../src/backends/tfjs/webgpu.js";
import { mnistVaeIR, randomBinary } from "../engine/fixtures.js";
import { randomF32, uniforms } from "../engine/numeric.js";
import { negElboRows, type Approx } from "./vae-reference.js";

/*
 * The same model, weights, batch and noise on wasm and on WebGPU (Dawn; on a machine
 * without a GPU that is Mesa's llvmpipe). tfjs has one global engine; the test switches
 * its backend with initBackend (tf.setBackend), compiling the model afresh on each.
 */

const probe = await probeWebGpu();
const title = probe.ok
  ? `webgpu on ${adapterLabel(probe.adapter)} via Dawn ${probe.adapter.config}`
  : `webgpu (skipped: no WebGPU adapter: ${probe.reason}; on Debian/Ubuntu install ` +
    `mesa-vulkan-drivers libegl-dev libegl-mesa0 libgl1-mesa-dri)`;

const D = 64;
const H = 32;
const K = 4;
const ROWS = 16;

const ir = mnistVaeIR(D, H, K);
const x = randomBinary(ROWS, D, 11);
const eps = normals(ROWS * K, 12);
const weights = new Map<string, Float32Array>();

/** Standard normal float32 draws (Box–Muller on a seeded stream). */
function normals(n: number, seed: number): Float32Array {
  const u = uniforms(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  }
  return out;
}

/** −ELBO per row on the active backend with `weights`, z = loc + exp(log_scale)·ε. */
async function negElboOnBackend(tf: Tf): Promise<Float32Array> {
  const m = compileModel(ir, tf, 0);
  let seed = 100;
  for (const spec of m.specs) {
    if (!weights.has(spec.name)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      // Twice nn.Linear's bound so logits reach the softplus's curved region.
      const bound = 2 / Math.sqrt(spec.shape[0]!);
      weights.set(spec.name, randomF32(size, seed, -bound, bound));
    }
    seed++;
    m.weights.get(spec.name)!.assign(tf.tensor(weights.get(spec.name)!, spec.shape, "float32"));
  }
  const rows = tf.tidy(() => {
    const xs = tf.tensor(x, [ROWS, D]);
    const enc = m.distribution("encoder", { data: xs });
    const loc = enc.params["loc"]!;
    const logScale = enc.params["log_scale"]!;
    const z = tf.add(loc, tf.mul(tf.exp(logScale), tf.tensor(eps, [ROWS, K])));
    const logQ = enc.dist.logProb(tf, enc.params, z);
    const prior = m.distribution("prior", {});
    const logP = prior.dist.logProb(tf, prior.params, z);
    const dec = m.distribution("decoder", { latent: z });
    const logPx = dec.dist.logProb(tf, dec.params, xs);
    return tf.neg(tf.sub(tf.add(logPx, logP), logQ));
  });
  const values = (await rows.data()) as Float32Array;
  rows.dispose();
  m.dispose();
  return Float32Array.from(values);
}

describe.skipIf(!probe.ok)(title, () => {
  let tf: Tf;
  let onWasm: Float32Array;
  let onWebGpu: Float32Array;
  let reference: Approx[];
  let maxArgument: number;

  afterAll(async () => {
    // Leave the process on wasm, as the other backend tests expect.
    await initBackend("wasm");
  });

  it("starts webgpu after wasm in one process, with wasm's kernel overrides left on wasm", async () => {
    expect((await initBackend("wasm")).name).toBe("wasm");
    tf = await loadTf();
    onWasm = await negElboOnBackend(tf);
    const started = await initBackend("webgpu");
    expect(started.name).toBe("webgpu");
    expect(started.reason).toMatch(/^requested; adapter /);
    expect(tf.getBackend()).toBe("webgpu");
    // The overrides replace wasm kernels by name; webgpu's registrations must be its own.
    for (const name of [...WASM_OVERRIDES, "UnsortedSegmentSum"]) {
      const wasmKernel = tf.getKernel(name, "wasm");
      const gpuKernel = tf.getKernel(name, "webgpu");
      expect(wasmKernel, name).toBeDefined();
      if (gpuKernel !== undefined)
        expect(gpuKernel.kernelFunc, name).not.toBe(wasmKernel!.kernelFunc);
    }
    onWebGpu = await negElboOnBackend(tf);
    const ref = negElboRows({ get: (n) => weights.get(n)! }, x, eps, D, K);
    reference = ref.rows;
    maxArgument = ref.maxArgument;
  });

  it("keeps every elementary function's argument where the K-ulp budget holds (|x| ≤ 14)", () => {
    // negElboRows' error model assumes it; large logits would need a wider budget.
    expect(reference.every((r) => Number.isFinite(r.v) && r.e > 0)).toBe(true);
    expect(maxArgument).toBeLessThanOrEqual(14);
    // …and reaches beyond softplus's near-linear region, so the test exercises it.
    expect(maxArgument).toBeGreaterThan(2);
  });

  it("gives each row's −ELBO within the worst-case float32 bound of the float64 value", () => {
    for (let r = 0; r < ROWS; r++) {
      const { v, e } = reference[r]!;
      expect(Math.abs(onWasm[r]! - v), `wasm row ${r}`).toBeLessThanOrEqual(e);
      expect(Math.abs(onWebGpu[r]! - v), `webgpu row ${r}`).toBeLessThanOrEqual(e);
    }
  });

  /*
   * The worst-case bound assumes every rounding error aligned and is ~10^4 times the
   * typical error here. Under the probabilistic model (independent errors) each row's
   * error is a sum of hundreds of small independent terms, close to normal with standard
   * deviation σ = √s2; the two backends round independently, so their difference has
   * deviation √2·σ. Six deviations: a false failure has probability ≈ 2·10^-9 per row.
   */
  it("gives each row's −ELBO within 6σ of the float64 value on both backends", () => {
    for (let r = 0; r < ROWS; r++) {
      const { v, s2 } = reference[r]!;
      expect(Math.abs(onWasm[r]! - v), `wasm row ${r}`).toBeLessThanOrEqual(6 * Math.sqrt(s2));
      expect(Math.abs(onWebGpu[r]! - v), `webgpu row ${r}`).toBeLessThanOrEqual(6 * Math.sqrt(s2));
    }
  });

  it("gives the same −ELBO on webgpu as on wasm, within 6·√2·σ", () => {
    for (let r = 0; r < ROWS; r++) {
      const tol = 6 * Math.SQRT2 * Math.sqrt(reference[r]!.s2);
      expect(Math.abs(onWebGpu[r]! - onWasm[r]!), `row ${r}`).toBeLessThanOrEqual(tol);
      // Not vacuous: a relative 10^-5 of the loss would already fail.
      expect(tol / Math.abs(reference[r]!.v)).toBeLessThan(1e-5);
    }
  });
});
