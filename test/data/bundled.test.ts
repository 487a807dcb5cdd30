import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { VariableIR } from "../../src/ir/types.js";
import { bundledDataDir, loadDataFile, packageRoot, resolveDataset } from "../../src/data/index.js";
import type { Dataset } from "../../src/data/index.js";

const binary784: VariableIR = { name: "x", kind: "binary", shape: [784] };

/** The checksums listed in data/README.md, by file name. */
function readmeChecksums(readme: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readme.matchAll(/^([0-9a-f]{64})\s+(\S+)$/gm)) out.set(m[2], m[1]);
  return out;
}

function mean(d: Dataset): number {
  let s = 0;
  for (let i = 0; i < d.values.length; i++) s += d.values[i];
  return s / d.values.length;
}

describe("bundled binarized MNIST", () => {
  it("lives under the package root", () => {
    expect(existsSync(join(packageRoot(), "package.json"))).toBe(true);
    expect(bundledDataDir()).toBe(join(packageRoot(), "data"));
  });

  it("has 50,000 / 10,000 / 10,000 rows with the published mean pixel values", async () => {
    const r = await resolveDataset("binarized-mnist", binary784);
    expect(r.diagnostics).toEqual([]);
    const d = r.value!;
    expect([d.train.rows, d.valid!.rows, d.test!.rows]).toEqual([50_000, 10_000, 10_000]);
    for (const s of [d.train, d.valid!, d.test!]) {
      expect(s.dim).toBe(784);
      expect(s.values.length).toBe(s.rows * 784);
    }
    // The README gives the means to 4 decimals; they are exact counts, so only rounding
    // (half a unit in the last place) separates them from the computed value.
    expect(Math.abs(mean(d.train) - 0.1306)).toBeLessThanOrEqual(0.00005);
    expect(Math.abs(mean(d.valid!) - 0.1311)).toBeLessThanOrEqual(0.00005);
    expect(Math.abs(mean(d.test!) - 0.1325)).toBeLessThanOrEqual(0.00005);
    expect(d.entropy).toBeNull();
    expect(d.train.source).toBe("binarized-mnist/train");
  });

  it("decompresses to files with the SHA-256 listed in data/README.md", () => {
    const sums = readmeChecksums(readFileSync(join(bundledDataDir(), "README.md"), "utf8"));
    for (const split of ["train", "valid", "test"]) {
      const name = `binarized_mnist_${split}.amat`;
      const raw = gunzipSync(readFileSync(join(bundledDataDir(), "binarized-mnist", `${name}.gz`)));
      expect(sums.get(name)).toMatch(/^[0-9a-f]{64}$/);
      expect(createHash("sha256").update(raw).digest("hex")).toBe(sums.get(name));
    }
  });

  // The reference copy of the data sits beside the repository (../shared/data) on the
  // machines this project is developed on; elsewhere the test says so and is skipped.
  const sharedReadme = join(packageRoot(), "..", "shared", "data", "README.md");
  it.skipIf(!existsSync(sharedReadme))(
    "lists the same checksums as the reference copy (skipped when ../shared/data is absent)",
    () => {
      const ours = readmeChecksums(readFileSync(join(bundledDataDir(), "README.md"), "utf8"));
      const shared = readmeChecksums(readFileSync(sharedReadme, "utf8"));
      expect(shared.size).toBe(3);
      for (const [name, sum] of shared) expect(ours.get(name)).toBe(sum);
    },
  );

  it("parses the 50,000×784 training file in well under 2 s", async () => {
    const path = join(bundledDataDir(), "binarized-mnist", "binarized_mnist_train.amat.gz");
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      const r = await loadDataFile(path, binary784);
      best = Math.min(best, performance.now() - t0);
      expect(r.value?.rows).toBe(50_000);
    }
    expect(best).toBeLessThan(2000);
  });
});

describe("bundled MNIST test set", () => {
  it("matches the official MD5 checksums", () => {
    const md5 = (f: string) =>
      createHash("md5").update(readFileSync(join(bundledDataDir(), "mnist", f))).digest("hex");
    expect(md5("t10k-images-idx3-ubyte.gz")).toBe("9fb629c4189551a2d022fa330f9573f3");
    expect(md5("t10k-labels-idx1-ubyte.gz")).toBe("ec29112dd5afa0611ce80d1b7f02629c");
  });
});
