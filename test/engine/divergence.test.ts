import { describe, expect, it } from "vitest";
import type { DatasetSplits } from "../../src/data/types.js";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { StepChecker } from "../../src/engine/divergence.js";
import { trainModel } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { nonFiniteWeightNames } from "../../src/engine/weights.js";
import { linearVaeIR, mnistVaeIR, randomBinary, train } from "./fixtures.js";

const allFinite = (w: NamedWeights) => nonFiniteWeightNames(w).length === 0;

/** Real rows from a seeded generator; `poison` rows hold +∞ in their first value. */
function realRows(rows: number, dim: number, poison: number[]): DatasetSplits {
  const values = Float32Array.from(randomBinary(rows, dim, 5), (b, i) => b - 0.3 + (i % 7) / 10);
  for (const r of poison) values[r * dim] = Number.POSITIVE_INFINITY;
  return { train: { source: "real/train", rows, dim, values }, entropy: null };
}

describe("non-finite steps in training", () => {
  const binary: DatasetSplits = {
    train: { source: "bin/train", rows: 200, dim: 16, values: randomBinary(200, 16, 1) },
    entropy: null,
  };

  it("stops at the first non-finite step of an exploding learning rate, without applying it", async () => {
    const steps: number[] = [];
    await initBackend("wasm");
    const tf = await loadTf();
    const tensors = tf.memory().numTensors;
    const result = await trainModel(
      mnistVaeIR(16, 8, 2),
      binary,
      train({
        batch: 20,
        epochs: 20,
        optimizer: { name: "sgd", lr: 1e12 },
        seed: 1,
        backend: "wasm",
      }),
      { onStep: (s) => steps.push((s.epoch - 1) * s.stepsPerEpoch + s.step) },
      { evaluate: false },
    );
    const d = result.divergence!;
    expect(d).toBeDefined();
    expect(d.reason).toBe("non-finite");
    expect(Number.isFinite(d.loss)).toBe(false);
    // Every step before it was reported with a finite loss; the failing one is not reported.
    expect(steps.length).toBe(d.stepsTaken);
    expect(d.stepsTaken).toBe((d.epoch - 1) * 10 + d.step);
    expect(d.terms.length + d.gradients.length).toBeGreaterThan(0);
    expect(d.terms.every((t) => ["distortion", "rate"].includes(t))).toBe(true);
    // The update of the failing step was not applied: the weights are still finite.
    expect(allFinite(result.weights)).toBe(true);
    expect(result.skippedSteps).toBe(1);
    // Nothing of the stopped step (its gradients, rows, report) is left behind.
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it("names the distortion and the rate when a data row is infinite, and stops in its batch", async () => {
    // One batch of 10 rows: the poisoned row is in the first step's batch.
    const data = realRows(10, 6, [4]);
    const result = await trainModel(
      linearVaeIR(6, 2),
      data,
      train({ batch: 10, epochs: 3, seed: 2, backend: "wasm" }),
      {},
      { evaluate: false },
    );
    const d = result.divergence!;
    expect(d).toMatchObject({ epoch: 1, step: 0, stepsTaken: 0, reason: "non-finite" });
    expect(d.terms).toContain("distortion");
    expect(d.terms).toContain("rate");
    expect(d.gradients.length).toBeGreaterThan(0);
    expect(d.weights).toEqual([]);
    expect(allFinite(result.weights)).toBe(true);
  });

  it("skips and counts the steps whose batch holds an infinite row, and trains on the others", async () => {
    const epochs = 4;
    // 40 rows in batches of 10: exactly one of the four steps of each epoch sees row 13.
    const data = realRows(40, 6, [13]);
    const config = train({ batch: 10, epochs, seed: 3, backend: "wasm" });
    const losses: number[] = [];
    const tf = await loadTf();
    const tensors = tf.memory().numTensors;
    const result = await trainModel(
      linearVaeIR(6, 2),
      data,
      config,
      { onStep: (s) => losses.push(s.loss) },
      { evaluate: false, onNan: "skip" },
    );
    expect(result.divergence).toBeUndefined();
    expect(result.skippedSteps).toBe(epochs);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses.filter((l) => !Number.isFinite(l)).length).toBe(epochs);
    expect(allFinite(result.weights)).toBe(true);
    // The weights moved: the finite steps were applied.
    const clean = await trainModel(linearVaeIR(6, 2), data, { ...config, epochs: 0 }, {}, {});
    expect(
      Object.keys(clean.weights).some((k) =>
        clean.weights[k]!.values.some((x, i) => x !== result.weights[k]!.values[i]),
      ),
    ).toBe(true);
  });

  it("gives up after the given number of skipped steps in a row", async () => {
    const data = realRows(10, 6, [0]);
    const result = await trainModel(
      linearVaeIR(6, 2),
      data,
      train({ batch: 10, epochs: 50, seed: 4, backend: "wasm" }),
      {},
      { evaluate: false, onNan: "skip", maxSkippedInARow: 5 },
    );
    expect(result.divergence).toMatchObject({
      reason: "too-many-skipped",
      skippedInARow: 4,
      epoch: 5,
      step: 0,
    });
    expect(result.skippedSteps).toBe(5);
  });

  it("takes the same decision on every replica with workers: 2 (skip, then stop)", async () => {
    const data = realRows(40, 6, [13]);
    const config = train({ batch: 10, epochs: 3, seed: 3, backend: "wasm", workers: 2 });
    const skipped = await trainModel(
      linearVaeIR(6, 2),
      data,
      config,
      {},
      {
        evaluate: false,
        onNan: "skip",
      },
    );
    // trainModel fails when the replicas end with different weights.
    expect(skipped.workers).toBe(2);
    expect(skipped.divergence).toBeUndefined();
    expect(skipped.skippedSteps).toBe(3);
    const single = await trainModel(
      linearVaeIR(6, 2),
      data,
      { ...config, workers: 1 },
      {},
      {
        evaluate: false,
        onNan: "skip",
      },
    );
    expect(single.skippedSteps).toBe(3);
    const stopped = await trainModel(linearVaeIR(6, 2), data, config, {}, { evaluate: false });
    expect(stopped.divergence?.terms).toContain("distortion");
    expect(stopped.divergence).toMatchObject({ epoch: 1, reason: "non-finite" });
    const alone = await trainModel(
      linearVaeIR(6, 2),
      data,
      { ...config, workers: 1 },
      {},
      {
        evaluate: false,
      },
    );
    // The same rows in the same order: the same step, whichever replica held the row.
    expect(stopped.divergence!.step).toBe(alone.divergence!.step);
    expect(stopped.divergence!.terms).toEqual(alone.divergence!.terms);
  });

  it("finds a NaN or ±∞ anywhere in the gradients, on wasm (SIMD scan) and cpu (tensor ops)", async () => {
    for (const backend of ["wasm", "cpu"] as const) {
      await initBackend(backend);
      const tf = await loadTf();
      const checker = new StepChecker(tf);
      // Sizes with and without a tail past the last group of four; a big 2-D gradient.
      const shapes = [[37], [64, 70], [3, 5], [1]];
      const base = shapes.map((s, i) => tf.fill(s, i % 2 === 0 ? -0 : 2.5e30));
      const loss = tf.scalar(1.25);
      const grads = (k: number, at: number, x: number) =>
        Object.fromEntries(
          base.map((g, i) => {
            if (i !== k) return [String(i), g];
            const v = g.dataSync().slice();
            v[at] = x;
            return [String(i), tf.tensor(v, g.shape)];
          }),
        );
      expect(await checker.lossIfFinite(loss, grads(0, 0, 0)), backend).toBe(1.25);
      for (const [k, at] of [
        [0, 0],
        [0, 36],
        [1, 4479],
        [1, 2000],
        [2, 14],
        [3, 0],
      ] as const)
        for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
          expect(
            Number.isNaN(await checker.lossIfFinite(loss, grads(k, at, x))),
            `${backend} ${k}:${at}`,
          ).toBe(true);
      expect(await checker.lossIfFinite(tf.scalar(Number.NEGATIVE_INFINITY), grads(0, 0, 0))).toBe(
        Number.NEGATIVE_INFINITY,
      );
      checker.dispose();
    }
    await initBackend("wasm");
  });
});
