import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";

async function vae(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Width and height of a PNG file, after checking its signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height };
}

/** Header and data lines of a CSV text. */
function csv(text: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = text.trimEnd().split("\n");
  return { header: head!.split(","), rows: lines.map((l) => l.split(",")) };
}

/** Pixels of a grid of `cells` cells of 8×8 images drawn at scale 7, framed by 1-pixel pads. */
const side = (cells: number) => cells * 56 + cells + 1;

// 8×8 digits with labels (mnist-8x8) through a 2-D latent: images, labels, manifold, scatter.
const DIGITS = `model Digits2D {
  data   x: real[64]
  latent z: real[2]
  net enc = mlp(64 -> 32 -> (loc: 2, log_scale: 2), activation: tanh)
  net dec = mlp(2 -> 32 -> 64, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 0.1)
  objective elbo
  train { dataset: "mnist-8x8"  batch: 500  epochs: 1 }
}
`;

// Points in R³ from one CSV file: not images, no labels, no test split.
const POINTS = `model Points {
  data   x: real[3]
  latent z: real[1]
  net enc = mlp(3 -> 8 -> (loc: 1, log_scale: 1), activation: tanh)
  net dec = mlp(1 -> 8 -> 3, activation: tanh)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 0.5)
  objective elbo
  train { batch: 40  epochs: 1 }
}
`;
const POINT_ROWS = 120;

let dir: string;
let digits: { spec: string; run: string };
let points: { spec: string; run: string; data: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "vae-inspect-"));
  digits = { spec: path.join(dir, "digits.vae"), run: path.join(dir, "digits-run") };
  writeFileSync(digits.spec, DIGITS);
  const t = await vae("train", digits.spec, "--out", digits.run, "--quiet");
  expect(t.stderr).toBe("");
  expect(t.code).toBe(0);

  points = {
    spec: path.join(dir, "points.vae"),
    run: path.join(dir, "points-run"),
    data: path.join(dir, "points.csv"),
  };
  writeFileSync(points.spec, POINTS);
  const lines = Array.from({ length: POINT_ROWS }, (_, i) => {
    const t = (i / POINT_ROWS) * 2 - 1;
    return [t, 0.5 * t * t, Math.sin(3 * t)].map((v) => v.toFixed(4)).join(",");
  });
  writeFileSync(points.data, lines.join("\n") + "\n");
  const p = await vae("train", points.spec, "--data", points.data, "--out", points.run, "--quiet");
  expect(p.stderr).toBe("");
  expect(p.code).toBe(0);
});

describe("vae sample", () => {
  it("draws a PNG grid of images into the checkpoint folder, from the checkpoint's own spec", async () => {
    const r = await vae("sample", "--checkpoint", digits.run);
    expect(r.code).toBe(0);
    const out = path.join(digits.run, "samples.png");
    expect(r.stderr).toContain("wrote 64 samples to");
    // 64 samples: 8 columns × 8 rows of 8×8 images.
    expect(pngSize(out)).toEqual({ width: side(8), height: side(8) });
    const ten = path.join(dir, "ten.png");
    expect(
      (
        await vae(
          "sample",
          digits.spec,
          "--checkpoint",
          digits.run,
          "-n",
          "10",
          "--mean",
          "--out",
          ten,
        )
      ).code,
    ).toBe(0);
    expect(pngSize(ten)).toEqual({ width: side(8), height: side(2) });
  });

  it("writes z and x columns as CSV for data that are not images, and as CSV when asked", async () => {
    const r = await vae("sample", "--checkpoint", points.run, "-n", "25", "--seed", "3");
    expect(r.code).toBe(0);
    const table = csv(readFileSync(path.join(points.run, "samples.csv"), "utf8"));
    expect(table.header).toEqual(["z0", "x0", "x1", "x2"]);
    expect(table.rows).toHaveLength(25);
    for (const row of table.rows)
      for (const v of row) expect(Number.isFinite(Number(v))).toBe(true);
    // The same seed draws the same rows.
    const again = path.join(dir, "again.csv");
    await vae("sample", "--checkpoint", points.run, "-n", "25", "--seed", "3", "--out", again);
    expect(readFileSync(again, "utf8")).toBe(
      readFileSync(path.join(points.run, "samples.csv"), "utf8"),
    );

    const images = path.join(dir, "digit-samples.csv");
    expect((await vae("sample", "--checkpoint", digits.run, "-n", "5", "--out", images)).code).toBe(
      0,
    );
    expect(csv(readFileSync(images, "utf8")).header).toHaveLength(2 + 64);
  });
});

