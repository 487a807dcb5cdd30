import { describe, expect, it } from "vitest";
import type { DatasetSplits } from "../../src/data/types.js";
import { trainModel } from "../../src/engine/train.js";
import type { NamedWeights, StepInfo } from "../../src/engine/types.js";
import { mnistVaeIR, randomBinary, train } from "../engine/fixtures.js";

// 100 rows in batches of 30: four steps per epoch, the last one of 10 rows.
const ir = mnistVaeIR(12, 6, 2);
const data: DatasetSplits = {
  train: { source: "random/train", rows: 100, dim: 12, values: randomBinary(100, 12, 1) },
  test: { source: "random/test", rows: 40, dim: 12, values: randomBinary(40, 12, 2) },
  entropy: null,
};
const config = train({ batch: 30, epochs: 5, seed: 7, backend: "wasm" });

function identical(a: NamedWeights, b: NamedWeights): boolean {
  return Object.keys(a).every((k) => {
    const x = a[k]!.values;
    const y = b[k]!.values;
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  });
}

describe("trainModel run options (used by the benchmarks)", () => {
  it("stops after maxSteps mid-epoch and skips evaluation when asked", async () => {
    const steps: StepInfo[] = [];
    let epochs = 0;
    const r = await trainModel(
      ir,
      data,
      config,
      { onStep: (s) => steps.push(s), onEpoch: () => epochs++ },
      { maxSteps: 6, evaluate: false },
    );
    expect(steps.map((s) => [s.epoch, s.step])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 0],
      [2, 1],
    ]);
    // The loss is read back on the last step even when it is not a read-back step.
    expect(Number.isFinite(steps[5]!.loss)).toBe(true);
    expect(epochs).toBe(0);
    expect(r.history).toEqual([]);
    expect(r.samples_per_second).toBeGreaterThan(0);
  });

  it("evaluates the epochs it reached, a partial last one included", async () => {
    const r = await trainModel(ir, data, config, {}, { maxSteps: 6 });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(r.history[1]!.test).not.toBeNull();
  });

  it("follows the same trajectory as an unlimited run", async () => {
    const limited = await trainModel(ir, data, config, {}, { maxSteps: 4, evaluate: false });
    const oneEpoch = await trainModel(ir, data, { ...config, epochs: 1 });
    expect(identical(limited.weights, oneEpoch.weights)).toBe(true);
    const fewer = await trainModel(ir, data, config, {}, { maxSteps: 3, evaluate: false });
    expect(identical(fewer.weights, oneEpoch.weights)).toBe(false);
  });
});
