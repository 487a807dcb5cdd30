import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import {
  decodeLatents,
  manifoldGrid,
  manifoldLatents,
  normalQuantile,
  traversalLatents,
} from "../../src/engine/inspect/index.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import {
  BINARY_LATENT_SOURCE,
  compileIR,
  dataset,
  LINEAR_SOURCE,
  MIXTURE_SOURCE,
  OPTS,
  randomWeights,
  startBackend,
  tableSource,
  withoutLeaks,
} from "./inspect-fixtures.js";
import { randomBinary } from "./fixtures.js";
import { f32Bound } from "./numeric.js";

let tf: Tf;
let lin: ModelIR;
let linW: NamedWeights;
const rows = 1500;
const x = dataset(randomBinary(rows, 3, 17, 0.5), 3);

beforeAll(async () => {
  tf = await startBackend();
  lin = compileIR(LINEAR_SOURCE);
  linW = await randomWeights(tf, lin, 3);
});

/** The linear model with a 4-D latent whose encoder means read x through `W` ([3, 4]). */
async function fourDimModel(W: number[]) {
  const ir = compileIR(
    LINEAR_SOURCE.replace("real[2]", "real[4]")
      .replaceAll("linear(3 -> 2)", "linear(3 -> 4)")
      .replace("linear(2 -> 3)", "linear(4 -> 3)"),
  );
  const w = await randomWeights(tf, ir, 12);
  w["net.enc_loc.0.W"]!.values.set(W);
  return { ir, w };
}

describe("traversalLatents", () => {
  it("picks the active dimensions by decreasing Var_x E[z_u|x] and varies one per block", async () => {
    // x has independent Bernoulli(½) entries (variance ¼): unit u's mean has variance
    // ¼ Σ_i W[i][u]²: unit 2 → 1.25, unit 0 → 0.3125, unit 3 → 0.0025 (inactive), unit 1 → 0.
    const W = [0.5, 0, 1, 0.1, 0.8, 0, 1.6, 0, 0.6, 0, 1.2, 0].map((v, i) => (i % 4 === 1 ? 0 : v));
    const varOf = (u: number) => 0.25 * [0, 1, 2].reduce((s, i) => s + W[i * 4 + u]! ** 2, 0);
    expect(varOf(3)).toBeLessThan(0.01);
    const { ir, w } = await fourDimModel(W);
    const t = await withoutLeaks(tf, () => traversalLatents(ir, w, x, OPTS));
    expect(t.dims).toEqual([2, 0]);
    expect(t.steps).toBe(9);
    expect(t.values).toEqual(Array.from({ length: 9 }, (_, j) => -2.5 + (5 * j) / 8));
    expect(t.z.length).toBe(2 * 9 * 4);
    // The sample variance of 1500 rows is within a few standard errors of the population's.
    t.variances!.forEach((v, u) =>
      expect(Math.abs(v - varOf(u))).toBeLessThanOrEqual(0.1 * varOf(u) + 1e-9),
    );
    t.dims.forEach((u, d) => {
      for (let j = 0; j < 9; j++) {
        const zrow = Array.from(t.z.subarray((d * 9 + j) * 4, (d * 9 + j + 1) * 4));
        zrow.forEach((zv, k) => expect(zv).toBe(k === u ? Math.fround(t.values[j]!) : 0));
        expect(t.coordinates[d * 9 + j]).toBe(t.values[j]);
      }
    });
    const decoded = await decodeLatents(ir, w, t.z, t.dims.length * t.steps, OPTS);
    expect(decoded.length).toBe(2 * 9 * 3);
  });

  it("takes the first dimensions when none is active, and the ones asked for", async () => {
    const { ir, w } = await fourDimModel(Array(12).fill(0));
    const t = await traversalLatents(ir, w, x, { steps: 3, span: 1, ...OPTS });
    expect(t.dims).toEqual([0, 1, 2, 3]);
    expect(t.values).toEqual([-1, 0, 1]);
    const chosen = await traversalLatents(ir, w, x, { dims: [3, 1], steps: 2, ...OPTS });
    expect(chosen.dims).toEqual([3, 1]);
    expect(chosen.variances).toBeUndefined();
    expect(Array.from(chosen.z)).toEqual([
      0, 0, 0, -2.5, 0, 0, 0, 2.5, 0, -2.5, 0, 0, 0, 2.5, 0, 0,
    ]);
    await expect(traversalLatents(ir, w, x, { dims: [4], ...OPTS })).rejects.toThrow(/0\.\.3/);
    await expect(traversalLatents(ir, w, x, { steps: 0, ...OPTS })).rejects.toThrow();
  });

  it("runs over a mixture prior's own mean ± span·sd (law of total variance)", async () => {
    const ir = compileIR(MIXTURE_SOURCE);
    const w = await randomWeights(tf, ir, 5);
    w["param.mix_logits"]!.values.set([0, Math.log(3), -50]);
    w["param.mix_loc"]!.values.set([-1, 2, 3, 2, 0, 0]);
    w["param.mix_log_scale"]!.values.fill(0);
    // Weights ¼, ¾ (the third ≈ e⁻⁵⁰): dim 0 mean 2, var 1 + ¼·9 + ¾·1 = 4; dim 1 mean 2, var 1.
    const data = dataset(
      Array.from({ length: 60 }, (_, i) => Math.cos(i)),
      3,
    );
    const t = await withoutLeaks(tf, () =>
      traversalLatents(ir, w, data, { dims: [0, 1], steps: 3, span: 1, ...OPTS }),
    );
    // dims [0, 1] with span 1 and 3 steps: 2 + 2·(−1, 0, 1), then 2 + 1·(−1, 0, 1).
    [0, 2, 4, 1, 2, 3].forEach((c, i) =>
      expect(Math.abs(t.coordinates[i]! - c)).toBeLessThanOrEqual(f32Bound(40, 4)),
    );
    // Block 0 (dim 0): dim 1 at its mean 2; block 1 (dim 1): dim 0 at its mean 2.
    [2, 2, 2].forEach((c, j) => expect(Math.abs(t.z[j * 2 + 1]! - c)).toBeLessThanOrEqual(1e-5));
    [1, 2, 3].forEach((c, j) =>
      expect(Math.abs(t.z[(3 + j) * 2 + 1]! - c)).toBeLessThanOrEqual(1e-5),
    );
  });

  it("is empty (not applicable) for a binary or categorical latent", async () => {
    const bin = compileIR(BINARY_LATENT_SOURCE);
    const t = await traversalLatents(
      bin,
      await randomWeights(tf, bin, 1),
      dataset([0, 1, 0, 1], 4),
      OPTS,
    );
    expect(t.dims).toEqual([]);
    expect(t.z.length).toBe(0);
    const toy = compileIR(tableSource(3, 3));
    const u = await traversalLatents(
      toy,
      await randomWeights(tf, toy, 1),
      dataset([0, 2], 1),
      OPTS,
    );
    expect(u.dims).toEqual([]);
  });
});

