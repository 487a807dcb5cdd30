import { expect, it } from "vitest";

/**
 * The frontend may import the engine's and backend's modules for their types and pure
 * helpers; tfjs must load only when training or evaluation starts. tfjs-core registers
 * its engine on the global object when it is first imported.
 */
it("importing the engine and backend modules does not load tfjs", async () => {
  const g = globalThis as Record<string, unknown>;
  expect(g["_tfengine"]).toBeUndefined();
  await import("../../src/engine/types.js");
  await import("../../src/engine/train.js");
  await import("../../src/engine/checkpoint.js");
  await import("../../src/engine/weights.js");
  await import("../../src/backends/tfjs/backend.js");
  await import("../../src/backends/tfjs/compile.js");
  expect(g["_tfengine"]).toBeUndefined();
  const { loadTf } = await import("../../src/backends/tfjs/backend.js");
  await loadTf();
  expect(g["_tfengine"]).toBeDefined();
});
