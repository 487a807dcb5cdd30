import { afterAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tensor } from "../../src/backends/tfjs/tf.js";
import { adapterLabel, probeWebGpu } from "../../src/backends/tfjs/webgpu.js";
import type { Dataset } from "../../src/data/types.js";
import { defaultMaxChunkBytes, uploadDeviceRows } from "../../src/engine/device-rows.js";
import { Rng } from "../../src/engine/rng.js";
import { mnistVaeIR } from "./fixtures.js";

/*
 * Binarized MNIST's training split as float32 (50,000 × 784 = 157 MB) is more than the
 * 128 MiB a storage buffer may bind under Mesa's llvmpipe, the WebGPU adapter of machines
 * without a GPU. Held in chunks, every row is still reachable.
 */

const probe = await probeWebGpu();
const title = probe.ok
  ? `DeviceRows on webgpu (${adapterLabel(probe.adapter)} via Dawn ${probe.adapter.config})`
  : `DeviceRows on webgpu (skipped: no WebGPU adapter: ${probe.reason})`;

const ROWS = 50_000;
const WIDTH = 784;

describe.skipIf(!probe.ok)(title, () => {
  afterAll(async () => {
    await initBackend("wasm");
  });

  it("holds 50,000 × 784 float32 rows in chunks the device can bind, and gathers any of them", async () => {
    expect((await initBackend("webgpu")).name).toBe("webgpu");
    const tf = await loadTf();
    const limits = (tf.backend() as unknown as { device: { limits: Record<string, number> } })
      .device.limits;
    const binding = limits["maxStorageBufferBindingSize"]!;
    const maxChunk = defaultMaxChunkBytes(tf);
    expect(maxChunk).toBeLessThanOrEqual(binding);
    expect(maxChunk).toBeGreaterThan(0);

    // Every value distinct up to 2^24, so a row out of place cannot go unnoticed.
    const values = Float32Array.from({ length: ROWS * WIDTH }, (_, i) => i % 2 ** 24);
    const ds: Dataset = { source: "test/large", rows: ROWS, dim: WIDTH, values };
    const bytes = ROWS * WIDTH * 4;
    const rows = uploadDeviceRows(tf, mnistVaeIR(), ds);
    try {
      const chunkRows = Math.ceil(ROWS / rows.chunks);
      expect(chunkRows * WIDTH * 4).toBeLessThanOrEqual(maxChunk);
      expect(rows.chunks).toBe(Math.ceil(ROWS / Math.floor(maxChunk / (WIDTH * 4))));
      if (bytes > binding) expect(rows.chunks).toBeGreaterThanOrEqual(2);

      // Counted by hand: toEqual on arrays of 784,000 values takes seconds.
      const mismatches = (a: Float32Array, b: Float32Array) => {
        if (a.length !== b.length) return Math.max(a.length, b.length);
        let n = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
        return n;
      };
      const read = async (t: Tensor) => {
        const v = (await t.data()) as Float32Array;
        t.dispose();
        return v;
      };
      const host = (indices: ArrayLike<number>) => {
        const out = new Float32Array(indices.length * WIDTH);
        Array.from(indices).forEach((r, k) =>
          out.set(values.subarray(r * WIDTH, (r + 1) * WIDTH), k * WIDTH),
        );
        return out;
      };
      // Minibatches of a seeded permutation touch every chunk; the first and last rows too.
      const order = new Rng(5, "large").permutation(ROWS);
      for (const start of [0, 1000, 49_000]) {
        const batch = order.slice(start, start + 1000);
        expect(mismatches(await read(rows.gather(batch)), host(batch))).toBe(0);
      }
      const ends = Int32Array.from([ROWS - 1, 0, chunkRows, chunkRows - 1]);
      expect(mismatches(await read(rows.gather(ends)), host(ends))).toBe(0);
      // A slice across the first chunk boundary.
      const across = await read(rows.slice(chunkRows - 300, 600));
      const want = values.subarray((chunkRows - 300) * WIDTH, (chunkRows + 300) * WIDTH);
      expect(mismatches(across, want)).toBe(0);
    } finally {
      rows.dispose();
    }
  });
});
