import { afterAll, describe, expect, it } from "vitest";
import { loadDataFile, parseNumberBytes, parseTextTable } from "../../src/data/index.js";
import { binary, categorical, real, tempFiles, unit } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);
const num = (s: string) => parseNumberBytes(enc(s), 0, enc(s).length);

describe("parseNumberBytes", () => {
  it("agrees with Number() on decimal spellings, rounding included", () => {
    const cases = [
      "0", "1", "-1", "+2", "0.5", ".5", "5.", "-0.25", "1e3", "1E-3", "2.5e+2", "0.1", "0.3",
      "123456789012345", "1234567890123456789", "0.000000000000000000000000001", "1e-30",
      "3.141592653589793238", "1e22", "1e23", "9007199254740993", "00012", "-0",
    ];
    for (const c of cases) expect(Object.is(num(c), Number(c)), c).toBe(true);
  });

  it("rejects what is not a decimal number", () => {
    for (const c of ["", "-", ".", "e5", "1e", "1e+", "0x10", "nan", "inf", "Infinity", "1.2.3", "1-2", "--1"])
      expect(num(c), c).toBeNaN();
  });
});

describe("whitespace text (.amat)", () => {
  it("reads one point per line, tolerating tabs, repeated spaces, CRLF and blank lines", () => {
    const r = parseTextTable(enc("0 1  0\r\n\n1\t1 1\n  \n0 0 1"), "t.amat", binary(3), "whitespace");
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.rows).toBe(3);
    expect(r.value!.dim).toBe(3);
    expect(Array.from(r.value!.values)).toEqual([0, 1, 0, 1, 1, 1, 0, 0, 1]);
  });

  it("reads real values with the general parser, mixed with single digits", () => {
    const r = parseTextTable(enc("0.5 -2 1e-3\n3 4 5.25\n"), "t.amat", real(3), "whitespace");
    expect(Array.from(r.value!.values)).toEqual([0.5, -2, Math.fround(1e-3), 3, 4, 5.25]);
  });

  it("keeps shape [2, 2] points as 4 values per line", () => {
    const r = parseTextTable(enc("0 0.25 0.5 1\n"), "t.amat", unit(2, 2), "whitespace");
    expect(r.value).toMatchObject({ rows: 1, dim: 4 });
  });
});

describe("CSV", () => {
  it("reads rows without a header", () => {
    const r = parseTextTable(enc("1,2,3\n4, 5 ,6\n"), "t.csv", real(3), "comma");
    expect(r.diagnostics).toEqual([]);
    expect(Array.from(r.value!.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("skips a header line whose fields are not numbers, quoted or not", () => {
    const r = parseTextTable(enc('"a","b"\n1,"2"\n3,4\n'), "t.csv", real(2), "comma");
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.rows).toBe(2);
    expect(Array.from(r.value!.values)).toEqual([1, 2, 3, 4]);
    const h = parseTextTable(enc("x1,x2\n\n0,1\n"), "t.csv", binary(2), "comma");
    expect(h.value!.rows).toBe(1);
  });

  it("treats a first line holding a number as data, so its bad fields are errors", () => {
    const r = parseTextTable(enc("1,abc\n1,2\n"), "t.csv", real(2), "comma");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-bad-value"]);
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 1, column: 3 });
  });

  it("reads categorical data with one integer per row", () => {
    const r = parseTextTable(enc("label\n3\n0\n29\n"), "t.csv", categorical(30), "comma");
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toMatchObject({ rows: 3, dim: 1 });
    expect(Array.from(r.value!.values)).toEqual([3, 0, 29]);
  });

  it("reads scalar categorical data with every point on one line (one integer per column)", () => {
    const r = parseTextTable(enc("3,0,29,7\n"), "t.csv", categorical(30), "comma");
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toMatchObject({ rows: 4, dim: 1 });
    expect(Array.from(r.value!.values)).toEqual([3, 0, 29, 7]);
  });

  it("rejects a wide first line once a second data line shows it is a table", () => {
    const r = parseTextTable(enc("3,0\n1\n"), "t.csv", categorical(30), "comma");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-bad-width"]);
    expect(r.diagnostics[0].span.start.line).toBe(1);
    expect(r.diagnostics[0].params).toEqual({ expected: 1, found: 2 });
  });

  it("reads categorical vectors: categorical<K>[n] is n integers per row", () => {
    const r = parseTextTable(enc("0,1,2\n2,1,0\n"), "t.csv", categorical(3, 3), "comma");
    expect(r.value).toMatchObject({ rows: 2, dim: 3 });
  });
});

describe("loadDataFile", () => {
  const files = tempFiles();
  afterAll(files.cleanup);

  it("detects the format by extension and by content, gzipped or not", async () => {
    const csv = files.write("a.csv.gz", "0,1\n1,0\n", true);
    const amat = files.write("a.amat", "0 1\n1 0\n");
    const sniffedCsv = files.write("noext", "0,1\n1,0\n");
    const sniffedText = files.write("noext2.gz", "0 1\n1 0\n", true);
    for (const p of [csv, amat, sniffedCsv, sniffedText]) {
      const r = await loadDataFile(p, binary(2));
      expect(r.diagnostics, p).toEqual([]);
      expect(Array.from(r.value!.values), p).toEqual([0, 1, 1, 0]);
      expect(r.value!.source).toBe(p);
    }
  });
});
