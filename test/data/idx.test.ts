import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundledDataDir, loadDataFile, parseIdx, parseIdxHeader } from "../../src/data/index.js";
import { categorical, idxBytes, real, unit } from "./helpers.js";

const bundled = (name: string) => gunzipSync(readFileSync(join(bundledDataDir(), "mnist", name)));

describe("IDX header", () => {
  it("reads the MNIST test images and labels headers", () => {
    expect(parseIdxHeader(bundled("t10k-images-idx3-ubyte.gz"))).toEqual({
      type: "uint8",
      elementBytes: 1,
      dims: [10_000, 28, 28],
      dataOffset: 16,
    });
    expect(parseIdxHeader(bundled("t10k-labels-idx1-ubyte.gz"))).toEqual({
      type: "uint8",
      elementBytes: 1,
      dims: [10_000],
      dataOffset: 8,
    });
  });

  it("explains why bytes are not a usable IDX file", () => {
    expect(parseIdxHeader(new Uint8Array([0, 0]))).toMatch(/too short/);
    expect(parseIdxHeader(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]))).toMatch(/magic/);
    expect(parseIdxHeader(new Uint8Array([0, 0, 7, 1, 0, 0, 0, 0]))).toMatch(/element type 0x7/);
    expect(parseIdxHeader(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]))).toMatch(/truncated IDX header/);
    expect(parseIdxHeader(idxBytes(0x08, [2, 3], new Uint8Array(5)))).toBe(
      "truncated IDX data: header promises 18 bytes, file has 17",
    );
  });
});

describe("IDX data", () => {
  it("decodes big-endian element types", () => {
    const be = (n: number, write: (v: DataView) => void) => {
      const b = new Uint8Array(n);
      write(new DataView(b.buffer));
      return b;
    };
    const cases: [number, Uint8Array, number[]][] = [
      [0x09, Uint8Array.from([0xff, 0x02]), [-1, 2]],
      [0x0b, be(4, (v) => (v.setInt16(0, -300, false), v.setInt16(2, 7, false))), [-300, 7]],
      [0x0c, be(8, (v) => (v.setInt32(0, -70000, false), v.setInt32(4, 5, false))), [-70000, 5]],
      [0x0d, be(8, (v) => (v.setFloat32(0, 0.25, false), v.setFloat32(4, -1.5, false))), [0.25, -1.5]],
      [0x0e, be(16, (v) => (v.setFloat64(0, 1e-3, false), v.setFloat64(8, 2, false))), [Math.fround(1e-3), 2]],
    ];
    for (const [type, payload, expected] of cases) {
      const r = parseIdx(idxBytes(type, [2], payload), "t.idx", real());
      expect(r.diagnostics, `type 0x${type.toString(16)}`).toEqual([]);
      expect(Array.from(r.value!.values)).toEqual(expected);
    }
  });

  it("scales uint8 to [0, 1] for unit and real data but keeps integers for categorical", () => {
    const bytes = idxBytes(0x08, [1, 3], Uint8Array.from([0, 51, 255]));
    expect(Array.from(parseIdx(bytes, "t", unit(3)).value!.values)).toEqual([0, Math.fround(0.2), 1]);
    expect(Array.from(parseIdx(bytes, "t", real(3)).value!.values)).toEqual([0, Math.fround(0.2), 1]);
    const labels = idxBytes(0x08, [3], Uint8Array.from([7, 2, 1]));
    expect(Array.from(parseIdx(labels, "t", categorical(10)).value!.values)).toEqual([7, 2, 1]);
  });

  it("loads the bundled MNIST test labels as categorical<10>", async () => {
    const path = join(bundledDataDir(), "mnist", "t10k-labels-idx1-ubyte.gz");
    const r = await loadDataFile(path, categorical(10));
    expect(r.value).toMatchObject({ rows: 10_000, dim: 1 });
    // The first test digits, and the class counts of the official test set.
    expect(Array.from(r.value!.values.slice(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts = new Array(10).fill(0);
    for (const v of r.value!.values) counts[v]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });
});
