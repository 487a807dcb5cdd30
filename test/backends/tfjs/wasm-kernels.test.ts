import { beforeAll, describe, expect, it } from "vitest";
import {
  initBackend,
  loadTf,
  matMulOverrideRegistrations,
  overrideRegistrations,
  setMatMulTransposeOverride,
  segmentSumRegistrations,
  setOverrideEnabled,
  WASM_OVERRIDES,
} from "../../../src/backends/tfjs/backend.js";
import {
  SWAP_MIN_PACKED,
  generatedMatMulCalls,
  setGeneratedMatMul,
} from "../../../src/backends/tfjs/wasm-kernels/batch-matmul.js";
import { GEMM_ROW_BLOCK } from "../../../src/backends/tfjs/simd-gemm.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import { f32Bound, randomF32, U32, uniforms } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  const b = await initBackend("wasm");
  expect(b.name).toBe("wasm");
  tf = await loadTf();
});

/** Reference batched matmul in float64 on row-major data, with its error scale Σ|a||b|. */
function refMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  ta: boolean,
  tb: boolean,
): { values: Float64Array; scale: Float64Array; shape: number[] } {
  const batch = aShape.length === 3 ? aShape[0]! : 1;
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const values = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sa = 0;
        for (let l = 0; l < k; l++) {
          const av = a[p * ar * ac + (ta ? l * ac + i : i * ac + l)]!;
          const bv = b[p * br * bc + (tb ? j * bc + l : l * bc + j)]!;
          s += av * bv;
          sa += Math.abs(av * bv);
        }
        values[p * m * n + i * n + j] = s;
        scale[p * m * n + i * n + j] = sa;
      }
    }
  }
  return { values, scale, shape: aShape.length === 3 ? [batch, m, n] : [m, n] };
}

function expectMatMulClose(out: Tensor, ref: ReturnType<typeof refMatMul>, k: number): void {
  expect(out.shape).toEqual(ref.shape);
  const got = out.dataSync();
  for (let i = 0; i < got.length; i++) {
    // Dot product of length k in float32: |error| ≤ γ_k Σ|a_l b_l| (plus the final rounding).
    expect(Math.abs(got[i]! - ref.values[i]!)).toBeLessThanOrEqual(f32Bound(k + 1, ref.scale[i]!));
  }
}

/**
 * Random operands of op(A)·op(B) with op(A) [m×k], op(B) [k×n], stored transposed where the
 * flags say so, with a leading batch dimension unless `batch` is 0.
 */
function operands(
  [m, k, n]: [number, number, number],
  ta: boolean,
  tb: boolean,
  batch: number,
  seed: number,
) {
  const lead = batch === 0 ? [] : [batch];
  const aShape = [...lead, ...(ta ? [k, m] : [m, k])];
  const bShape = [...lead, ...(tb ? [n, k] : [k, n])];
  const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
  return {
    a: randomF32(size(aShape), seed + batch),
    aShape,
    b: randomF32(size(bShape), seed + 12 + batch),
    bShape,
  };
}

