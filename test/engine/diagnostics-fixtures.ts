/**
 * Shared pieces of the diagnostics tests: models with fixed weights and the closed forms
 * of the linear-Gaussian VAE (x ~ N(b, WᵀW + σ²I) with W the [k, d] decoder matrix).
 */
import { compileModel, type CompiledModel } from "../../src/backends/tfjs/compile.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import { importWeights } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import type { ModelIR } from "../../src/ir/types.js";

export const LOG_2PI = Math.log(2 * Math.PI);

export function withWeights(
  tf: Tf,
  ir: ModelIR,
  values: Record<string, readonly number[]>,
): CompiledModel {
  const m = compileModel(ir, tf, 0);
  importWeights(m, namedWeights(m, values));
  return m;
}

export function namedWeights(
  m: CompiledModel,
  values: Record<string, readonly number[]>,
): NamedWeights {
  const w: NamedWeights = {};
  for (const spec of m.specs) {
    const v = values[spec.name];
    if (v === undefined) throw new Error(`test weights lack ${spec.name}`);
    w[spec.name] = { shape: spec.shape, values: Float32Array.from(v) };
  }
  return w;
}

/** Weights of linearVaeIR(d, k): We [d, k], be [k], ls [k], Wd [k, d], bd [d], logSigma. */
export interface LinearWeights {
  We: number[];
  be: number[];
  ls: number[];
  Wd: number[];
  bd: number[];
  logSigma: number;
}

export function linearWeightRecord(w: LinearWeights): Record<string, number[]> {
  return {
    "net.enc_mean.0.W": w.We,
    "net.enc_mean.0.b": w.be,
    "net.dec_mean.0.W": w.Wd,
    "net.dec_mean.0.b": w.bd,
    "param.enc_log_scale": w.ls,
    "param.log_sigma": [w.logSigma],
  };
}

const f = Math.fround;

/** log N(x; bd, WdᵀWd + σ²I) by a Cholesky factorisation, in float64. */
export function linearLogPx(w: LinearWeights, x: readonly number[], k: number): number {
  const d = x.length;
  const sig2 = Math.exp(2 * f(w.logSigma));
  const C = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = i === j ? sig2 : 0;
      for (let l = 0; l < k; l++) s += f(w.Wd[l * d + i]!) * f(w.Wd[l * d + j]!);
      return s;
    }),
  );
  const L = C.map((row) => row.map(() => 0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = C[i]![j]!;
      for (let l = 0; l < j; l++) s -= L[i]![l]! * L[j]![l]!;
      L[i]![j] = i === j ? Math.sqrt(s) : s / L[j]![j]!;
    }
  }
  const r = x.map((xi, i) => xi - f(w.bd[i]!));
  const y: number[] = [];
  for (let i = 0; i < d; i++) {
    let s = r[i]!;
    for (let l = 0; l < i; l++) s -= L[i]![l]! * y[l]!;
    y.push(s / L[i]![i]!);
  }
  const logDet = 2 * L.reduce((s, row, i) => s + Math.log(row[i]!), 0);
  return -0.5 * (d * LOG_2PI + logDet + y.reduce((s, v) => s + v * v, 0));
}

/** The ELBO of the linear-Gaussian VAE at x, in closed form (analytic KL, exact E log p). */
export function linearElbo(w: LinearWeights, x: readonly number[], k: number): number {
  const d = x.length;
  const mu = Array.from(
    { length: k },
    (_, j) => f(w.be[j]!) + x.reduce((s, xi, i) => s + xi * f(w.We[i * k + j]!), 0),
  );
  const s2 = w.ls.map((l) => Math.exp(2 * f(l)));
  const sig2 = Math.exp(2 * f(w.logSigma));
  let expLogLik = 0;
  for (let i = 0; i < d; i++) {
    const m = f(w.bd[i]!) + mu.reduce((s, mj, j) => s + mj * f(w.Wd[j * d + i]!), 0);
    const spread = s2.reduce((s, v, j) => s + f(w.Wd[j * d + i]!) ** 2 * v, 0);
    expLogLik += -0.5 * LOG_2PI - f(w.logSigma) - ((x[i]! - m) ** 2 + spread) / (2 * sig2);
  }
  const rate = mu.reduce((s, mj, j) => s - f(w.ls[j]!) + 0.5 * (s2[j]! + mj ** 2) - 0.5, 0);
  return expLogLik - rate;
}

/**
 * For a decoder whose rows are orthogonal (Wd Wdᵀ diagonal) the exact posterior is a
 * diagonal Gaussian: Σ = diag(1 / (1 + λ_j/σ²)), μ = Σ Wd (x − bd) / σ². Returns the encoder
 * weights that make q(z|x) equal it, so every importance weight is p(x) itself.
 */
export function exactPosteriorEncoder(
  Wd: number[],
  bd: number[],
  logSigma: number,
  k: number,
): Pick<LinearWeights, "We" | "be" | "ls"> {
  const d = bd.length;
  const sig2 = Math.exp(2 * logSigma);
  const s = Array.from({ length: k }, (_, j) => {
    let lambda = 0;
    for (let i = 0; i < d; i++) lambda += Wd[j * d + i]! ** 2;
    return 1 / (1 + lambda / sig2);
  });
  const We = Array.from({ length: d * k }, (_, idx) => {
    const i = Math.floor(idx / k);
    const j = idx % k;
    return (s[j]! * Wd[j * d + i]!) / sig2;
  });
  const be = Array.from({ length: k }, (_, j) =>
    bd.reduce((acc, b, i) => acc - b * We[i * k + j]!, 0),
  );
  return { We, be, ls: s.map((v) => 0.5 * Math.log(v)) };
}
