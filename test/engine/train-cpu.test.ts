import { expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { trainModel } from "../../src/engine/train.js";
import { brokenElboIR, mnistVaeIR, randomBinary, train } from "./fixtures.js";

it("trains on the plain cpu backend too (no wasm kernels involved)", async () => {
  expect(await initBackend("cpu")).toEqual({ name: "cpu", reason: "requested" });
  const tf = await loadTf();
  const ir = mnistVaeIR(12, 6, 2);
  const r = await trainModel(
    ir,
    {
      train: { source: "rand", rows: 60, dim: 12, values: randomBinary(60, 12, 4) },
      entropy: null,
    },
    train({ batch: 20, epochs: 2, backend: "cpu", optimizer: { name: "adam", lr: 0.01 } }),
  );
  expect(r.backend).toBe("cpu");
  expect(tf.getBackend()).toBe("cpu");
  expect(r.history.every((m) => Number.isFinite(m.train.loss))).toBe(true);
  // Tables train through gather's gradient, which the cpu backend has natively.
  const toy = brokenElboIR(4);
  const t = await trainModel(
    toy,
    {
      train: {
        source: "toy",
        rows: 8,
        dim: 1,
        values: Float32Array.from([0, 1, 2, 3, 3, 2, 1, 0]),
      },
      entropy: null,
    },
    { ...toy.train, batch: 8, epochs: 3, backend: "cpu" },
  );
  expect(t.history.every((m) => Number.isFinite(m.train.loss))).toBe(true);
});
