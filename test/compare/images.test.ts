import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { expect, it } from "vitest";
import { resolveDataset, subsetRows } from "../../src/data/index.js";
import { heldOutSplit } from "../../src/compare/execute-run.js";
import { GRID_COLUMNS } from "../../src/compare/figures.js";
import { gridScale } from "../../src/report/image-grid.js";
import { runCompare } from "../../src/compare/run-compare.js";

const SPEC = `model Small {
  data   x: real[64]
  latent z: real[2]
  net enc = mlp(64 -> 16 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 16 -> 64, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 0.3)
  train { dataset: "mnist-8x8" batch: 200 epochs: 1 seed: 7 }
}
`;

it("image data: the same held-out inputs in row 1, one reconstruction row and one sample row per objective", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "vae-compare-img-"));
  const spec = path.join(dir, "small.vae");
  writeFileSync(spec, SPEC);
  const out = path.join(dir, "out");
  const o = await runCompare(spec, {
    objectives: ["elbo", "beta_vae(beta: 4)"],
    sweeps: [],
    jobs: 2,
    evalRows: 200,
    out,
  });
  expect(o.diagnostics).toEqual([]);
  expect(o.records.map((r) => r.status)).toEqual(["ok", "ok"]);
  expect(o.files).toEqual(
    expect.arrayContaining(["figures/reconstructions.png", "figures/samples.png"]),
  );
  expect(o.notes.join("\n")).not.toMatch(/image data/);

  const grid = PNG.sync.read(readFileSync(path.join(out, "figures/reconstructions.png")));
  const s = gridScale({ height: 8, width: 8 });
  const cell = 8 * s;
  expect(grid.width).toBe(GRID_COLUMNS * cell + GRID_COLUMNS + 1);
  expect(grid.height).toBe(3 * cell + 4);
  // Row 1 holds the first evaluation rows, drawn as round(255·v) (grey, one byte a pixel
  // after pngjs expands it to RGBA).
  const splits = (await resolveDataset("mnist-8x8", { name: "x", kind: "real", shape: [64] }))
    .value!;
  const held = heldOutSplit(splits).split;
  const inputs = subsetRows(held, GRID_COLUMNS, 7);
  for (let i = 0; i < GRID_COLUMNS; i++) {
    const x0 = 1 + i * (cell + 1);
    for (const [py, px] of [
      [0, 0],
      [3, 4],
      [7, 7],
      [5, 2],
    ] as const) {
      const v = inputs.values[i * 64 + py * 8 + px]!;
      const at = ((1 + py * s) * grid.width + x0 + px * s) * 4;
      expect(grid.data[at]).toBe(Math.round(255 * Math.min(1, Math.max(0, v))));
    }
  }
  const samples = PNG.sync.read(readFileSync(path.join(out, "figures/samples.png")));
  expect(samples.height).toBe(2 * cell + 3);
});
