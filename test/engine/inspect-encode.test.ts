import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import {
  dataRowProblems,
  encodedColumns,
  encodeRows,
  reconstructRows,
} from "../../src/engine/inspect/index.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";
import {
  affine,
  BINARY_LATENT_SOURCE,
  compileIR,
  CONSTANT_DECODER_SOURCE,
  dataset,
  LINEAR_SOURCE,
  OPTS,
  randomWeights,
  startBackend,
  tableSource,
  w64,
  withoutLeaks,
} from "./inspect-fixtures.js";
import { randomBinary } from "./fixtures.js";
import { f32Bound } from "./numeric.js";

let tf: Tf;
let lin: ModelIR;
let linW: NamedWeights;
// 1100 rows: two batches.
const rows = 1100;
const x = dataset(randomBinary(rows, 3, 42, 0.5), 3);

beforeAll(async () => {
  tf = await startBackend();
  lin = compileIR(LINEAR_SOURCE);
  linW = await randomWeights(tf, lin, 3);
});

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const row = (r: number) => x.values.subarray(r * 3, r * 3 + 3);
// Affine maps of 3 inputs with weights and inputs in [−1, 1]: magnitudes ≤ 4.
const TOL = f32Bound(12, 4);

describe("encodeRows", () => {
  it("a Normal encoder: loc and exp(log_scale) per dimension, as computed from the weights", async () => {
    const e = await withoutLeaks(tf, () => encodeRows(lin, linW, x, OPTS));
    expect(e.columns).toEqual(["z0_mean", "z0_sd", "z1_mean", "z1_sd"]);
    expect(e.rows).toBe(rows);
    expect(e.values.length).toBe(rows * 4);
    const locW = w64(linW, "net.enc_loc.0.W");
    const locB = w64(linW, "net.enc_loc.0.b");
    const lsW = w64(linW, "net.enc_ls.0.W");
    const lsB = w64(linW, "net.enc_ls.0.b");
    for (let r = 0; r < rows; r++) {
      const loc = affine(row(r), locW, locB);
      const sd = affine(row(r), lsW, lsB).map(Math.exp);
      for (let u = 0; u < 2; u++) {
        expect(Math.abs(e.values[r * 4 + 2 * u]! - loc[u]!)).toBeLessThanOrEqual(TOL);
        // exp amplifies the log-scale's absolute error into a relative one.
        expect(Math.abs(e.values[r * 4 + 2 * u + 1]! - sd[u]!)).toBeLessThanOrEqual(
          TOL * 3 * sd[u]!,
        );
      }
    }
    // Deterministic: no sampling involved.
    expect((await encodeRows(lin, linW, x, OPTS)).values).toEqual(e.values);
  });

  it("a binary latent: q(z_u = 1|x) = σ(enc(x)) per dimension", async () => {
    const ir = compileIR(BINARY_LATENT_SOURCE);
    const w = await randomWeights(tf, ir, 4);
    const data = dataset(randomBinary(50, 4, 5), 4);
    const e = await withoutLeaks(tf, () => encodeRows(ir, w, data, OPTS));
    expect(e.columns).toEqual(["z0_p", "z1_p", "z2_p"]);
    const W = w64(w, "net.enc.0.W");
    const b = w64(w, "net.enc.0.b");
    for (let r = 0; r < 50; r++) {
      affine(data.values.subarray(r * 4, r * 4 + 4), W, b)
        .map(sigmoid)
        .forEach((p, u) => expect(Math.abs(e.values[r * 3 + u]! - p)).toBeLessThanOrEqual(TOL));
    }
  });

  it("a categorical latent: the probability vector e(z|x), z_p0 … z_p{K−1}", async () => {
    const ir = compileIR(tableSource(4, 3));
    const w = await randomWeights(tf, ir, 6, 2);
    const data = dataset([0, 3, 1, 2, 3], 1);
    const e = await withoutLeaks(tf, () => encodeRows(ir, w, data, OPTS));
    expect(e.columns).toEqual(["z_p0", "z_p1", "z_p2"]);
    const table = w64(w, "net.encoder_table.table");
    data.values.forEach((xv, r) => {
      const logits = table.slice(xv * 3, xv * 3 + 3);
      const z = logits.reduce((s, l) => s + Math.exp(l), 0);
      logits.forEach((l, k) =>
        expect(Math.abs(e.values[r * 3 + k]! - Math.exp(l) / z)).toBeLessThanOrEqual(
          f32Bound(16, 1),
        ),
      );
    });
  });

  it("names columns for scalar and multi-index latents", () => {
    expect(encodedColumns({ name: "z", kind: "real", shape: [] }, true)).toEqual([
      "z_mean",
      "z_sd",
    ]);
    expect(encodedColumns({ name: "code", kind: "binary", shape: [2] }, true)).toEqual([
      "code0_p",
      "code1_p",
    ]);
    expect(
      encodedColumns({ name: "z", kind: "categorical", shape: [2], categories: 2 }, false),
    ).toEqual(["z0_p0", "z0_p1", "z1_p0", "z1_p1"]);
  });
});

