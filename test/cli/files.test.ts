import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { csvText, formatCsvNumber, sideBySide, valueColumns } from "../../src/cli/csv.js";
import { outputFormat, withoutExtension } from "../../src/cli/output-file.js";
import { createFreshFolder, runFolderName } from "../../src/cli/run-folder.js";

describe("run folders", () => {
  it("names a run after the model and the local time", () => {
    expect(runFolderName("MnistVAE", new Date(2026, 0, 2, 3, 4, 5))).toBe(
      "MnistVAE-20260102-030405",
    );
    expect(runFolderName("a/b c", new Date(2026, 11, 31, 23, 59, 59))).toBe(
      "a_b_c-20261231-235959",
    );
  });

  it("never reuses a folder: the same name again gets -2, then -3", async () => {
    const parent = path.join(mkdtempSync(path.join(tmpdir(), "vae-folders-")), "runs");
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createFreshFolder(parent, "M-20260102-030405"));
    expect(made.map((d) => path.basename(d))).toEqual([
      "M-20260102-030405",
      "M-20260102-030405-2",
      "M-20260102-030405-3",
    ]);
    expect(readdirSync(parent)).toHaveLength(3);
  });
});

describe("CSV output", () => {
  it("names columns by variable and unit, categories as _p<k>", () => {
    expect(valueColumns({ name: "x", kind: "real", shape: [3] })).toEqual(["x0", "x1", "x2"]);
    expect(
      valueColumns(
        { name: "x", kind: "categorical", shape: [], categories: 3 },
        { categories: 3, suffix: "_hat" },
      ),
    ).toEqual(["x_hat_p0", "x_hat_p1", "x_hat_p2"]);
  });

  it("writes float32 values with the digits they hold, blocks side by side", () => {
    expect(formatCsvNumber(Math.fround(0.1))).toBe("0.1");
    expect(formatCsvNumber(3)).toBe("3");
    expect(formatCsvNumber(NaN)).toBe("NaN");
    const cell = sideBySide([
      { values: [1, 2], width: 1 },
      { values: [10, 11, 20, 21], width: 2 },
    ]);
    expect(csvText(["a", "b0", "b1"], 2, cell)).toBe("a,b0,b1\n1,10,11\n2,20,21\n");
  });

  it("chooses the format from --out's extension, refusing a PNG of non-image data", () => {
    expect(outputFormat(undefined, true, "sample")).toBe("png");
    expect(outputFormat(undefined, false, "sample")).toBe("csv");
    expect(outputFormat("s.CSV", true, "sample")).toBe("csv");
    expect(outputFormat("s.png", false, "sample")).toMatchObject({ option: "--out" });
    expect(outputFormat("s.jpg", true, "sample")).toMatchObject({ option: "--out" });
    expect(withoutExtension("runs/a/traversal.png")).toBe("runs/a/traversal");
  });
});
