import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import { categoricalPanels, empiricalDistribution } from "../../src/engine/inspect/index.js";
import { brokenElboSamples } from "../../src/data/toy.js";
import {
  compileIR,
  dataset,
  LINEAR_SOURCE,
  OPTS,
  randomWeights,
  startBackend,
  tableSource,
  w64,
  withoutLeaks,
} from "./inspect-fixtures.js";
import { f32Bound, uniforms } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  tf = await startBackend();
});

const softmaxRows = (logits: number[], rows: number, k: number) =>
  Array.from({ length: rows }, (_, r) => {
    const row = logits.slice(r * k, (r + 1) * k);
    const z = row.reduce((s, l) => s + Math.exp(l), 0);
    return row.map((l) => Math.exp(l) / z);
  });

/** Σ of K float32 probabilities, each within a few roundings of its value. */
const SUM_TOL = (k: number) => 4 * k * 2 ** -24;

function expectVectorClose(got: number[], want: number[], tol: number) {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `entry ${i}`).toBeLessThanOrEqual(tol));
}

describe("categoricalPanels (Alemi et al. 2018, Fig. 2)", () => {
  const kx = 5;
  const kz = 4;

  it("matches a float64 enumeration from the tables, and every distribution sums to 1", async () => {
    const ir = compileIR(tableSource(kx, kz));
    const w = await randomWeights(tf, ir, 21, 2);
    const u = uniforms(5);
    // 1200 rows, category 3 never drawn.
    const rows = Array.from({ length: 1200 }, () => [0, 1, 2, 4][Math.floor(u() * 4)]!);
    const data = dataset(rows, 1);
    const p = (await withoutLeaks(tf, () => categoricalPanels(ir, w, data, OPTS)))!;

    const empirical = Array.from(
      { length: kx },
      (_, x) => rows.filter((r) => r === x).length / 1200,
    );
    const e = softmaxRows(w64(w, "net.encoder_table.table"), kx, kz);
    const d = softmaxRows(w64(w, "net.decoder_table.table"), kz, kx);
    const m = softmaxRows(w64(w, "param.marginal_logits"), 1, kz)[0]!;
    const agg = Array.from({ length: kz }, (_, z) =>
      empirical.reduce((s, px, x) => s + px * e[x]![z]!, 0),
    );
    const mix = (wz: number[]) =>
      Array.from({ length: kx }, (_, x) => wz.reduce((s, v, z) => s + v * d[z]![x]!, 0));
    // Float32 softmax probabilities (a few roundings each), summed over ≤ 5 terms in float64.
    const tol = f32Bound(16, 1);

    expect(p.empirical).toEqual(empirical);
    expect(p.empirical[3]).toBe(0);
    expectVectorClose(p.marginal, m, tol);
    expectVectorClose(p.aggregate, agg, tol);
    expectVectorClose(p.generative, mix(m), tol);
    expectVectorClose(p.reconstruction, mix(agg), tol);
    p.encoder.forEach((row, x) => expectVectorClose(row, e[x]!, tol));
    p.decoder.forEach((row, z) => expectVectorClose(row, d[z]!, tol));
    p.transition.forEach((row, x) => expectVectorClose(row, mix(e[x]!), tol));
    // The reconstruction is the data pushed through the transition matrix.
    expectVectorClose(
      p.reconstruction,
      Array.from({ length: kx }, (_, x2) =>
        empirical.reduce((s, px, x) => s + px * p.transition[x]![x2]!, 0),
      ),
      1e-12,
    );

    const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
    for (const v of [p.empirical, p.generative, p.reconstruction, p.marginal, p.aggregate]) {
      expect(Math.abs(sum(v) - 1)).toBeLessThanOrEqual(SUM_TOL(Math.max(kx, kz)));
    }
    expect(p.encoder.length).toBe(kx);
    expect(p.decoder.length).toBe(kz);
    expect(p.transition.length).toBe(kx);
    for (const row of [...p.encoder, ...p.decoder, ...p.transition]) {
      expect(Math.abs(sum(row) - 1)).toBeLessThanOrEqual(SUM_TOL(Math.max(kx, kz)));
      expect(row.every((v) => v >= 0)).toBe(true);
    }
  });

  it("runs on the toy's 10,000-row test split at its real size (30 × 30)", async () => {
    const ir = compileIR(tableSource(30, 30));
    const w = await randomWeights(tf, ir, 2, 3);
    const { test } = brokenElboSamples();
    const p = (await withoutLeaks(tf, () => categoricalPanels(ir, w, test, OPTS)))!;
    expect(p.transition.length).toBe(30);
    expect(p.transition[0]!.length).toBe(30);
    expect(p.empirical.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("is null unless data and latent are each one categorical variable", async () => {
    const lin = compileIR(LINEAR_SOURCE);
    const w = await randomWeights(tf, lin, 1);
    expect(await categoricalPanels(lin, w, dataset([0, 1, 1], 3), OPTS)).toBeNull();
  });

  it("rejects data outside the categories", () => {
    expect(() => empiricalDistribution(dataset([0, 5], 1), 5)).toThrow(
      /5 is not a category in 0\.\.4/,
    );
    expect(() => empiricalDistribution(dataset([0.5], 1), 5)).toThrow();
    expect(empiricalDistribution(dataset([], 1), 3)).toEqual([0, 0, 0]);
  });
});
