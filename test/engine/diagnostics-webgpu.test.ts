import { afterAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../src/backends/tfjs/backend.js";
import { adapterLabel, probeWebGpu } from "../../src/backends/tfjs/webgpu.js";
import { brokenElboSamples } from "../../src/data/toy.js";
import { epochDiagnostics } from "../../src/engine/diagnostics/index.js";
import type { EpochDiagnostics } from "../../src/engine/diagnostics/types.js";
import { withWeights } from "./diagnostics-fixtures.js";
import { brokenElboIR } from "./fixtures.js";
import { logSumExp, randomF32, U32 } from "./numeric.js";

/*
 * The per-epoch diagnostics read tensors asynchronously, so they run on webgpu (Dawn; Mesa's
 * llvmpipe on a machine without a GPU). The toy (categorical data and latent, exact
 * aggregate posterior) on its 10,000 test rows, with fixed weights, on wasm and on webgpu
 * in one process; both must match the float64 value within the float32 error of the way
 * exactAggregateTerms computes it, and so each other within twice that.
 */

const probe = await probeWebGpu();
const title = probe.ok
  ? `epochDiagnostics on webgpu (${adapterLabel(probe.adapter)} via Dawn ${probe.adapter.config})`
  : `epochDiagnostics on webgpu (skipped: no WebGPU adapter: ${probe.reason})`;

const K = 30;
/** Rows per device reduction in epochDiagnostics (M of the per-epoch estimates). */
const B = 1000;
const f = Math.fround;
const enc = Array.from(randomF32(K * K, 21, -3, 3));
const dec = Array.from(randomF32(K * K, 22, -3, 3));
const marg = Array.from(randomF32(K, 23, -2, 2));
const weights = {
  "net.encoder_table.table": enc,
  "net.decoder_table.table": dec,
  "param.marginal_logits": marg,
};
const test = brokenElboSamples().test;
const xs = Int32Array.from(test.values);
const N = xs.length;

const lsm = (r: number[]) => r.map((v) => v - logSumExp(r));
const logQ = Array.from({ length: K }, (_, x) => lsm(enc.slice(x * K, (x + 1) * K).map(f)));
const logP = lsm(marg.map(f));

/** I and KL[q(z)‖p(z)] of the empirical joint in float64, and the magnitudes of its terms. */
const reference = (() => {
  const counts = Array<number>(K).fill(0);
  for (const x of xs) counts[x]! += 1;
  const qBar = Array<number>(K).fill(0);
  let condEntropy = 0;
  counts.forEach((c, x) =>
    logQ[x]!.forEach((l, z) => {
      qBar[z]! += (c * Math.exp(l)) / N;
      condEntropy -= (c * Math.exp(l) * l) / N;
    }),
  );
  const aggEntropy = -qBar.reduce((s, q) => s + q * Math.log(q), 0);
  const cross = -qBar.reduce((s, q, z) => s + q * logP[z]!, 0);
  const maxAbs = (rows: number[][]) => Math.max(...rows.flat().map(Math.abs));
  return {
    mutualInfo: aggEntropy - condEntropy,
    marginalKl: cross - aggEntropy,
    maxLogQ: maxAbs(logQ),
    maxLogP: maxAbs([logP]),
    maxLogQBar: maxAbs([qBar.map(Math.log)]),
    maxRowEntropy: Math.max(...logQ.map((r) => -r.reduce((s, l) => s + Math.exp(l) * l, 0))),
    maxLogit: Math.max(maxAbs([enc]), maxAbs([marg])),
  };
})();

/**
 * Float32 error of one backend's I and KL. Elementwise steps are bounded in the worst case,
 * with 32 ulp for exp and log (WGSL's accuracy); the device sums over B·K and B terms by
 * Higham & Mary's probabilistic bound λ·√n·u·Σ|terms|, λ = 6 (exceeded with probability
 * below 10⁻⁷).
 */
const tolerance = (() => {
  const r = reference;
  const sum = (n: number) => 6 * Math.sqrt(n) * U32;
  // log-softmax: shift by the max, K-term sum of exp, log, subtract.
  const logSoftmax = (scale: number) => (K + 100) * U32 * scale;
  const eLogQ = logSoftmax(r.maxLogQ + 2 * r.maxLogit);
  const eLogP = logSoftmax(r.maxLogP + 2 * r.maxLogit);
  // Relative error of each q = exp(log q), and of q̄ after the B-row sums.
  const relQ = eLogQ + 33 * U32;
  const relQBar = relQ + sum(B);
  const condEntropy = sum(B * K) * r.maxRowEntropy + (r.maxLogQ + 1) * relQ;
  const aggEntropy = (1 + r.maxLogQBar) * relQBar;
  return {
    mutualInfo: aggEntropy + condEntropy,
    marginalKl: aggEntropy + r.maxLogP * relQBar + eLogP,
  };
})();

describe.skipIf(!probe.ok)(title, () => {
  afterAll(async () => {
    await initBackend("wasm");
  });

  const onBackend = async (name: "wasm" | "webgpu"): Promise<EpochDiagnostics> => {
    expect((await initBackend(name)).name).toBe(name);
    const tf = await loadTf();
    expect(tf.getBackend()).toBe(name);
    const m = withWeights(tf, brokenElboIR(K), weights);
    const x = tf.tensor(xs, [N], "int32");
    const before = tf.memory().numTensors;
    try {
      const d = await epochDiagnostics(m, x, { enumerate: true, seed: 1 });
      expect(tf.memory().numTensors).toBe(before);
      return d;
    } finally {
      x.dispose();
      m.dispose();
    }
  };

  it("gives wasm's I and KL[q(z)‖p(z)] within float32 rounding, both near the float64 value", async () => {
    const wasm = await onBackend("wasm");
    const gpu = await onBackend("webgpu");
    for (const d of [wasm, gpu]) {
      expect(d).toMatchObject({ mi_estimator: "exact", active_units: null, rows: N });
      expect(Math.abs(d.mutual_info - reference.mutualInfo)).toBeLessThanOrEqual(
        tolerance.mutualInfo,
      );
      expect(Math.abs(d.marginal_kl - reference.marginalKl)).toBeLessThanOrEqual(
        tolerance.marginalKl,
      );
    }
    expect(Math.abs(gpu.mutual_info - wasm.mutual_info)).toBeLessThanOrEqual(
      2 * tolerance.mutualInfo,
    );
    expect(Math.abs(gpu.marginal_kl - wasm.marginal_kl)).toBeLessThanOrEqual(
      2 * tolerance.marginalKl,
    );
    // The bound is far below the quantities, so agreement within it means something.
    expect(tolerance.mutualInfo).toBeLessThan(reference.mutualInfo / 100);
    expect(tolerance.marginalKl).toBeLessThan(reference.marginalKl / 100);
  });
});