describe("BatchMatMul override", () => {
  const combos: [boolean, boolean][] = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];

  it("is registered exactly once, however often the backend is initialised", async () => {
    await initBackend("wasm");
    await initBackend("auto");
    expect(matMulOverrideRegistrations()).toBe(1);
    for (const k of WASM_OVERRIDES) expect(overrideRegistrations(k)).toBe(1);
  });

  for (const [ta, tb] of combos) {
    it(`matches the untransposed math for transposeA=${ta}, transposeB=${tb} (2-D and 3-D)`, () => {
      const m = 5;
      const k = 7;
      const n = 3;
      for (const batch of [0, 2]) {
        const { a, aShape, b, bShape } = operands([m, k, n], ta, tb, batch, 11);
        const ref = refMatMul(a, aShape, b, bShape, ta, tb);
        for (const on of [true, false]) {
          setMatMulTransposeOverride(on);
          const out = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
          expectMatMulClose(out, ref, k);
          out.dispose();
        }
        setMatMulTransposeOverride(true);
      }
    });
  }

  for (const [ta, tb] of combos) {
    it(`computes (op(B)ᵀ·op(A)ᵀ)ᵀ with the stock kernel exactly as the math when M < N and K·N is large (transposeA=${ta}, transposeB=${tb})`, () => {
      // K·N = 300·256 ≥ SWAP_MIN_PACKED and M = 6 < N: the swapped form, which is what
      // products take when the generated kernels are off.
      const [m, k, n] = [6, 300, 256];
      expect(k * n).toBeGreaterThanOrEqual(SWAP_MIN_PACKED);
      setGeneratedMatMul(false);
      try {
        for (const batch of [0, 2]) {
          const { a, aShape, b, bShape } = operands([m, k, n], ta, tb, batch, 31);
          const backend = tf.engine().backend as unknown as { numDataIds(): number };
          const before = backend.numDataIds();
          const out = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
          expectMatMulClose(out, refMatMul(a, aShape, b, bShape, ta, tb), k);
          out.dispose();
          expect(backend.numDataIds()).toBe(before);
        }
      } finally {
        setGeneratedMatMul(true);
      }
    });
  }

  for (const [ta, tb] of combos) {
    it(`runs the generated SIMD kernels for every tile remainder (transposeA=${ta}, transposeB=${tb})`, () => {
      const memory = (tf.engine().backend as unknown as { wasm: { asm: { memory: object } } }).wasm
        .asm.memory;
      // Rows cover 4-row tiles with remainders 0–3 and more than one row block; columns
      // cover 8-wide panels with every remainder 0–7 (1–3 lanes take partial loads and
      // stores); the 3-D case runs each batch at its own offsets.
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [3, 5, 2],
        [4, 3, 7],
        [5, 8, 8],
        [9, 17, 13],
        [6, 4, 11],
        [7, 2, 9],
        [2, 6, 30],
        [GEMM_ROW_BLOCK * 2 + 3, 9, 12],
        [50, 33, 20],
      ];
      for (const [m, k, n] of shapes) {
        for (const batch of [0, 3]) {
          const { a, aShape, b, bShape } = operands([m, k, n], ta, tb, batch, m * 7 + n);
          const backend = tf.engine().backend as unknown as { numDataIds(): number };
          const before = backend.numDataIds();
          const calls = generatedMatMulCalls();
          const out = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
          expectMatMulClose(out, refMatMul(a, aShape, b, bShape, ta, tb), k);
          out.dispose();
          // The product went through a generated kernel, and freed any transposed operand
          // it materialised.
          expect(generatedMatMulCalls()).toBe(calls + 1);
          expect(backend.numDataIds()).toBe(before);
        }
      }
    });
  }

  it("writes nothing outside the result (guard values around the output survive)", () => {
    // Results are separate allocations; a kernel writing past its tile would corrupt the
    // neighbouring tensors allocated right after it.
    const [m, k, n] = [7, 5, 13];
    for (const [ta, tb] of combos) {
      const { a, aShape, b, bShape } = operands([m, k, n], ta, tb, 0, 5);
      const before = tf.tensor(new Float32Array(64).fill(7));
      const out = tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb);
      const after = tf.tensor(new Float32Array(64).fill(9));
      expectMatMulClose(out, refMatMul(a, aShape, b, bShape, ta, tb), k);
      expect(Array.from(before.dataSync()).every((v) => v === 7)).toBe(true);
      expect(Array.from(after.dataSync()).every((v) => v === 9)).toBe(true);
      tf.dispose([before, out, after]);
    }
  });

  it("gives matMul gradients (which use transpose flags) equal to the reference", () => {
    const [m, k, n] = [4, 6, 3];
    const a = randomF32(m * k, 1);
    const b = randomF32(k * n, 2);
    const c = randomF32(m * n, 3);
    const [da, db] = tf.tidy(() => {
      const g = tf.grads((x: Tensor, y: Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y), tf.tensor(c, [m, n]))),
      );
      return g([tf.tensor(a, [m, k]), tf.tensor(b, [k, n])]);
    }) as [Tensor, Tensor];
    // dA = C·Bᵀ, dB = Aᵀ·C
    expectMatMulClose(da, refMatMul(c, [m, n], b, [k, n], false, true), n);
    expectMatMulClose(db, refMatMul(a, [m, k], c, [m, n], true, false), m);
    tf.dispose([da, db]);
  });

  it("frees its transposed intermediates", () => {
    const a = tf.tensor(randomF32(12, 4), [4, 3]);
    const a2 = tf.tensor(randomF32(12, 6), [3, 4]);
    const b = tf.tensor(randomF32(20, 5), [5, 4]);
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    tf.matMul(a, b, true, true).dispose();
    tf.matMul(a2, b, false, true).dispose();
    expect(() => tf.matMul(a2, b, true, true)).toThrow();
    expect(backend.numDataIds()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([a, a2, b]);
  });
});

