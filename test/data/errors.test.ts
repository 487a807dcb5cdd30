import { chmodSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../src/diagnostics/index.js";
import {
  MAX_ERRORS_PER_FILE,
  dataSourceText,
  loadDataFile,
  resolveDataset,
} from "../../src/data/index.js";
import { binary, categorical, idxBytes, real, tempFiles, unit } from "./helpers.js";

const files = tempFiles();
afterAll(files.cleanup);

async function errorsOf(name: string, contents: string | Uint8Array, variable = binary(3)) {
  const path = files.write(name, contents);
  const r = await loadDataFile(path, variable);
  expect(r.value).toBeUndefined();
  return { path, diagnostics: r.diagnostics };
}

describe("data-bad-value", () => {
  it("points at the line and column of a non-binary value in binary data", async () => {
    const { path, diagnostics } = await errorsOf("b.amat", "0 1 0\n1 0 1\n0 2 1\n");
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0];
    expect(d.code).toBe("data-bad-value");
    expect(d.span.file).toBe(path);
    expect(d.span.start).toEqual({ line: 3, column: 3, offset: 14 });
    expect(d.span.end).toMatchObject({ line: 3, column: 4 });
    expect(d.params).toEqual({ value: "2", expected: "0 or 1 (binary data)" });
  });

  it("treats 0.5 in binary data and 1.5 in unit data as bad, 0.0 and 1.0 as fine", async () => {
    const b = await errorsOf("b2.amat", "0.0 1.0 0.5\n");
    expect(b.diagnostics[0].span.start).toMatchObject({ line: 1, column: 9 });
    const u = await errorsOf("u.csv", "0,0.5,1\n0.25,1.5,-0.1\n", unit(3));
    expect(u.diagnostics.map((d) => [d.span.start.line, d.span.start.column, d.params.value])).toEqual([
      [2, 6, "1.5"],
      [2, 10, "-0.1"],
    ]);
  });

  it("reports categorical values outside 0..K-1 and non-integers", async () => {
    const { diagnostics } = await errorsOf("c.csv", "0\n4\n1.5\n-1\n3\n", categorical(4));
    expect(diagnostics.map((d) => [d.span.start.line, d.span.start.column, d.params.value])).toEqual([
      [2, 1, "4"],
      [3, 1, "1.5"],
      [4, 1, "-1"],
    ]);
    expect(diagnostics[0].params.expected).toBe("an integer in 0..3 (categorical<4>)");
  });

  it("reports a token that is not a number, and an empty CSV field", async () => {
    const { diagnostics } = await errorsOf("r.csv", "1,2,3\n4,x5,6\n7,,9\n", real(3));
    expect(diagnostics.map((d) => [d.span.start.line, d.span.start.column, d.params.value])).toEqual([
      [2, 3, "x5"],
      [3, 3, ""],
    ]);
    expect(diagnostics[0].params.expected).toBe(
      "a finite number within float32's range (magnitude at most 3.4028235e38)",
    );
  });

  it("rejects finite float64 values that overflow float32, at their line and column", async () => {
    // 3.4028235e38 rounds to float32's largest value; 3.403e38 and 1e39 round to ±∞.
    const csv = "1,2,3\n4,1e39,6\n3.4028235e38,-3.403e38,1e-50\n";
    const { diagnostics } = await errorsOf("big.csv", csv, real(3));
    expect(diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column, d.params.value])).toEqual([
      ["data-bad-value", 2, 3, "1e39"],
      ["data-bad-value", 3, 14, "-3.403e38"],
    ]);
    const amat = await errorsOf("big.amat", "0.5 -1e39\n", real(2));
    expect(amat.diagnostics.map((d) => [d.span.start.line, d.span.start.column])).toEqual([[1, 5]]);
  });

  it("counts lines and columns in the decompressed text of a .gz file", async () => {
    const path = files.write("g.amat.gz", "0 0 0\n0 0 0\n\n0 0 7\n", true);
    const r = await loadDataFile(path, binary(3));
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 4, column: 5 });
  });

  it("renders as path:line:col with the data line and a caret under the value", async () => {
    const { path, diagnostics } = await errorsOf("render.amat", "0 1 0\n1 0 9\n");
    const text = renderDiagnostic(diagnostics[0], (f) => dataSourceText(f));
    expect(text).toBe(
      `${path}:2:5: error[data-bad-value]: value '9' is not 0 or 1 (binary data)\n` +
        `  |\n2 | 1 0 9\n  |     ^`,
    );
  });

  it("stops after the first few errors of a file", async () => {
    const { diagnostics } = await errorsOf("many.amat", "5 5 5\n".repeat(100));
    expect(diagnostics).toHaveLength(MAX_ERRORS_PER_FILE);
    expect(diagnostics.map((d) => d.span.start.column)).toEqual([1, 3, 5, 1, 3]);
  });

  it("uses record and element numbers as line and column in IDX files", async () => {
    const payload = new Uint8Array([0, 1, 1, 0, 1, 0, 0, 255]);
    const { diagnostics } = await errorsOf("b.idx", idxBytes(0x08, [2, 2, 2], payload), binary(4));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].span.start).toMatchObject({ line: 2, column: 4, offset: 16 + 7 });
    expect(diagnostics[0].params.value).toBe("255");
  });
});