describe("manifoldLatents", () => {
  it("is the grid of standard-normal quantiles for an N(0, I) prior, row i·steps + j = (g_j, g_i)", async () => {
    const m = (await withoutLeaks(tf, () => manifoldLatents(lin, linW, OPTS)))!;
    expect(m.steps).toBe(15);
    expect(m.approximate).toBe(false);
    expect(m.grid).toEqual(manifoldGrid(15));
    m.grid.forEach((g, j) => {
      expect(Math.abs(g - normalQuantile((j + 0.5) / 15))).toBeLessThanOrEqual(1e-12);
      expect(m.grid[14 - j]).toBe(-g === 0 ? 0 : -g);
    });
    expect(m.z.length).toBe(15 * 15 * 2);
    for (let i = 0; i < 15; i++) {
      for (let j = 0; j < 15; j++) {
        expect(m.z[(i * 15 + j) * 2]).toBe(Math.fround(m.grid[j]!));
        expect(m.z[(i * 15 + j) * 2 + 1]).toBe(Math.fround(m.grid[i]!));
      }
    }
  });

  it("uses a mixture prior's mean and sd (flagged as an approximation)", async () => {
    const ir = compileIR(MIXTURE_SOURCE);
    const w = await randomWeights(tf, ir, 5);
    w["param.mix_logits"]!.values.set([0, Math.log(3), -50]);
    w["param.mix_loc"]!.values.set([-1, 2, 3, 2, 0, 0]);
    w["param.mix_log_scale"]!.values.fill(0);
    const m = (await withoutLeaks(tf, () => manifoldLatents(ir, w, { steps: 4, ...OPTS })))!;
    expect(m.approximate).toBe(true);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(m.z[(i * 4 + j) * 2]! - (2 + 2 * m.grid[j]!))).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(m.z[(i * 4 + j) * 2 + 1]! - (2 + m.grid[i]!))).toBeLessThanOrEqual(1e-5);
      }
    }
  });

  it("is null unless the latent is continuous and 2-D", async () => {
    const { ir, w } = await fourDimModel(Array(12).fill(0));
    expect(await manifoldLatents(ir, w, OPTS)).toBeNull();
    const bin = compileIR(BINARY_LATENT_SOURCE);
    expect(await manifoldLatents(bin, await randomWeights(tf, bin, 1), OPTS)).toBeNull();
  });
});
