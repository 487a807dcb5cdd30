import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelWeightSpecs } from "../../src/backends/tfjs/layout.js";
import {
  CHECKPOINT_FILES,
  loadCheckpoint,
  saveCheckpoint,
  vaelangVersion,
} from "../../src/engine/checkpoint.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { IR_VERSION } from "../../src/ir/types.js";
import { brokenElboIR, mnistVaeIR } from "./fixtures.js";
import { randomF32 } from "./numeric.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vae-ckpt-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function weightsFor(ir: ReturnType<typeof mnistVaeIR>): NamedWeights {
  const out: NamedWeights = {};
  modelWeightSpecs(ir).forEach((s, i) => {
    const n = s.shape.reduce((p, d) => p * d, 1);
    out[s.name] = { shape: s.shape, values: randomF32(n, i + 1, -3, 3) };
  });
  return out;
}

const SOURCE = "model Toy { }\n";

async function saved(name: string, ir = brokenElboIR(4)) {
  const dir = join(root, name);
  const weights = weightsFor(ir);
  const diags = await saveCheckpoint(dir, {
    source: SOURCE,
    ir,
    weights,
    train: ir.train,
    backend: "wasm",
  });
  expect(diags).toEqual([]);
  return { dir, ir, weights };
}

describe("checkpoints", () => {
  it("round-trips source, IR, weights (bit for bit) and config", async () => {
    const { dir, ir, weights } = await saved("ok", mnistVaeIR(6, 4, 2));
    const r = await loadCheckpoint(dir);
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.source).toBe(SOURCE);
    expect(r.value!.ir).toEqual(ir);
    expect(r.value!.config).toEqual({
      train: ir.train,
      backend: "wasm",
      vaelang: await vaelangVersion(),
    });
    expect(await vaelangVersion()).toMatch(/^\d+\.\d+\.\d+/);
    for (const [name, w] of Object.entries(weights)) {
      const got = r.value!.weights[name]!;
      expect(got.shape).toEqual(w.shape);
      expect(Buffer.from(got.values.buffer).equals(Buffer.from(w.values.buffer))).toBe(true);
    }
  });

  it("reports a missing file as checkpoint-invalid naming the file", async () => {
    const { dir } = await saved("missing");
    await rm(join(dir, CHECKPOINT_FILES.weights));
    const r = await loadCheckpoint(dir);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe("checkpoint-invalid");
    expect(r.diagnostics[0]!.params).toEqual({
      path: join(dir, CHECKPOINT_FILES.weights),
      reason: "file is missing",
    });
    // A wrong path is one diagnostic about the folder, not one per file it would hold.
    const none = await loadCheckpoint(join(root, "does-not-exist"));
    expect(none.diagnostics.map((d) => [d.code, d.params])).toEqual([
      ["checkpoint-invalid", { path: join(root, "does-not-exist"), reason: "no such folder" }],
    ]);
    const file = join(dir, CHECKPOINT_FILES.config);
    const notFolder = await loadCheckpoint(file);
    expect(notFolder.diagnostics).toHaveLength(1);
    expect(notFolder.diagnostics[0]!.params).toMatchObject({
      path: file,
      reason: expect.stringMatching(/^not a folder/),
    });
  });

  it("reports bad JSON and a wrong IR version", async () => {
    const { dir } = await saved("badjson");
    await writeFile(join(dir, CHECKPOINT_FILES.config), "{ not json");
    const ir = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.ir), "utf8"));
    await writeFile(
      join(dir, CHECKPOINT_FILES.ir),
      JSON.stringify({ ...ir, irVersion: IR_VERSION + 1 }),
    );
    const r = await loadCheckpoint(dir);
    expect(r.value).toBeUndefined();
    const reasons = r.diagnostics.map((d) => String(d.params["reason"]));
    expect(reasons.some((x) => x.startsWith("not valid JSON"))).toBe(true);
    expect(reasons.some((x) => x.includes(`IR version ${IR_VERSION + 1}`))).toBe(true);
    expect(r.diagnostics[0]!.message).toContain("is not usable");
  });

  it("reports weights whose shapes, names or sizes do not fit the IR", async () => {
    const { dir, ir, weights } = await saved("shapes");
    const bad: NamedWeights = { ...weights };
    bad["net.encoder_table.table"] = { shape: [4, 5], values: new Float32Array(20) };
    delete bad["param.marginal_logits"];
    bad["param.extra"] = { shape: [1], values: new Float32Array(1) };
    await saveCheckpoint(dir, {
      source: SOURCE,
      ir,
      weights: bad,
      train: ir.train,
      backend: "wasm",
    });
    const r = await loadCheckpoint(dir);
    expect(r.value).toBeUndefined();
    const reasons = r.diagnostics.map((d) => String(d.params["reason"]));
    expect(reasons).toEqual([
      "weight 'net.encoder_table.table' has shape [4, 5], the model needs [4, 4]",
      "missing weight 'param.marginal_logits'",
      "unexpected weight 'param.extra'",
    ]);
    // A truncated payload: the shape says 16 values, the data holds 3.
    const file = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.weights), "utf8"));
    file.weights = file.weights.filter((w: { name: string }) => w.name !== "param.extra");
    file.weights.push({
      name: "param.marginal_logits",
      shape: [4],
      dtype: "float32",
      data: Buffer.from(new Float32Array(4).buffer).toString("base64"),
    });
    file.weights[0].shape = [4, 4];
    file.weights[0].data = Buffer.from(new Float32Array(3).buffer).toString("base64");
    await writeFile(join(dir, CHECKPOINT_FILES.weights), JSON.stringify(file));
    const r2 = await loadCheckpoint(dir);
    expect(r2.diagnostics.map((d) => String(d.params["reason"]))).toEqual([
      "weight 'net.encoder_table.table' holds 3 values, its shape needs 16",
    ]);
    // A payload that is not a whole number of float32 values.
    file.weights[0].data = Buffer.from([1, 2, 3, 4, 5]).toString("base64");
    await writeFile(join(dir, CHECKPOINT_FILES.weights), JSON.stringify(file));
    const r3 = await loadCheckpoint(dir);
    expect(r3.diagnostics.map((d) => String(d.params["reason"]))).toEqual([
      "weight 'net.encoder_table.table' does not hold whole float32 values",
    ]);
  });

  it("never throws on structurally odd content", async () => {
    const { dir } = await saved("odd");
    await writeFile(
      join(dir, CHECKPOINT_FILES.ir),
      JSON.stringify({
        irVersion: IR_VERSION,
        nets: [{ kind: "nope" }],
        params: [],
        data: {},
        latent: {},
        objective: {},
      }),
    );
    await writeFile(
      join(dir, CHECKPOINT_FILES.weights),
      JSON.stringify({ format: 1, weights: [{ name: 3 }] }),
    );
    const r = await loadCheckpoint(dir);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.code === "checkpoint-invalid")).toBe(true);
  });
});