describe("data-bad-width", () => {
  it("points at the whole line of a row with the wrong number of values", async () => {
    const { diagnostics } = await errorsOf("w.amat", "0 1 0\n1 0\n0 1 0 1\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["data-bad-width", "data-bad-width"]);
    expect(diagnostics[0].span.start).toMatchObject({ line: 2, column: 1 });
    expect(diagnostics[0].span.end).toMatchObject({ line: 2, column: 4 });
    expect(diagnostics[0].params).toEqual({ expected: 3, found: 2 });
    expect(diagnostics[1].params).toEqual({ expected: 3, found: 4 });
    expect(diagnostics[0].message).toBe("a row has 2 values, but the data variable needs 3");
  });

  it("checks IDX item size against the variable", async () => {
    const { diagnostics } = await errorsOf("w.idx", idxBytes(0x08, [1, 2, 2], new Uint8Array(4)), binary(3));
    expect(diagnostics.map((d) => d.code)).toEqual(["data-bad-width"]);
    expect(diagnostics[0].params).toEqual({ expected: 3, found: 4 });
  });
});

describe("data-empty", () => {
  it("reports files with no rows (blank lines or a header only)", async () => {
    for (const [name, text] of [
      ["e.amat", ""],
      ["e2.amat", "\n  \n\n"],
      ["e3.csv", "a,b,c\n"],
    ]) {
      const { path, diagnostics } = await errorsOf(name, text);
      expect(diagnostics.map((d) => d.code), name).toEqual(["data-empty"]);
      expect(diagnostics[0].params).toEqual({ path });
    }
  });

  it("reports an IDX file with zero items", async () => {
    const { diagnostics } = await errorsOf("e.idx", idxBytes(0x08, [0, 3], new Uint8Array(0)));
    expect(diagnostics.map((d) => d.code)).toEqual(["data-empty"]);
  });
});

describe("data-file-not-found and data-unreadable", () => {
  it("reports a missing file", async () => {
    const r = await loadDataFile(`${files.dir}/missing.amat`, binary(3));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-file-not-found"]);
    expect(r.diagnostics[0].params).toEqual({ path: `${files.dir}/missing.amat` });
  });

  it("reports corrupt and truncated gzip data", async () => {
    const good = gzipSync(Buffer.from("0 1 0\n".repeat(1000)));
    const corrupt = Uint8Array.from(good);
    corrupt.fill(0x55, 20, 40);
    for (const [name, bytes] of [
      ["corrupt.amat.gz", corrupt],
      ["truncated.amat.gz", good.subarray(0, good.length >> 1)],
    ] as const) {
      const { diagnostics } = await errorsOf(name, bytes);
      expect(diagnostics.map((d) => d.code), name).toEqual(["data-unreadable"]);
      expect(String(diagnostics[0].params.reason)).toMatch(/^corrupt gzip data/);
    }
  });

  it("reports a directory given as a file, and an unreadable file", async () => {
    const r = await loadDataFile(files.dir, binary(3));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-unreadable"]);
    const locked = files.write("locked.amat", "0 1 0\n");
    chmodSync(locked, 0o000);
    const l = await loadDataFile(locked, binary(3));
    // root can read anything; the check is meaningful only for ordinary users.
    if (process.getuid?.() !== 0) expect(l.diagnostics.map((d) => d.code)).toEqual(["data-unreadable"]);
  });

  it("reports IDX files whose header or data is cut short", async () => {
    const { diagnostics } = await errorsOf("short-ubyte", idxBytes(0x08, [4, 3], new Uint8Array(5)));
    expect(diagnostics.map((d) => d.code)).toEqual(["data-unreadable"]);
    expect(String(diagnostics[0].params.reason)).toMatch(/truncated IDX data/);
  });
});

describe("dataset-level diagnostics", () => {
  const span = {
    file: "model.vae",
    start: { offset: 100, line: 9, column: 14 },
    end: { offset: 117, line: 9, column: 31 },
  };

  it("unknown-dataset lists the available names and points where the name was written", async () => {
    const r = await resolveDataset("binarised-mnist", binary(784), { span });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["unknown-dataset"]);
    expect(r.diagnostics[0].span).toEqual(span);
    expect(String(r.diagnostics[0].params.available)).toContain("binarized-mnist");
    expect(String(r.diagnostics[0].params.available)).toContain("toy:broken-elbo");
    const toy = await resolveDataset("toy:nope", categorical(30));
    expect(toy.diagnostics.map((d) => d.code)).toEqual(["unknown-dataset"]);
  });

  it("a missing path is data-file-not-found, not an unknown name", async () => {
    const r = await resolveDataset("nope/train.amat", binary(784), { baseDir: files.dir, span });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-file-not-found"]);
    expect(r.diagnostics[0].span).toEqual(span);
  });

  it("dataset-mismatch names the dataset when it does not fit the variable", async () => {
    const wide = await resolveDataset("binarized-mnist", real(64), { span });
    expect(wide.diagnostics.map((d) => d.code)).toEqual(["dataset-mismatch"]);
    expect(wide.diagnostics[0].message).toBe(
      "dataset 'binarized-mnist' holds binary[784] points, but the data variable 'x' is real[64]",
    );
    const kind = await resolveDataset("mnist", binary(784));
    expect(kind.diagnostics[0].message).toBe(
      "dataset 'mnist' holds unit[784] points, but the data variable 'x' is binary[784]",
    );
    const k = await resolveDataset("toy:broken-elbo", categorical(20));
    expect(k.diagnostics.map((d) => d.code)).toEqual(["dataset-mismatch"]);
  });

  it("dataset-split-missing when asking for a split a dataset lacks", async () => {
    const r = await resolveDataset("mnist", unit(784), { split: "valid" });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["dataset-split-missing"]);
    expect(r.diagnostics[0].message).toBe("dataset 'mnist' has no valid split (available: train, test)");
    const path = files.write("single.amat", "0 1 0\n");
    const f = await resolveDataset(path, binary(3), { split: "test" });
    expect(f.diagnostics.map((d) => d.code)).toEqual(["dataset-split-missing"]);
  });
});
