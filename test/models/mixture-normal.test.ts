import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { distributionImpl } from "../../src/backends/tfjs/distributions/index.js";
import { analyticKl } from "../../src/backends/tfjs/kl/index.js";
import type { Tensor, Tf } from "../../src/backends/tfjs/tf.js";
import { compileSource } from "../../src/frontend.js";
import { lookupDistribution, requiredParamShape } from "../../src/stdlib/distributions/index.js";
import { f32Bound, meanAndSe, randomF32 } from "../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

const mixture = () => distributionImpl("MixtureNormal");

function read(f: () => Tensor): Float32Array {
  const t = tf.tidy(f);
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/** log Σ_c w_c Π_j N(x_j | μ_cj, σ_cj²) in float64, straight from the definition. */
function mixtureLogDensity(
  logits: number[],
  loc: number[][],
  logScale: number[][],
  x: number[],
): number {
  const maxL = Math.max(...logits);
  const z = logits.reduce((s, l) => s + Math.exp(l - maxL), 0);
  let density = 0;
  logits.forEach((l, c) => {
    let comp = Math.exp(l - maxL) / z;
    x.forEach((xj, j) => {
      const s = Math.exp(logScale[c]![j]!);
      comp *= Math.exp(-0.5 * ((xj - loc[c]![j]!) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    });
    density += comp;
  });
  return Math.log(density);
}

const K = 3;
const D = 2;
const logits = [0.3, -1.2, 0.9];
const loc = [
  [-2, 0.5],
  [0, 0],
  [1.5, -1],
];
const logScale = [
  [0, -0.5],
  [0.4, 0.2],
  [-0.3, 0],
];

describe("MixtureNormal signature", () => {
  it("takes K from logits and asks for [K, ...event] elsewhere", () => {
    const sig = lookupDistribution("MixtureNormal")!;
    expect(requiredParamShape(sig, { shape: [20] }, "logits", 10)).toEqual([10]);
    expect(requiredParamShape(sig, { shape: [20] }, "loc", 10)).toEqual([10, 20]);
    expect(sig.reparameterizable).toBe(false);
  });

  const model = (prior: string, params = "") => `model M {
  data x: real[4]
  latent z: real[2]
  param w: real[3] = 0
  param m: real[3, 2] = normal(scale: 1)
  ${params}
  net enc = linear(4 -> (loc: 2, log_scale: 2))
  net dec = linear(2 -> 4)
  prior p(z) = ${prior}
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 1)
}`;

  it("checks a well-shaped mixture prior and lowers the random initialiser", () => {
    const r = compileSource(model("MixtureNormal(logits: w, loc: m, scale: 1)"), "m.vae");
    expect(r.diagnostics).toEqual([]);
    expect(r.ir!.params.find((p) => p.name === "m")).toEqual({
      name: "m",
      shape: [3, 2],
      init: 0,
      initScale: 1,
    });
  });

  it("reports a loc whose component axis disagrees with logits", () => {
    const r = compileSource(
      model("MixtureNormal(logits: w, loc: bad, scale: 1)", "param bad: real[4, 2] = 0"),
      "m.vae",
    );
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["shape-mismatch", expect.stringContaining("[3, 2] or a shape that broadcasts to it")],
    ]);
  });

  it("reports scalar logits, which leave K undetermined", () => {
    const r = compileSource(model("MixtureNormal(logits: 0, loc: m, scale: 1)"), "m.vae");
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["shape-mismatch", expect.stringContaining("[K], one score per mixture component")],
    ]);
  });
});

describe("MixtureNormal on tfjs", () => {
  const params = () => ({
    logits: tf.tensor1d(logits),
    loc: tf.tensor2d(loc),
    log_scale: tf.tensor2d(logScale),
  });

  it("log density matches the closed form for shared parameters", () => {
    const B = 6;
    const x = randomF32(B * D, 7, -4, 4);
    const got = read(() => mixture().logProb(tf, params(), tf.tensor2d(x, [B, D])));
    for (let b = 0; b < B; b++) {
      const want = mixtureLogDensity(logits, loc, logScale, [x[b * D]!, x[b * D + 1]!]);
      // logsumexp over K of a sum of D terms of ~8 float32 operations each.
      expect(Math.abs(got[b]! - want)).toBeLessThanOrEqual(
        f32Bound(8 * D + 3 * K, Math.abs(want) + 20),
      );
    }
  });

  it("log density matches the closed form for per-row parameters [N, K, ...event]", () => {
    const B = 2;
    const rowsLoc = [loc, loc.map((r) => r.map((v) => v + 1))];
    const x = [0.3, -0.2, 2.5, 0.1];
    const got = read(() =>
      mixture().logProb(
        tf,
        {
          logits: tf.tensor2d([logits, [0, 0, 0]]),
          loc: tf.tensor3d(rowsLoc),
          log_scale: tf.tensor2d(logScale),
        },
        tf.tensor2d(x, [B, D]),
      ),
    );
    const want = [
      mixtureLogDensity(logits, rowsLoc[0]!, logScale, [x[0]!, x[1]!]),
      mixtureLogDensity([0, 0, 0], rowsLoc[1]!, logScale, [x[2]!, x[3]!]),
    ];
    for (let b = 0; b < B; b++) expect(got[b]).toBeCloseTo(want[b]!, 4);
  });

  it("reduces to one Normal when all components coincide", () => {
    const x = [0.7, -1.1];
    const got = read(() =>
      mixture().logProb(
        tf,
        { logits: tf.tensor1d([0.2, 5, -3]), loc: tf.tensor1d([0.5, -1]), scale: tf.scalar(2) },
        tf.tensor2d(x, [1, D]),
      ),
    );
    const want = x.reduce(
      (s, v, j) => s - 0.5 * ((v - [0.5, -1][j]!) / 2) ** 2 - Math.log(2 * Math.sqrt(2 * Math.PI)),
      0,
    );
    expect(got[0]).toBeCloseTo(want, 5);
  });

  it("samples with the mixture's mean, within 4 standard errors", () => {
    const n = 20000;
    const s = read(() => mixture().sample(tf, params(), [n, D], 11));
    const w = logits.map((l) => Math.exp(l));
    const z = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < D; j++) {
      const col = Array.from({ length: n }, (_, i) => s[i * D + j]!);
      const { mean, se } = meanAndSe(col);
      const want = w.reduce((acc, wc, c) => acc + (wc / z) * loc[c]![j]!, 0);
      expect(Math.abs(mean - want)).toBeLessThan(4 * se);
    }
  });

  it("has no analytic KL against a Normal, so the rate falls back to Monte Carlo", () => {
    expect(analyticKl("Normal", "MixtureNormal")).toBeUndefined();
  });
});
