import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import { createFusedAdam } from "../../../src/backends/tfjs/fused-adam.js";
import { ADAM_EPSILON, createOptimizer } from "../../../src/backends/tfjs/optimizers.js";
import type { Optimizer, Scalar, Tf, Variable } from "../../../src/backends/tfjs/tf.js";

let tf: Tf;

beforeAll(async () => {
  const b = await initBackend("wasm");
  expect(b.name).toBe("wasm");
  tf = await loadTf();
});

const LR = 0.01;
const STEPS = 20;
const SETTINGS = { lr: LR, beta1: 0.9, beta2: 0.999, epsilon: ADAM_EPSILON };

/** Deterministic values in [−1, 1) from a linear congruential sequence. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Least squares with targets ten times larger than what the initial weights produce: over
 * 20 steps of lr 0.01 the weights move by at most ~0.2 while the residuals stay of order 10,
 * so every gradient component stays far from 0 and Adam's m̂/√v̂ is well conditioned.
 */
function problem(prefix: string) {
  const x = tf.tensor2d(values(8 * 6, 1), [8, 6]);
  const y = tf.tensor2d(
    values(8 * 5, 2).map((v) => 10 * v + 20),
    [8, 5],
  );
  // 30 and 5 weights: not multiples of 4, so the SIMD path's scalar tail runs too.
  const w = tf.variable(tf.tensor2d(values(6 * 5, 3), [6, 5]), true, `${prefix}/w`);
  const b = tf.variable(tf.tensor1d(values(5, 4)), true, `${prefix}/b`);
  const loss = () =>
    tf.tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as Scalar);
  return { vars: [w, b], loss, dispose: () => tf.dispose([x, y, w, b]) };
}

function trajectory(opt: Optimizer, prefix: string): { weights: Float32Array[]; counts: number[] } {
  const p = problem(prefix);
  const weights: Float32Array[] = [];
  const counts: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    opt.minimize(p.loss, false, p.vars as Variable[]);
    counts.push(tf.memory().numTensors);
    weights.push(Float32Array.from([...p.vars[0]!.dataSync(), ...p.vars[1]!.dataSync()]));
  }
  p.dispose();
  opt.dispose();
  return { weights, counts };
}

describe("fused Adam (wasm)", () => {
  it.each([true, false])(
    "follows tf.train.adam's trajectory over 20 steps (SIMD: %s)",
    (useSimd) => {
      const ref = trajectory(tf.train.adam(LR, 0.9, 0.999, ADAM_EPSILON), `ref${useSimd}`);
      const fused = trajectory(createFusedAdam(tf, SETTINGS, { useSimd }), `fused${useSimd}`);
      // Both paths perform tfjs's float32 operations in tfjs's order, so they agree exactly
      // in practice; the assertion allows what a different rounding of each operation could
      // cost, so it does not depend on that.
      // Per step the two updates Δ = lr·m̂/(√v̂ + ε) differ by the rounding of tfjs's ~8
      // float32 kernels on Δ's path, ≤ 8·2⁻²⁴ relative on each side, and |Δ| ≤
      // lr·(1−β1)/√(1−β2) ≈ 3.2·lr (Adam's bound for (1−β1) > √(1−β2)); storing w + Δ
      // rounds to half an ulp of |w| ≤ 2 on each side (2⁻²³). A weight difference δ changes
      // the next gradient by O(δ) against gradients of order 10, so propagation adds a
      // factor ≈ 1 + lr·O(1) per step; 2× covers it over 20 steps. (Writing the weights in
      // place instead, the backend's cached packed matmul weights go stale and the two
      // trajectories part by ~1e-3 within 20 steps.)
      const perStep = 3.2 * LR * 16 * 2 ** -24 + 2 ** -23;
      let moved = 0;
      for (let t = 0; t < STEPS; t++) {
        const tol = 2 * (t + 1) * perStep;
        const a = ref.weights[t]!;
        const b = fused.weights[t]!;
        for (let i = 0; i < a.length; i++) {
          expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol);
        }
      }
      const first = values(6 * 5, 3);
      for (let i = 0; i < first.length; i++) {
        moved = Math.max(moved, Math.abs(fused.weights[STEPS - 1]![i]! - first[i]!));
      }
      // Adam's first steps move each weight by ≈ lr regardless of the gradient's scale: the
      // comparison above is 1000× finer than the distance travelled.
      expect(moved).toBeGreaterThan(STEPS * LR * 0.5);
      // No tensors are created per step after the first (which creates the moments).
      expect(new Set(fused.counts).size).toBe(1);
    },
  );

  it("does not write through to a tensor that still shares the variable's buffer", () => {
    const init = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(init, true, "aliased/v");
    const opt = createFusedAdam(tf, SETTINGS);
    opt.minimize(() => tf.sum(tf.square(v)) as Scalar, false, [v]);
    expect(Array.from(init.dataSync())).toEqual([1, 2, 3]);
    // The first Adam step moves every weight by lr against its gradient's sign.
    const got = v.dataSync();
    [1, 2, 3].forEach((w, i) => expect(got[i]).toBeCloseTo(w - LR, 6));
    opt.dispose();
    tf.dispose([init, v]);
  });

  it("round-trips its state through getWeights/setWeights", async () => {
    const a = problem("state-a");
    const opt = createFusedAdam(tf, SETTINGS);
    for (let t = 0; t < 3; t++) opt.minimize(a.loss, false, a.vars as Variable[]);
    const state = await opt.getWeights();
    const w0 = a.vars.map((v) => v.clone());
    const restored = createFusedAdam(tf, SETTINGS);
    await restored.setWeights(
      state.map((s) => ({ ...s, name: s.name.replace("state-a", "state-b") })),
    );
    const b = problem("state-b");
    b.vars.forEach((v, i) => (v as Variable).assign(w0[i]!));
    opt.minimize(a.loss, false, a.vars as Variable[]);
    restored.minimize(b.loss, false, b.vars as Variable[]);
    for (let i = 0; i < 2; i++) {
      expect(Array.from(b.vars[i]!.dataSync())).toEqual(Array.from(a.vars[i]!.dataSync()));
    }
    tf.dispose([...state.map((s) => s.tensor), ...w0]);
    a.dispose();
    b.dispose();
    opt.dispose();
    restored.dispose();
  });

  it("is createOptimizer's Adam on wasm, and tf.train.adam elsewhere or when asked", async () => {
    const name = (o: Optimizer) => (o.constructor as unknown as { className: string }).className;
    const o = { name: "adam" as const, lr: LR };
    const onWasm = createOptimizer(tf, o);
    expect(name(onWasm)).toBe("VaelangFusedAdam");
    const plain = createOptimizer(tf, o, "tfjs");
    expect(name(plain)).toBe("Adam");
    tf.dispose([onWasm, plain] as never);
    await tf.setBackend("cpu");
    try {
      const onCpu = createOptimizer(tf, o);
      expect(name(onCpu)).toBe("Adam");
      onCpu.dispose();
      expect(() => createOptimizer(tf, o, "fused")).toThrow(/wasm/);
    } finally {
      await tf.setBackend("wasm");
    }
  });
});
