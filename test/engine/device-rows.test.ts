import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import type { Dataset } from "../../src/data/types.js";
import { defaultMaxChunkBytes, uploadDeviceRows } from "../../src/engine/device-rows.js";
import type { ModelIR } from "../../src/ir/types.js";
import { Rng } from "../../src/engine/rng.js";
import { brokenElboIR, linearVaeIR } from "./fixtures.js";
import { randomF32 } from "./numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

/** A data variable of shape [2, 3]: rows of 6 float32 values. */
const ir: ModelIR = (() => {
  const base = linearVaeIR(6, 2);
  return { ...base, data: { ...base.data, shape: [2, 3] } };
})();
const WIDTH = 6;
const ROW_BYTES = WIDTH * 4;
const ROWS = 1001;
const ds: Dataset = {
  source: "test/rows",
  rows: ROWS,
  dim: WIDTH,
  values: randomF32(ROWS * WIDTH, 3),
};

/** Reads `t` and frees it. */
async function take(t: Tensor): Promise<{ shape: number[]; dtype: string; values: number[] }> {
  const values = Array.from(await t.data());
  const out = { shape: [...t.shape], dtype: t.dtype, values };
  t.dispose();
  return out;
}

/** The host values of rows `indices`, in that order. */
function hostRows(d: Dataset, indices: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (const i of Array.from(indices)) {
    out.push(...Array.from(d.values.subarray(i * d.dim, (i + 1) * d.dim)));
  }
  return out;
}

describe("uploadDeviceRows", () => {
  it("keeps the data in one chunk on wasm by default", () => {
    expect(defaultMaxChunkBytes(tf)).toBe(Number.POSITIVE_INFINITY);
    const one = uploadDeviceRows(tf, ir, ds);
    expect(one.chunks).toBe(1);
    expect(one.rows).toBe(ROWS);
    one.dispose();
  });

  it("splits into the fewest balanced chunks that fit maxChunkBytes", () => {
    // 300 rows fit: 1001 rows need 4 chunks, balanced as 251, 251, 251, 248.
    const four = uploadDeviceRows(tf, ir, ds, { maxChunkBytes: 300 * ROW_BYTES + 3 });
    expect(four.chunks).toBe(4);
    four.dispose();
    const exact = uploadDeviceRows(tf, ir, ds, { maxChunkBytes: ROWS * ROW_BYTES });
    expect(exact.chunks).toBe(1);
    exact.dispose();
    expect(() => uploadDeviceRows(tf, ir, ds, { maxChunkBytes: ROW_BYTES - 1 })).toThrow(
      /exceeds the chunk size/,
    );
  });

  it("gathers a random permutation and its minibatches in order, as one chunk does", async () => {
    const one = uploadDeviceRows(tf, ir, ds);
    const many = uploadDeviceRows(tf, ir, ds, { maxChunkBytes: 300 * ROW_BYTES });
    expect(many.chunks).toBeGreaterThanOrEqual(3);
    const order = Int32Array.from(new Rng(7, "test").permutation(ROWS));
    const whole = await take(many.gather(order));
    expect(whole.shape).toEqual([ROWS, 2, 3]);
    expect(whole.dtype).toBe("float32");
    expect(whole.values).toEqual((await take(one.gather(order))).values);
    // Bit-for-bit the host rows: a gather copies, it computes nothing.
    expect(whole.values).toEqual(hostRows(ds, order));
    for (let start = 0; start < ROWS; start += 100) {
      const batch = order.slice(start, start + 100);
      const got = await take(many.gather(batch));
      expect(got.shape).toEqual([batch.length, 2, 3]);
      expect(got.values).toEqual(hostRows(ds, batch));
    }
    // Rows from a single chunk, repeated rows, and no rows at all.
    const single = Int32Array.from([260, 251, 260, 400]);
    expect((await take(many.gather(single))).values).toEqual(hostRows(ds, single));
    const none = await take(many.gather(new Int32Array(0)));
    expect(none.shape).toEqual([0, 2, 3]);
    one.dispose();
    many.dispose();
  });

  it("slices across chunk boundaries as one chunk does", async () => {
    const one = uploadDeviceRows(tf, ir, ds);
    const many = uploadDeviceRows(tf, ir, ds, { maxChunkBytes: 300 * ROW_BYTES });
    // Chunks of 251 rows: boundaries at 251, 502, 753.
    const ranges: [number, number][] = [
      [0, ROWS],
      [240, 20],
      [250, 2],
      [251, 251],
      [100, 700],
      [500, 501],
      [1000, 1],
      [753, 0],
      [ROWS, 0],
    ];
    for (const [start, size] of ranges) {
      const got = await take(many.slice(start, size));
      expect(got.shape, `${start}+${size}`).toEqual([size, 2, 3]);
      expect(got.values, `${start}+${size}`).toEqual((await take(one.slice(start, size))).values);
      expect(got.values).toEqual(
        Array.from(ds.values.subarray(start * WIDTH, (start + size) * WIDTH)),
      );
    }
    expect(() => many.slice(1000, 2)).toThrow(/exceed/);
    expect(() => many.gather(Int32Array.from([0, ROWS]))).toThrow(/outside/);
    one.dispose();
    many.dispose();
  });

  it("leaves the tensor count flat across 100 gathers and slices", async () => {
    const before = tf.memory().numTensors;
    const many = uploadDeviceRows(tf, ir, ds, { maxChunkBytes: 300 * ROW_BYTES });
    const held = tf.memory().numTensors;
    expect(held - before).toBe(many.chunks);
    const rng = new Rng(11, "batches");
    for (let i = 0; i < 100; i++) {
      const perm = rng.permutation(ROWS);
      many.gather(Int32Array.from(perm.slice(0, 64))).dispose();
      many.slice(perm[0]! % 900, 100).dispose();
    }
    expect(tf.memory().numTensors).toBe(held);
    many.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("holds a categorical data variable as int32 indices", async () => {
    const cat = brokenElboIR(30);
    const rows = 500;
    const values = Float32Array.from({ length: rows }, (_, i) => (i * 7919) % 30);
    const d: Dataset = { source: "test/cat", rows, dim: 1, values };
    const many = uploadDeviceRows(tf, cat, d, { maxChunkBytes: 120 * 4 });
    expect(many.chunks).toBe(5);
    const order = Int32Array.from(new Rng(3, "cat").permutation(rows));
    const got = await take(many.gather(order));
    expect(got.dtype).toBe("int32");
    expect(got.shape).toEqual([rows]);
    expect(got.values).toEqual(Array.from(order, (i) => values[i]!));
    const part = await take(many.slice(90, 300));
    expect(part.dtype).toBe("int32");
    expect(part.values).toEqual(Array.from(values.subarray(90, 390)));
    many.dispose();
  });

  it("rejects rows whose width does not fit the data variable", () => {
    const wrong: Dataset = { ...ds, dim: 5, values: ds.values.subarray(0, ROWS * 5) };
    expect(() => uploadDeviceRows(tf, ir, wrong)).toThrow(
      "test/rows: rows have 5 values, the data variable needs 6",
    );
  });
});