describe("data that does not fit the model", () => {
  it("is named by dataRowProblems and rejected before anything runs", async () => {
    expect(dataRowProblems(lin, x)).toEqual([]);
    const wide = dataset([0, 1, 0, 1], 4);
    expect(dataRowProblems(lin, wide)[0]).toMatch(/rows have 4 values, 'x' needs 3/);
    const notBinary = dataset([0, 1, 0, 1, 0.5, 1], 3);
    expect(dataRowProblems(lin, notBinary)[0]).toMatch(/row 1: 'x' needs 0 or 1.*0\.5/);
    const before = tf.memory().numTensors;
    await expect(encodeRows(lin, linW, wide, OPTS)).rejects.toThrow(/4 values/);
    await expect(reconstructRows(lin, linW, notBinary, { seed: 1, ...OPTS })).rejects.toThrow(
      /0 or 1/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("reconstructRows", () => {
  it("equals the constant σ(c) when the decoder ignores z", async () => {
    const ir = compileIR(CONSTANT_DECODER_SOURCE);
    const w = await randomWeights(tf, ir, 8, 3);
    const out = await withoutLeaks(tf, () => reconstructRows(ir, w, x, { seed: 1, ...OPTS }));
    expect(out.length).toBe(rows * 3);
    const want = w64(w, "param.c").map(sigmoid);
    for (let r = 0; r < rows; r++) {
      want.forEach((p, j) =>
        expect(Math.abs(out[r * 3 + j]! - p)).toBeLessThanOrEqual(f32Bound(8, 1)),
      );
    }
  });

  it("a continuous latent decodes the posterior mean: σ(dec(loc(x))), whatever the seed", async () => {
    const out = await withoutLeaks(tf, () => reconstructRows(lin, linW, x, { seed: 1, ...OPTS }));
    const locW = w64(linW, "net.enc_loc.0.W");
    const locB = w64(linW, "net.enc_loc.0.b");
    const decW = w64(linW, "net.dec.0.W");
    const decB = w64(linW, "net.dec.0.b");
    for (let r = 0; r < rows; r += 7) {
      affine(affine(row(r), locW, locB), decW, decB)
        .map(sigmoid)
        .forEach((p, j) =>
          expect(Math.abs(out[r * 3 + j]! - p)).toBeLessThanOrEqual(f32Bound(32, 8)),
        );
    }
    expect(await reconstructRows(lin, linW, x, { seed: 2, ...OPTS })).toEqual(out);
  });

  it("a binary latent decodes a seeded draw z ~ q(z|x): each row is σ(dec(z)) for some z ∈ {0,1}³", async () => {
    const ir = compileIR(BINARY_LATENT_SOURCE);
    const w = await randomWeights(tf, ir, 4, 2);
    const data = dataset(randomBinary(200, 4, 5), 4);
    const out = await withoutLeaks(tf, () => reconstructRows(ir, w, data, { seed: 3, ...OPTS }));
    const W = w64(w, "net.dec.0.W");
    const b = w64(w, "net.dec.0.b");
    const codes = Array.from({ length: 8 }, (_, c) => [c & 1, (c >> 1) & 1, (c >> 2) & 1]);
    const decoded = codes.map((z) => affine(z, W, b).map(sigmoid));
    const used = new Set<number>();
    for (let r = 0; r < 200; r++) {
      const c = decoded.findIndex((d) =>
        d.every((p, j) => Math.abs(out[r * 4 + j]! - p) <= f32Bound(16, 6)),
      );
      expect(c, `row ${r}`).toBeGreaterThanOrEqual(0);
      used.add(c);
    }
    // Draws, not a fixed code: several codes occur over 200 rows.
    expect(used.size).toBeGreaterThan(1);
    expect(await reconstructRows(ir, w, data, { seed: 3, ...OPTS })).toEqual(out);
    expect(await reconstructRows(ir, w, data, { seed: 4, ...OPTS })).not.toEqual(out);
  });
});
