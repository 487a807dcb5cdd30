import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import {
  activeUnits,
  ACTIVE_UNIT_THRESHOLD,
  dataEntropy,
  empiricalEntropy,
} from "../../src/engine/diagnostics/index.js";
import { linearWeightRecord, withWeights } from "./diagnostics-fixtures.js";
import { brokenElboIR, linearVaeIR } from "./fixtures.js";
import { f32Bound, randomF32 } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

describe("active units (Burda et al. 2016)", () => {
  const d = 4;
  const k = 4;
  const rows = 500;
  const x = Array.from(randomF32(rows * d, 11, -1, 1));
  // Column u of We drives unit u: units 0 and 1 read x, unit 2 barely does (variance
  // below 0.01), unit 3 is dead (its mean is the bias alone, whatever x is).
  const We = [
    [1.0, 0.0, 0.01, 0],
    [0.5, -0.8, 0.02, 0],
    [0.0, 0.6, -0.01, 0],
    [-0.3, 0.2, 0.03, 0],
  ].flat();
  const be = [0.1, -0.2, 0.3, 0.7];

  /** Population variance over rows of x·We[:, u] + be[u], in float64. */
  const variance = (u: number) => {
    const means = Array.from({ length: rows }, (_, r) =>
      [0, 1, 2, 3].reduce((s, i) => s + x[r * d + i]! * Math.fround(We[i * k + u]!), be[u]!),
    );
    const m = means.reduce((s, v) => s + v, 0) / rows;
    return means.reduce((s, v) => s + (v - m) ** 2, 0) / rows;
  };

  it("counts the units whose posterior mean varies with x by more than 0.01", async () => {
    const m = withWeights(
      tf,
      linearVaeIR(d, k),
      linearWeightRecord({
        We,
        be,
        ls: [0, 0, 0, 0],
        Wd: Array<number>(k * d).fill(0.1),
        bd: [0, 0, 0, 0],
        logSigma: 0,
      }),
    );
    const xt = tf.tensor(x, [rows, d]);
    const res = (await activeUnits(m, xt, { batch: 128 }))!;
    const want = [0, 1, 2, 3].map(variance);
    expect(want[2]!).toBeLessThan(ACTIVE_UNIT_THRESHOLD);
    expect(want[1]!).toBeGreaterThan(ACTIVE_UNIT_THRESHOLD);
    res.variances.forEach((v, u) =>
      // Each mean is a 4-term float32 dot product of magnitude ≤ ~3, squared and averaged.
      expect(Math.abs(v - want[u]!)).toBeLessThanOrEqual(f32Bound(16, 9)),
    );
    expect(res.variances[3]).toBe(0);
    expect(res.count).toBe(2);
    // A lower threshold admits the weak unit, never the dead one.
    expect((await activeUnits(m, xt, { batch: 500, threshold: want[2]! / 2 }))!.count).toBe(3);
    xt.dispose();
    m.dispose();
  });

  it("is null for a categorical latent, whose index has no mean", async () => {
    const m = withWeights(tf, brokenElboIR(3), {
      "net.encoder_table.table": Array<number>(9).fill(0),
      "net.decoder_table.table": Array<number>(9).fill(0),
      "param.marginal_logits": [0, 0, 0],
    });
    const xt = tf.tensor([0, 1, 2], [3], "int32");
    expect(await activeUnits(m, xt, { batch: 10 })).toBeNull();
    xt.dispose();
    m.dispose();
  });
});

describe("data entropy", () => {
  const ds = (rows: number[][]) => ({
    source: "t",
    rows: rows.length,
    dim: rows[0]!.length,
    values: Float32Array.from(rows.flat()),
  });

  it("is the plug-in entropy of the rows: log N when all are distinct", () => {
    const distinct = ds([
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
      [2, 1],
    ]);
    expect(empiricalEntropy(distinct)).toBeCloseTo(Math.log(5), 14);
    const repeats = ds([
      [1, 0],
      [1, 0],
      [0, 1],
      [3, 3],
    ]);
    const h = -(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25));
    expect(empiricalEntropy(repeats)).toBeCloseTo(h, 14);
  });

  it("prefers a known entropy, falls back to plug-in for discrete data, null for real", () => {
    const d = ds([[0], [1], [1]]);
    expect(dataEntropy("categorical", 2.5, d)).toEqual({ value: 2.5, source: "exact" });
    expect(dataEntropy("binary", null, d)!.source).toBe("empirical");
    expect(dataEntropy("real", null, d)).toBeNull();
    expect(dataEntropy("unit", undefined, d)).toBeNull();
  });
});