describe("vae reconstruct", () => {
  it("puts each row of inputs above its reconstructions", async () => {
    const r = await vae("reconstruct", digits.spec, "--checkpoint", digits.run, "-n", "10");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("10 points of mnist-8x8/test");
    // 10 inputs in rows of 8: two blocks of an input row and a reconstruction row.
    expect(pngSize(path.join(digits.run, "reconstructions.png"))).toEqual({
      width: side(8),
      height: side(4),
    });
  });

  it("writes x and x̂ columns for other data, from the training data when there is no test split", async () => {
    const r = await vae("reconstruct", "--checkpoint", points.run, "-n", "7");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("has no test split; using its training data");
    const table = csv(readFileSync(path.join(points.run, "reconstructions.csv"), "utf8"));
    expect(table.header).toEqual(["x0", "x1", "x2", "x0_hat", "x1_hat", "x2_hat"]);
    expect(table.rows).toHaveLength(7);
    // The inputs are rows of the data file, not the first seven.
    const file = readFileSync(points.data, "utf8").trim().split("\n");
    const inputs = table.rows.map((row) => row.slice(0, 3).map(Number));
    for (const x of inputs)
      expect(
        file.some((l) => l.split(",").every((v, j) => Math.abs(Number(v) - x[j]!) < 1e-6)),
      ).toBe(true);
    expect(inputs.map((x) => x[0])).not.toEqual(
      file.slice(0, 7).map((l) => Number(l.split(",")[0])),
    );
  });
});

describe("vae encode", () => {
  it("encodes every point of the split with its label, on stdout", async () => {
    const r = await vae("encode", "--checkpoint", digits.run);
    expect(r.code).toBe(0);
    const table = csv(r.stdout);
    expect(table.header).toEqual(["z0_mean", "z0_sd", "z1_mean", "z1_sd", "label"]);
    expect(table.rows).toHaveLength(2000);
    for (const row of table.rows.slice(0, 50)) {
      expect(Number(row[1])).toBeGreaterThan(0);
      expect(Number.isInteger(Number(row[4]))).toBe(true);
    }
    expect(new Set(table.rows.map((row) => row[4])).size).toBe(10);
  });

  it("encodes --rows N points into a file; no label column without labels", async () => {
    const out = path.join(dir, "codes.csv");
    const r = await vae(
      "encode",
      digits.spec,
      "--checkpoint",
      digits.run,
      "--rows",
      "50",
      "--out",
      out,
    );
    expect(r.code).toBe(0);
    expect(csv(readFileSync(out, "utf8")).rows).toHaveLength(50);
    const p = await vae("encode", "--checkpoint", points.run, "--split", "train");
    const table = csv(p.stdout);
    expect(table.header).toEqual(["z0_mean", "z0_sd"]);
    expect(table.rows).toHaveLength(POINT_ROWS);
  });
});

