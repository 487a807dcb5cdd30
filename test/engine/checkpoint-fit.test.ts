import { describe, expect, it } from "vitest";
import { modelWeightSpecs } from "../../src/backends/tfjs/layout.js";
import { checkpointFitProblems } from "../../src/engine/checkpoint-fit.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { mnistVaeIR } from "./fixtures.js";

function zeros(ir: ReturnType<typeof mnistVaeIR>): NamedWeights {
  const out: NamedWeights = {};
  for (const s of modelWeightSpecs(ir))
    out[s.name] = { shape: s.shape, values: new Float32Array(s.shape.reduce((p, d) => p * d, 1)) };
  return out;
}

describe("checkpointFitProblems", () => {
  const ir = mnistVaeIR(16, 8, 2);
  const weights = zeros(ir);

  it("accepts the same model, also under another objective or training setup", () => {
    expect(checkpointFitProblems(ir, { ir, weights })).toEqual([]);
    const other = {
      ...ir,
      objective: { ...ir.objective, source: "beta_vae(beta: 4)" },
      train: { ...ir.train, epochs: 3 },
    };
    expect(checkpointFitProblems(other, { ir, weights })).toEqual([]);
  });

  it("does not depend on the order in which an IR's keys were written", () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : typeof v === "object" && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const reordered = reversed(ir) as typeof ir;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(ir));
    expect(checkpointFitProblems(ir, { ir: reordered, weights })).toEqual([]);
  });

  it("rejects weights of the right shapes under another activation", () => {
    const relu = { ...ir, nets: ir.nets.map((n) => ({ ...n, activation: "relu" as const })) };
    expect(modelWeightSpecs(relu).map((s) => s.shape)).toEqual(
      modelWeightSpecs(ir).map((s) => s.shape),
    );
    expect(checkpointFitProblems(relu, { ir, weights })).toEqual([
      `its nets differ from model '${ir.name}'`,
    ]);
  });

  it("rejects another decoder family and names the part", () => {
    const other = { ...ir, decoder: { ...ir.decoder, dist: "Categorical" } };
    expect(checkpointFitProblems(other, { ir, weights })[0]).toBe(
      `its decoder declaration differs from model '${ir.name}'`,
    );
  });

  it("reports weights that do not fit", () => {
    const { [Object.keys(weights)[0]!]: _dropped, ...rest } = weights;
    expect(checkpointFitProblems(ir, { ir, weights: rest })).toEqual([
      `missing weight '${Object.keys(weights)[0]}'`,
    ]);
  });
});
