import { expect, it } from "vitest";

/** tfjs-core registers its engine on the global object when it is first imported. */
it("importing the inspection modules and the public API does not load tfjs", async () => {
  const g = globalThis as Record<string, unknown>;
  expect(g["_tfengine"]).toBeUndefined();
  await import("../../src/engine/inspect/index.js");
  const api = await import("../../src/index.js");
  expect(typeof api.sampleModel).toBe("function");
  expect(
    api.latentRowProblems(
      { latent: { name: "z", kind: "real", shape: [2] } } as never,
      new Float32Array(2),
      1,
    ),
  ).toEqual([]);
  expect(g["_tfengine"]).toBeUndefined();
});
