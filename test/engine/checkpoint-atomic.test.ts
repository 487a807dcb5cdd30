import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelWeightSpecs } from "../../src/backends/tfjs/layout.js";
import { CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint } from "../../src/engine/checkpoint.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { mnistVaeIR } from "./fixtures.js";
import { uniforms } from "./numeric.js";

// The child runs the compiled module (as the replica workers do): build first.
const BUILT = resolve(__dirname, "../../dist/src/engine/checkpoint.js");

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vae-atomic-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ir = mnistVaeIR(64, 32, 4);

/** Saves checkpoint k = 1, 2, … in a loop: every weight holds k, the source says k. */
const SAVER = `
import { saveCheckpoint } from ${JSON.stringify(BUILT)};
import { readFileSync } from "node:fs";
const [dir, spec] = process.argv.slice(1);
const { ir, shapes } = JSON.parse(readFileSync(spec, "utf8"));
for (let k = 1; ; k++) {
  const weights = {};
  for (const s of shapes)
    weights[s.name] = { shape: s.shape, values: new Float32Array(s.shape.reduce((p, d) => p * d, 1)).fill(k) };
  const problems = await saveCheckpoint(dir, { source: "// save " + k + "\\n", ir, weights, train: { ...ir.train, seed: k }, backend: "wasm" });
  if (problems.length > 0) { console.error(JSON.stringify(problems)); process.exit(2); }
  if (k === 1) console.log("first");
}
`;

/** The save number of a loaded checkpoint, checked to be the same in all four files. */
function saveNumber(ckpt: Awaited<ReturnType<typeof loadCheckpoint>>): number {
  expect(ckpt.diagnostics.map((d) => d.message)).toEqual([]);
  const v = ckpt.value!;
  const k = Number(/save (\d+)/.exec(v.source)![1]);
  expect(v.config.train.seed).toBe(k);
  for (const w of Object.values(v.weights)) expect(w.values.every((x) => x === k)).toBe(true);
  return k;
}

function killedAfter(dir: string, spec: string, ms: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", SAVER, dir, spec], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    // Killed `ms` after its first save, at a moment that falls anywhere in a later save.
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), ms));
    child.on("exit", (code, signal) =>
      signal === "SIGKILL" ? done() : fail(new Error(`saver exited ${code}: ${err}`)),
    );
  });
}

describe("saveCheckpoint is atomic", () => {
  it("leaves a folder that loads as one whole checkpoint after SIGKILL at 30 random moments", async () => {
    expect(existsSync(BUILT), "npm run build first").toBe(true);
    const dir = join(root, "killed");
    const spec = join(root, "spec.json");
    const shapes = modelWeightSpecs(ir).map((s) => ({ name: s.name, shape: s.shape }));
    await writeFile(spec, JSON.stringify({ ir, shapes }));
    // A file of another command in the run folder must survive every save.
    const rnd = uniforms(11);
    let last = 0;
    for (let i = 0; i < 30; i++) {
      await killedAfter(dir, spec, Math.floor(rnd() * 40));
      const k = saveNumber(await loadCheckpoint(dir));
      expect(k).toBeGreaterThanOrEqual(1);
      last = k;
    }
    expect(last).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("keeps the other files of a run folder, and loads a folder without a manifest", async () => {
    const dir = join(root, "others");
    const shapes = modelWeightSpecs(ir);
    const weights: NamedWeights = {};
    for (const s of shapes)
      weights[s.name] = {
        shape: s.shape,
        values: new Float32Array(s.shape.reduce((p, d) => p * d, 1)).fill(3),
      };
    const save = (source: string) =>
      saveCheckpoint(dir, {
        source,
        ir,
        weights,
        train: { ...ir.train, seed: 3 },
        backend: "wasm",
      });
    expect(await save("// save 3\n")).toEqual([]);
    await writeFile(join(dir, "metrics.jsonl"), '{"epoch":1}\n');
    await writeFile(join(dir, "samples.png"), "png");
    expect(await save("// save 3\n")).toEqual([]);
    expect(await readFile(join(dir, "metrics.jsonl"), "utf8")).toBe('{"epoch":1}\n');
    expect((await readdir(dir)).sort()).toEqual(
      [...Object.values(CHECKPOINT_FILES), "manifest.json", "metrics.jsonl", "samples.png"].sort(),
    );
    expect(saveNumber(await loadCheckpoint(dir))).toBe(3);
    // A checkpoint written before manifests existed loads as it is.
    await rm(join(dir, "manifest.json"));
    expect(saveNumber(await loadCheckpoint(dir))).toBe(3);
  });

  it("refuses a mix of two saves: well-formed files that the manifest does not record", async () => {
    const dir = join(root, "mixed");
    const other = join(root, "mixed-other");
    const make = (k: number) => {
      const weights: NamedWeights = {};
      for (const s of modelWeightSpecs(ir))
        weights[s.name] = {
          shape: s.shape,
          values: new Float32Array(s.shape.reduce((p, d) => p * d, 1)).fill(k),
        };
      return {
        source: `// save ${k}\n`,
        ir,
        weights,
        train: { ...ir.train, seed: k },
        backend: "wasm",
      };
    };
    expect(await saveCheckpoint(dir, make(1))).toEqual([]);
    expect(await saveCheckpoint(other, make(2))).toEqual([]);
    // The new weights beside the old config: the state a non-atomic save leaves.
    await writeFile(
      join(dir, CHECKPOINT_FILES.weights),
      await readFile(join(other, CHECKPOINT_FILES.weights)),
    );
    const r = await loadCheckpoint(dir);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.params["path"]])).toEqual([
      ["checkpoint-invalid", join(dir, CHECKPOINT_FILES.weights)],
    ]);
    expect(String(r.diagnostics[0]!.params["reason"])).toContain("does not match manifest.json");
  });
});