describe("other wasm kernel overrides", () => {
  it("Identity shares the buffer and survives disposal of the original", () => {
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });

  it("Slice copies exactly what the stock kernel copies, for ranks 1 to 5", () => {
    const u = uniforms(5);
    const shapes = [[9], [6, 5], [4, 3, 5], [3, 4, 2, 3], [2, 3, 2, 3, 2]];
    for (const shape of shapes) {
      const n = shape.reduce((p, d) => p * d, 1);
      const values = Float32Array.from({ length: n }, (_, i) => i);
      for (let trial = 0; trial < 20; trial++) {
        const begin = shape.map((d) => Math.floor(u() * d));
        const size = shape.map((d, i) => 1 + Math.floor(u() * (d - begin[i]!)));
        if (trial === 0) size.fill(-1); // "to the end" on every axis
        setOverrideEnabled("Slice", false);
        const expected = tf.tidy(() => tf.slice(tf.tensor(values, shape), begin, size).dataSync());
        setOverrideEnabled("Slice", true);
        const got = tf.tidy(() => tf.slice(tf.tensor(values, shape), begin, size).dataSync());
        expect(Array.from(got)).toEqual(Array.from(expected));
      }
    }
  });

  it("Tile gives the stock kernel's result for ranks 1 to 4, every dtype and any reps", () => {
    const cases: [number[], number[]][] = [
      [[5], [3]],
      [
        [2, 3],
        [4, 1],
      ],
      [
        [2, 3],
        [1, 5],
      ],
      [
        [3, 1, 4],
        [2, 6, 1],
      ],
      [
        [2, 2, 3, 2],
        [2, 3, 1, 2],
      ],
      [
        [4, 784],
        [7, 1],
      ],
      [
        [2, 3],
        [0, 2],
      ],
    ];
    let seed = 40;
    for (const [shape, reps] of cases) {
      for (const dtype of ["float32", "int32", "bool"] as const) {
        const n = shape.reduce((p, d) => p * d, 1);
        const values = Array.from(randomF32(n, seed++, -50, 50), (v) =>
          dtype === "bool" ? (v > 0 ? 1 : 0) : dtype === "int32" ? Math.round(v) : v,
        );
        const x = tf.tensor(values, shape, dtype);
        const results = [true, false].map((on) => {
          setOverrideEnabled("Tile", on);
          const t = tf.tile(x, reps);
          const r = { shape: t.shape, values: Array.from(t.dataSync()) };
          t.dispose();
          return r;
        });
        setOverrideEnabled("Tile", true);
        expect(results[0]).toEqual(results[1]);
        x.dispose();
      }
    }
  });

  it("GatherV2 along axis 0 returns the indexed rows (float32 and int32)", () => {
    const rows = tf.tensor(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [4, 3],
    );
    const idx = tf.tensor1d([3, 0, 3, 1], "int32");
    const g = tf.gather(rows, idx);
    expect(g.shape).toEqual([4, 3]);
    expect(Array.from(g.dataSync())).toEqual([9, 10, 11, 0, 1, 2, 9, 10, 11, 3, 4, 5]);
    const ints = tf.gather(tf.tensor1d([5, 6, 7], "int32"), tf.tensor2d([[2, 0]], [1, 2], "int32"));
    expect(ints.shape).toEqual([1, 2]);
    expect(ints.dtype).toBe("int32");
    expect(Array.from(ints.dataSync())).toEqual([7, 5]);
    expect(() => tf.gather(rows, tf.tensor1d([4], "int32"))).toThrow();
    tf.dispose([rows, idx, g, ints]);
  });

  it("Tanh is within 6 float32 roundings of tanh in relative error, and exact in sign and limit", () => {
    const x = new Float32Array([
      ...randomF32(4000, 10, -12, 12),
      ...randomF32(400, 11, -0.7, 0.7),
      ...randomF32(200, 12, -1e-3, 1e-3),
    ]);
    x.set([0, 1e-30, -1e-30, 40, -40, 0.625, -0.625, Math.fround(0.625 - 6e-8), 9, -9], 0);
    const got = tf.tidy(() => tf.tanh(tf.tensor(x)).dataSync());
    for (let i = 0; i < x.length; i++) {
      const t = Math.tanh(x[i]!);
      // Series branch (|x| < 0.625): Cephes' tanhf, ≈ 2.2 u. Exponential branch: exp's ≈ 2 u
      // shrinks to ≤ 1.2 u through (1 − e)/(1 + e) for e ≤ e^−1.25, plus three roundings.
      expect(Math.abs(got[i]! - t)).toBeLessThanOrEqual(6 * U32 * Math.abs(t));
    }
    expect([got[3], got[4], got[8], got[9]]).toEqual([1, -1, 1, -1]);
    const s = tf.tidy(() => tf.tanh(tf.tensor([-0, Infinity, -Infinity, NaN])).dataSync());
    expect(Object.is(s[0], -0)).toBe(true);
    expect([s[1], s[2]]).toEqual([1, -1]);
    expect(Number.isNaN(s[3]!)).toBe(true);
  });

  it("Softplus is within 8 float32 ulps of log(1 + eˣ), and exact at ±∞ and NaN", () => {
    const x = new Float32Array([
      ...randomF32(4000, 12, -30, 30),
      ...randomF32(400, 13, -1e-3, 1e-3),
      ...randomF32(400, 14, -120, 120),
    ]);
    x.set([0, 1e-30, -1e-30, 88, -87, 1e30, -1e30], 0);
    const special = new Float32Array([Infinity, -Infinity, NaN]);
    const got = tf.tidy(() => tf.softplus(tf.tensor(x)).dataSync());
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const t = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      // exp ≈ 1 ulp (Cephes), then the quotient, the series and the sum: a few roundings;
      // below −87.3 e^x is replaced by e^−87.3 (an absolute 2e−38, see simd-softplus.ts).
      expect(Math.abs(got[i]! - t)).toBeLessThanOrEqual(8 * U32 * t + 2e-38);
    }
    const s = tf.tidy(() => tf.softplus(tf.tensor(special)).dataSync());
    expect([s[0], s[1]]).toEqual([Infinity, 0 + s[1]!]);
    expect(s[1]!).toBeLessThan(2e-38);
    expect(Number.isNaN(s[2]!)).toBe(true);
  });

  it("adds the missing UnsortedSegmentSum kernel, so gather (table lookup) has a gradient", () => {
    expect(segmentSumRegistrations()).toBe(1);
    const table = tf.variable(tf.zeros([4, 2]));
    const idx = tf.tensor1d([1, 3, 1, 0, 7], "int32");
    const dy = tf.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.gather(table, tf.minimum(idx, tf.scalar(3, "int32"))), dy)) as never,
      [table],
    );
    // Row r of the gradient is the sum of dy rows whose index is r (7 is clipped to 3).
    expect(grads[table.name]!.arraySync()).toEqual([
      [7, 8],
      [6, 8],
      [0, 0],
      [12, 14],
    ]);
    const direct = tf.unsortedSegmentSum(dy, idx, 4);
    // Out-of-range ids are dropped.
    expect(direct.arraySync()).toEqual([
      [7, 8],
      [6, 8],
      [0, 0],
      [3, 4],
    ]);
    tf.dispose([table, idx, dy, value, grads[table.name]!, direct]);
  });
});
