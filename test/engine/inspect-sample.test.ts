import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import { decodeLatents, latentRowProblems, sampleModel } from "../../src/engine/inspect/index.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import {
  affine,
  compileIR,
  LINEAR_SOURCE,
  MIXTURE_SOURCE,
  OPTS,
  randomWeights,
  startBackend,
  tableSource,
  w64,
  withoutLeaks,
} from "./inspect-fixtures.js";
import { f32Bound, meanAndSe } from "./numeric.js";

let tf: Tf;
let lin: ModelIR;
let linW: NamedWeights;

beforeAll(async () => {
  tf = await startBackend();
  lin = compileIR(LINEAR_SOURCE);
  linW = await randomWeights(tf, lin, 3);
});

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const column = (a: Float32Array, width: number, c: number) =>
  Array.from({ length: a.length / width }, (_, r) => a[r * width + c]!);

describe("sampleModel", () => {
  // 1500 rows: two batches, so the per-batch seeds and the concatenation are exercised.
  const n = 1500;

  it("draws z ~ N(0, I) and x ∈ {0, 1}; the same seed repeats, another differs", async () => {
    const s = await withoutLeaks(tf, () =>
      sampleModel(lin, linW, { n, seed: 7, mean: false, ...OPTS }),
    );
    expect(s.latentDim).toBe(2);
    expect(s.dataDim).toBe(3);
    expect(s.latent.length).toBe(n * 2);
    expect(s.data.length).toBe(n * 3);
    expect(s.categories).toBeUndefined();
    expect(s.data.every((x) => x === 0 || x === 1)).toBe(true);
    for (let u = 0; u < 2; u++) {
      const { mean, se } = meanAndSe(column(s.latent, 2, u));
      expect(Math.abs(mean)).toBeLessThanOrEqual(4 * se);
      const second = meanAndSe(column(s.latent, 2, u).map((z) => z * z));
      expect(Math.abs(second.mean - 1)).toBeLessThanOrEqual(4 * second.se);
    }
    // Both batches hold draws (a batch left at zeros would fail here).
    expect(s.latent.subarray(1000 * 2).some((z) => z !== 0)).toBe(true);
    const again = await sampleModel(lin, linW, { n, seed: 7, mean: false, ...OPTS });
    expect(again.latent).toEqual(s.latent);
    expect(again.data).toEqual(s.data);
    const other = await sampleModel(lin, linW, { n, seed: 8, mean: false, ...OPTS });
    expect(other.latent).not.toEqual(s.latent);
    expect(other.data).not.toEqual(s.data);
  });

  it("with mean: true returns E[x|z] = σ(zW + b) at the drawn z", async () => {
    const s = await withoutLeaks(tf, () =>
      sampleModel(lin, linW, { n, seed: 7, mean: true, ...OPTS }),
    );
    const W = w64(linW, "net.dec.0.W");
    const b = w64(linW, "net.dec.0.b");
    expect(s.data.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(s.data.some((p) => p !== 0 && p !== 1)).toBe(true);
    for (let r = 0; r < n; r += 37) {
      const want = affine(s.latent.subarray(r * 2, r * 2 + 2), W, b).map(sigmoid);
      // Logits of |·| ≲ 10 from a 2-term float32 dot product, then a float32 sigmoid.
      want.forEach((p, j) =>
        expect(Math.abs(s.data[r * 3 + j]! - p)).toBeLessThanOrEqual(f32Bound(16, 4)),
      );
    }
    // The latent draws do not depend on `mean`.
    const draws = await sampleModel(lin, linW, { n, seed: 7, mean: false, ...OPTS });
    expect(draws.latent).toEqual(s.latent);
  });

  it("samples a learned mixture prior: the draws' mean is Σ w_c μ_c", async () => {
    const ir = compileIR(MIXTURE_SOURCE);
    const w = await randomWeights(tf, ir, 5);
    // Components at (−4, 0), (0, 3), (5, −2) with weights ∝ e^0, e^1, e^−1, σ = e^−1.
    w["param.mix_logits"]!.values.set([0, 1, -1]);
    w["param.mix_loc"]!.values.set([-4, 0, 0, 3, 5, -2]);
    w["param.mix_log_scale"]!.values.fill(-1);
    const z = [1, Math.E, 1 / Math.E].reduce((a, b) => a + b, 0);
    const wc = [1 / z, Math.E / z, 1 / Math.E / z];
    const mu = [0, 1].map((d) =>
      wc.reduce((s, c, k) => s + c * [-4, 0, 0, 3, 5, -2][k * 2 + d]!, 0),
    );
    const s = await withoutLeaks(tf, () =>
      sampleModel(ir, w, { n: 4000, seed: 1, mean: false, ...OPTS }),
    );
    for (let d = 0; d < 2; d++) {
      const { mean, se } = meanAndSe(column(s.latent, 2, d));
      expect(Math.abs(mean - mu[d]!)).toBeLessThanOrEqual(4 * se);
    }
    // Every draw lies near one of the three components (σ ≈ 0.37: within 6σ of one).
    for (let r = 0; r < 4000; r++) {
      const near = [0, 1, 2].some(
        (k) =>
          Math.hypot(s.latent[r * 2]! - [-4, 0, 5][k]!, s.latent[r * 2 + 1]! - [0, 3, -2][k]!) <
          2.3,
      );
      expect(near).toBe(true);
    }
  });

  it("categorical data: indices when drawn, K probabilities per row with mean: true", async () => {
    const ir = compileIR(tableSource(5, 4));
    const w = await randomWeights(tf, ir, 9, 2);
    const drawn = await withoutLeaks(tf, () =>
      sampleModel(ir, w, { n: 300, seed: 2, mean: false, ...OPTS }),
    );
    expect(drawn.dataDim).toBe(1);
    expect(drawn.latentDim).toBe(1);
    expect(drawn.data.every((x) => Number.isInteger(x) && x >= 0 && x < 5)).toBe(true);
    expect(drawn.latent.every((z) => Number.isInteger(z) && z >= 0 && z < 4)).toBe(true);
    const probs = await withoutLeaks(tf, () =>
      sampleModel(ir, w, { n: 300, seed: 2, mean: true, ...OPTS }),
    );
    expect(probs.dataDim).toBe(5);
    expect(probs.categories).toBe(5);
    expect(probs.latent).toEqual(drawn.latent);
    const table = w64(w, "net.decoder_table.table");
    for (let r = 0; r < 300; r += 11) {
      const zr = probs.latent[r]!;
      const logits = table.slice(zr * 5, zr * 5 + 5);
      const norm = logits.reduce((s, l) => s + Math.exp(l), 0);
      logits.forEach((l, x) =>
        expect(Math.abs(probs.data[r * 5 + x]! - Math.exp(l) / norm)).toBeLessThanOrEqual(
          f32Bound(20, 1),
        ),
      );
    }
  });

  it("without a backend option keeps the running backend over train.backend", async () => {
    const running = tf.getBackend();
    expect(running).not.toBe("cpu");
    const onCpu = { ...lin, train: { ...lin.train, backend: "cpu" } };
    const s = await sampleModel(onCpu, linW, { n: 4, seed: 7, mean: false });
    expect(tf.getBackend()).toBe(running);
    const explicit = await sampleModel(lin, linW, { n: 4, seed: 7, mean: false, ...OPTS });
    expect(s.latent).toEqual(explicit.latent);
  });

  it("n = 0 gives empty arrays; a bad count throws", async () => {
    const s = await sampleModel(lin, linW, { n: 0, seed: 1, mean: true, ...OPTS });
    expect(s.latent.length).toBe(0);
    expect(s.data.length).toBe(0);
    await expect(
      sampleModel(lin, linW, { n: 2.5, seed: 1, mean: true, ...OPTS }),
    ).rejects.toThrow();
  });
});

describe("decodeLatents", () => {
  it("is E[x|z] = σ(zW + b) for the given rows, across batches", async () => {
    const rows = 1203;
    const z = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i) * 3);
    const x = await withoutLeaks(tf, () => decodeLatents(lin, linW, z, rows, OPTS));
    expect(x.length).toBe(rows * 3);
    const W = w64(linW, "net.dec.0.W");
    const b = w64(linW, "net.dec.0.b");
    for (let r = 0; r < rows; r += 13) {
      affine(z.subarray(r * 2, r * 2 + 2), W, b)
        .map(sigmoid)
        .forEach((p, j) =>
          expect(Math.abs(x[r * 3 + j]! - p)).toBeLessThanOrEqual(f32Bound(16, 4)),
        );
    }
  });

  it("rejects rows that do not fit the latent, naming the problem", async () => {
    expect(latentRowProblems(lin, new Float32Array(4), 2)).toEqual([]);
    expect(latentRowProblems(lin, new Float32Array(5), 2)[0]).toMatch(/5 values/);
    expect(latentRowProblems(lin, Float32Array.of(0, Number.NaN), 1)[0]).toMatch(/finite/);
    const toy = compileIR(tableSource(3, 4));
    expect(latentRowProblems(toy, Float32Array.of(0, 3, 1), 3)).toEqual([]);
    expect(latentRowProblems(toy, Float32Array.of(0, 4), 2)[0]).toMatch(/row 1.*0\.\.3/);
    expect(latentRowProblems(toy, Float32Array.of(0.5), 1)[0]).toMatch(/integer/);
    await expect(decodeLatents(lin, linW, new Float32Array(3), 2, OPTS)).rejects.toThrow(
      /3 values/,
    );
  });
});
