import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  listDatasets,
  resolveDataset,
  resolveDatasetSplit,
  type Dataset,
} from "../../src/data/index.js";
import { binary, categorical, idxBytes, real, tempFiles, unit } from "./helpers.js";

const files = tempFiles();
afterAll(files.cleanup);

function mean(d: Dataset): number {
  let s = 0;
  for (const v of d.values) s += v;
  return s / d.values.length;
}

describe("listDatasets", () => {
  it("names every dataset with a one-line description", () => {
    const list = listDatasets();
    expect(list.map((d) => d.name)).toEqual([
      "binarized-mnist",
      "mnist",
      "mnist-8x8",
      "mnist-labels",
      "toy:broken-elbo",
    ]);
    for (const d of list) expect(d.description).toMatch(/^[^\n]{10,}$/);
  });
});

describe("mnist", () => {
  it("is the MNIST test set as unit[784]: 8,000 train and 2,000 test images of k/255 values", async () => {
    const r = await resolveDataset("mnist", unit(784));
    expect(r.diagnostics).toEqual([]);
    const { train, test, valid } = r.value!;
    expect([train.rows, test!.rows, valid]).toEqual([8_000, 2_000, undefined]);
    expect(train.source).toBe("mnist/train");
    for (const d of [train, test!]) {
      expect(d.dim).toBe(784);
      expect(d.values.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(
        true,
      );
    }
  });

  it("has the grey-level mean that the binarized test set estimates", async () => {
    const gray = (await resolveDataset("mnist", real(784))).value!;
    const bin = (await resolveDatasetSplit("binarized-mnist", binary(784), "test")).value!;
    let sum = 0;
    let variance = 0;
    for (const d of [gray.train, gray.test!])
      for (const p of d.values) {
        sum += p;
        variance += p * (1 - p);
      }
    const n = 10_000 * 784;
    // Each binarized pixel is Bernoulli(grey level), so the binarized mean has standard
    // error sqrt(Σ p(1−p)) / n around the grey mean.
    const se = Math.sqrt(variance) / n;
    expect(Math.abs(mean(bin) - sum / n)).toBeLessThan(5 * se);
  });

  it("aligns with mnist-labels (same order and split)", async () => {
    const labels = (await resolveDataset("mnist-labels", categorical(10))).value!;
    expect([labels.train.rows, labels.test!.rows]).toEqual([8_000, 2_000]);
    expect(Array.from(labels.train.values.slice(0, 4))).toEqual([7, 2, 1, 0]);
    expect(labels.test!.source).toBe("mnist-labels/test");
  });
});

describe("mnist-8x8", () => {
  it("is 64 values in [0, 1] per image, the 4×4 block means of the zero-padded 32×32 image", async () => {
    const small = (await resolveDataset("mnist-8x8", real(64))).value!;
    const big = (await resolveDataset("mnist", unit(784))).value!;
    expect([small.train.rows, small.test!.rows]).toEqual([8_000, 2_000]);
    expect(small.train.dim).toBe(64);
    expect(small.train.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Averaging blocks of a zero-padded image keeps the total: 1024 · mean8 = 784 · mean28.
    for (const split of ["train", "test"] as const) {
      const m8 = mean(small[split]!);
      const m28 = mean(big[split]!);
      expect(Math.abs(1024 * m8 - 784 * m28)).toBeLessThan(1e-4 * 784 * m28);
    }
    // One block computed by hand: image 0, block (3, 4) covers rows 10..13, columns 14..17.
    let s = 0;
    for (let y = 10; y < 14; y++) for (let x = 14; x < 18; x++) s += big.train.values[y * 28 + x];
    expect(small.train.values[3 * 8 + 4]).toBeCloseTo(s / 16, 6);
    // The corner block holds only padding and the image's 2×2 corner, which is blank.
    expect(small.train.values[0]).toBe(0);
  });

  it("fits a unit[64] variable but not a binary[64] one", async () => {
    expect((await resolveDataset("mnist-8x8", unit(64))).diagnostics).toEqual([]);
    const r = await resolveDataset("mnist-8x8", binary(64));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["dataset-mismatch"]);
  });
});

describe("split selection", () => {
  it("reads only the requested split and returns it as train as well", async () => {
    const r = await resolveDataset("binarized-mnist", binary(784), { split: "test" });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.test!.rows).toBe(10_000);
    expect(r.value!.train).toBe(r.value!.test);
    expect(r.value!.valid).toBeUndefined();
    const s = await resolveDatasetSplit("toy:broken-elbo", categorical(30), "test");
    expect(s.value!.rows).toBe(10_000);
  });
});