describe("vae traverse", () => {
  it("writes the traversal, and for a 2-D latent the manifold and the labelled scatter", async () => {
    const r = await vae("traverse", "--checkpoint", digits.run, "--steps", "5");
    expect(r.code).toBe(0);
    const dims = /dimensions ([\d, ]+);/.exec(r.stderr)![1]!.split(", ");
    expect(dims.length).toBeGreaterThanOrEqual(1);
    expect(dims.length).toBeLessThanOrEqual(2);
    expect(pngSize(path.join(digits.run, "traversal.png"))).toEqual({
      width: side(5),
      height: side(dims.length),
    });
    expect(pngSize(path.join(digits.run, "traversal-manifold.png"))).toEqual({
      width: side(15),
      height: side(15),
    });
    const svg = readFileSync(path.join(digits.run, "traversal-latent.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("class");
    expect(pngSize(path.join(digits.run, "traversal-latent.png")).width).toBeGreaterThan(300);
    for (const f of [
      "traversal.png",
      "traversal-manifold.png",
      "traversal-latent.svg",
      "traversal-latent.png",
    ])
      expect(r.stderr).toContain(f);
  });

  it("writes a CSV traversal for other data, and no manifold for a 1-D latent", async () => {
    const out = path.join(dir, "t", "walk.csv");
    const r = await vae("traverse", points.spec, "--checkpoint", points.run, "--out", out);
    expect(r.code).toBe(0);
    const table = csv(readFileSync(out, "utf8"));
    expect(table.header).toEqual(["dim", "offset", "z0", "x0_mean", "x1_mean", "x2_mean"]);
    expect(table.rows).toHaveLength(9);
    expect(table.rows.map((row) => Number(row[1]))).toEqual([
      -2.5, -1.875, -1.25, -0.625, 0, 0.625, 1.25, 1.875, 2.5,
    ]);
    expect(existsSync(path.join(dir, "t", "walk-manifold.csv"))).toBe(false);
  });
});

describe("a categorical model (the Broken-ELBO toy on 300 points)", () => {
  let run: string;
  beforeAll(async () => {
    const data = path.join(dir, "toy.csv");
    writeFileSync(
      data,
      Array.from({ length: 300 }, (_, i) => String((i * 7) % 30)).join("\n") + "\n",
    );
    run = path.join(dir, "toy-run");
    const t = await vae(
      "train",
      "examples/broken-elbo-toy.vae",
      "--data",
      data,
      "--epochs",
      "1",
      "--out",
      run,
      "--quiet",
    );
    expect(t.code).toBe(0);
  });

  it("samples indices, or with --mean a probability vector per point", async () => {
    const draws = path.join(dir, "toy-draws.csv");
    expect((await vae("sample", "--checkpoint", run, "-n", "20", "--out", draws)).code).toBe(0);
    const t = csv(readFileSync(draws, "utf8"));
    expect(t.header).toEqual(["z", "x"]);
    for (const row of t.rows)
      for (const v of row)
        expect(Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) < 30).toBe(true);
    const means = path.join(dir, "toy-means.csv");
    expect(
      (await vae("sample", "--checkpoint", run, "-n", "20", "--mean", "--out", means)).code,
    ).toBe(0);
    const m = csv(readFileSync(means, "utf8"));
    expect(m.header).toEqual(["z", ...Array.from({ length: 30 }, (_, k) => `x_p${k}`)]);
    // Each row is a distribution over 30 values, written with 7 significant digits.
    for (const row of m.rows)
      expect(row.slice(1).reduce((a, v) => a + Number(v), 0)).toBeCloseTo(1, 5);
  });

  it("encodes q(z|x) as probabilities, and has no traversal", async () => {
    const e = await vae("encode", "--checkpoint", run);
    expect(e.code).toBe(0);
    expect(csv(e.stdout).header).toEqual(Array.from({ length: 30 }, (_, k) => `z_p${k}`));
    expect(csv(e.stdout).rows).toHaveLength(300);
    const t = await vae("traverse", "--checkpoint", run);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain("error[invalid-option]: option traverse: needs a continuous latent");
  });
});

describe("vae eval without FILE", () => {
  it("evaluates the checkpoint's own model on a seeded random subset", async () => {
    const r = await vae("eval", "--checkpoint", digits.run, "--rows", "100", "--json");
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(m).toMatchObject({ model: "Digits2D", split: "test", rows: 100 });
    const again = JSON.parse(
      (await vae("eval", "--checkpoint", digits.run, "--rows", "100", "--json")).stdout,
    );
    expect(again.elbo).toBe(m.elbo);
  });
});

describe("mistakes", () => {
  const noTrace = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/\n\s+at .*:\d+/);

  it.each([
    [["sample", "--checkpoint", "no/such/run"], "error[checkpoint-invalid]"],
    [["sample"], "error[invalid-option]: option --checkpoint: is required"],
    [
      ["sample", "--checkpoint", "RUN", "-n", "0"],
      "option --count: expects an integer ≥ 1, got '0'",
    ],
    [["reconstruct", "--checkpoint", "RUN", "--split", "valid"], "error[dataset-split-missing]"],
    [
      ["encode", "--checkpoint", "RUN", "--split", "dev"],
      "option --split: expects train, valid or test, got 'dev'",
    ],
    [
      ["traverse", "--checkpoint", "RUN", "--steps", "1"],
      "option --steps: expects an integer ≥ 2, got '1'",
    ],
    [["sample", "--checkpoint", "RUN", "--model", "Digits2D"], "option --model: applies to FILE"],
    [["encode", "--checkpoint", "RUN", "--out", "codes.txt"], "option --out: expects a .csv path"],
    [
      ["sample", "--checkpoint", "RUN", "-n", "5000"],
      "option --count: 5000 images do not fit one PNG grid",
    ],
    [
      ["reconstruct", "--checkpoint", "RUN", "-n", "2049"],
      "option --count: 4098 images do not fit one PNG grid",
    ],
    [
      ["sample", "--checkpoint", "RUN", "-n", "100001"],
      "option --count: expects an integer ≤ 100000",
    ],
    [
      ["traverse", "--checkpoint", "RUN", "--steps", "51"],
      "option --steps: expects an integer ≤ 50",
    ],
    [["sample", "--checkpoint", ""], "option --checkpoint: expects a path, got ''"],
  ])("%j is a coded diagnostic", async (argv, message) => {
    const r = await vae(...argv.map((a) => (a === "RUN" ? digits.run : a)));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    noTrace(r);
  });

  it("refuses a FILE that describes another model than the checkpoint", async () => {
    for (const cmd of ["sample", "encode", "eval"]) {
      const r = await vae(cmd, points.spec, "--checkpoint", digits.run);
      expect(r.code, cmd).toBe(1);
      expect(r.stderr).toContain("error[checkpoint-invalid]");
      expect(r.stderr).toContain("does not fit model 'Points'");
      noTrace(r);
    }
  });

  it("refuses an image output for data that are not images", async () => {
    const r = await vae("sample", "--checkpoint", points.run, "--out", path.join(dir, "s.png"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("option --out:");
    expect(r.stderr).toContain("the data are not images");
  });

  it("reports an output path that cannot be written with the OS reason", async () => {
    const folder = path.join(dir, "a-folder.png");
    mkdirSync(folder);
    const r = await vae("sample", "--checkpoint", digits.run, "--out", folder);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`option --out: cannot write '${folder}'`);
    expect(r.stderr).toContain("EISDIR");
    const file = path.join(dir, "plain-file");
    writeFileSync(file, "");
    const t = await vae(
      "encode",
      "--checkpoint",
      digits.run,
      "--out",
      path.join(file, "codes.csv"),
    );
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/option --out: cannot write .*(ENOTDIR|EEXIST)/);
    noTrace(t);
  });
});

describe("vae train without --out", () => {
  it("writes a fresh folder under runs/ with report.html and says where", async () => {
    const cwd = process.cwd();
    const work = mkdtempSync(path.join(tmpdir(), "vae-runs-"));
    process.chdir(work);
    try {
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await vae("train", points.spec, "--data", points.data));
      for (const r of runs) expect(r.code).toBe(0);
      const folders = readdirSync(path.join(work, "runs")).sort();
      expect(folders).toHaveLength(2);
      for (const f of folders) expect(f).toMatch(/^Points-\d{8}-\d{6}(-\d+)?$/);
      for (const [i, r] of runs.entries()) {
        const shown = path.join("runs", folders[i]!);
        expect(r.stderr).toContain(`writing the run to ${shown}\n`);
        expect(r.stderr).toContain(path.join(shown, "report.html"));
        expect(existsSync(path.join(work, shown, "report.html"))).toBe(true);
        expect(existsSync(path.join(work, shown, "weights.json"))).toBe(true);
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