describe("file paths", () => {
  it("reads a single file as the train split, relative to baseDir", async () => {
    files.write("points.csv", "a,b\n0.5,1\n-2,3\n");
    const r = await resolveDataset("points.csv", real(2), { baseDir: files.dir });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.train.rows).toBe(2);
    expect(r.value!.valid).toBeUndefined();
    expect(r.value!.test).toBeUndefined();
    expect(r.value!.entropy).toBeNull();
  });

  it("names the file in diagnostics by a path the user can open", async () => {
    files.write("bad.amat", "0 1\n0 3\n");
    const r = await resolveDataset("bad.amat", binary(2), { baseDir: files.dir });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-bad-value"]);
    // Outside the working directory the path is shown absolute; inside, relative to it.
    const rel = relative(process.cwd(), join(files.dir, "bad.amat"));
    const expected = rel.startsWith("..") ? join(files.dir, "bad.amat") : rel;
    expect(r.diagnostics[0].span.file).toBe(expected);
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 2, column: 3 });
  });

  it("reads a directory of train/valid/test files", async () => {
    const dir = join(files.dir, "splits");
    mkdirSync(dir);
    files.write("splits/digits_train.amat", "0 1\n1 1\n1 0\n");
    files.write("splits/digits_valid.amat.gz", "0 0\n", true);
    files.write("splits/digits_test.amat", "1 1\n0 0\n");
    files.write("splits/README.md", "notes");
    const r = await resolveDataset(dir, binary(2));
    expect(r.diagnostics).toEqual([]);
    expect([r.value!.train.rows, r.value!.valid!.rows, r.value!.test!.rows]).toEqual([3, 1, 2]);
    expect(r.value!.valid!.source).toMatch(/digits_valid\.amat\.gz$/);
  });

  it("picks label files for a categorical variable and image files otherwise", async () => {
    const dir = join(files.dir, "idx");
    mkdirSync(dir);
    files.write("idx/train-images-idx3-ubyte", idxBytes(0x08, [2, 2, 2], new Uint8Array(8).fill(255)));
    files.write("idx/train-labels-idx1-ubyte", idxBytes(0x08, [2], Uint8Array.from([3, 9])));
    files.write("idx/t10k-images-idx3-ubyte", idxBytes(0x08, [1, 2, 2], new Uint8Array(4)));
    files.write("idx/t10k-labels-idx1-ubyte", idxBytes(0x08, [1], Uint8Array.from([5])));
    const images = await resolveDataset(dir, unit(2, 2));
    expect(images.diagnostics).toEqual([]);
    expect(Array.from(images.value!.train.values)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(images.value!.test!.rows).toBe(1);
    const labels = await resolveDataset(dir, categorical(10));
    expect(Array.from(labels.value!.train.values)).toEqual([3, 9]);
    expect(Array.from(labels.value!.test!.values)).toEqual([5]);
  });

  it("reports a directory without a train file, or with several", async () => {
    mkdirSync(join(files.dir, "none"));
    files.write("none/test.csv", "1\n");
    const none = await resolveDataset(join(files.dir, "none"), real());
    expect(none.diagnostics.map((d) => d.code)).toEqual(["data-unreadable"]);
    expect(none.diagnostics[0].params.reason).toBe("no file whose name contains 'train'");
    mkdirSync(join(files.dir, "two"));
    files.write("two/a_train.csv", "1\n");
    files.write("two/b_train.csv", "2\n");
    const two = await resolveDataset(join(files.dir, "two"), real());
    expect(two.diagnostics[0].params.reason).toBe("several train files: a_train.csv, b_train.csv");
  });
});
