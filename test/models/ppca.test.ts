/**
 * The linear VAE of examples/linear-vae.vae, trained through the CLI on a CSV drawn from a
 * probabilistic-PCA model, reaches the closed-form PPCA maximum likelihood (Tipping &
 * Bishop 1999): σ²_ML is the mean of the d − q smallest eigenvalues of the sample
 * covariance S, and the maximised log-likelihood per point is
 *   ℓ_ML = −½ [d log 2π + Σ_{i≤q} log λ_i + (d − q) log σ²_ML + d].
 * At the optimum the linear VAE's ELBO is tight (Lucas et al. 2019: the ML columns of W
 * are orthogonal, so the true posterior is diagonal and the encoder can match it).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { loadCheckpoint } from "../../src/index.js";
import type { NamedWeights } from "../../src/engine/types.js";
import {
  logDetSpd,
  matmul,
  normals,
  solveSpd,
  symmetricEigenvalues,
  transpose,
  zeros,
  type Matrix,
} from "./linear-algebra.js";

const D = 10;
const Q = 2;
const N = 3000;
const LOG_2PI = Math.log(2 * Math.PI);

/** x = W z + μ + σ ε with a fixed W (columns of clearly different lengths), σ = 0.3. */
function ppcaSample(): Matrix {
  const g = normals(42);
  const w = Array.from({ length: D }, (_, i) => [
    1.5 * g(),
    (i % 2 === 0 ? 0.8 : -0.8) + 0.3 * g(),
  ]);
  const mu = Array.from({ length: D }, () => g());
  return Array.from({ length: N }, () => {
    const z = [g(), g()];
    return w.map((row, i) => row[0]! * z[0]! + row[1]! * z[1]! + mu[i]! + 0.3 * g());
  });
}

function meanAndCovariance(x: Matrix): { mean: number[]; cov: Matrix } {
  const mean = Array<number>(D).fill(0);
  for (const r of x) r.forEach((v, j) => (mean[j]! += v / x.length));
  const cov = zeros(D, D);
  for (const r of x)
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++)
        cov[i]![j]! += ((r[i]! - mean[i]!) * (r[j]! - mean[j]!)) / x.length;
  return { mean, cov };
}

function weight(w: NamedWeights, name: string, rows: number, cols: number): Matrix {
  const t = w[name];
  if (t === undefined) throw new Error(`no weight ${name}`);
  return Array.from({ length: rows }, (_, i) =>
    Array.from(t.values.slice(i * cols, (i + 1) * cols)),
  );
}

/** Average log N(x | b, W Wᵀ + σ² I) over the sample, from its mean and covariance. */
function marginalLogLik(w: NamedWeights, mean: number[], cov: Matrix): number {
  const wDec = transpose(weight(w, "net.dec_mean.0.W", Q, D)); // [D, Q]
  const b = Array.from(w["net.dec_mean.0.b"]!.values);
  const sigma2 = Math.exp(2 * w["param.log_sigma"]!.values[0]!);
  const c = matmul(wDec, transpose(wDec)).map((r, i) =>
    r.map((v, j) => v + (i === j ? sigma2 : 0)),
  );
  // E‖x − b‖²_{C⁻¹} = tr(C⁻¹ (S + (x̄ − b)(x̄ − b)ᵀ)).
  const m = cov.map((r, i) => r.map((v, j) => v + (mean[i]! - b[i]!) * (mean[j]! - b[j]!)));
  const cInvM = solveSpd(c, m);
  const trace = cInvM.reduce((s, r, i) => s + r[i]!, 0);
  return -0.5 * (D * LOG_2PI + logDetSpd(c) + trace);
}

/** The exact ELBO averaged over the sample (Gaussian expectations in closed form). */
function exactElbo(w: NamedWeights, x: Matrix): number {
  const wEnc = weight(w, "net.enc_mean.0.W", D, Q);
  const bEnc = Array.from(w["net.enc_mean.0.b"]!.values);
  const wDec = weight(w, "net.dec_mean.0.W", Q, D);
  const bDec = Array.from(w["net.dec_mean.0.b"]!.values);
  const s2 = Array.from(w["param.enc_log_scale"]!.values, (l) => Math.exp(2 * l));
  const logSigma = w["param.log_sigma"]!.values[0]!;
  const sigma2 = Math.exp(2 * logSigma);
  // E_q ‖x − W z − b‖² = ‖x − W m − b‖² + Σ_j s_j² ‖w_j‖² (w_j: row j of the [Q, D] map).
  const spread = wDec.reduce((acc, row, j) => acc + s2[j]! * row.reduce((a, v) => a + v * v, 0), 0);
  let total = 0;
  for (const r of x) {
    const m = bEnc.map((bj, j) => r.reduce((a, v, i) => a + v * wEnc[i]![j]!, bj));
    let sq = 0;
    for (let i = 0; i < D; i++) {
      const mean = m.reduce((a, mj, j) => a + mj * wDec[j]![i]!, bDec[i]!);
      sq += (r[i]! - mean) ** 2;
    }
    const logLik = -0.5 * (D * (LOG_2PI + 2 * logSigma) + (sq + spread) / sigma2);
    const kl = 0.5 * m.reduce((a, mj, j) => a + s2[j]! + mj * mj - 1 - Math.log(s2[j]!), 0);
    total += logLik - kl;
  }
  return total / x.length;
}

async function vae(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/**
 * Optimisation allowance, nats per point. The initial model (σ = 1, small random W) is
 * several nats per point below ℓ_ML here; full-batch Adam reaches the optimum up to the
 * jitter of its last steps: with step η = 0.01 per coordinate on the 47 weights and
 * curvatures O(1) (the data scale), the excess loss is O(47 · ½ η²) ≈ 2e-3, plus the
 * noise of one reparameterised draw per point averaged over the 3000 points. 0.01 nats
 * leaves a factor of more than ten over that and is far below the starting gap.
 */
const TOL = 0.01;

describe("linear VAE on PPCA data", () => {
  it("reaches the probabilistic-PCA maximum likelihood", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vae-ppca-"));
    const x = ppcaSample();
    const csv = path.join(dir, "ppca.csv");
    writeFileSync(csv, x.map((r) => r.map((v) => v.toFixed(6)).join(",")).join("\n") + "\n");
    // The example itself, resized from 64 → 4 to D → Q.
    const source = readFileSync("examples/linear-vae.vae", "utf8")
      .replace("real[64]", `real[${D}]`)
      .replace("real[4]", `real[${Q}]`)
      .replace("real[4]", `real[${Q}]`)
      .replace("linear(64 -> 4)", `linear(${D} -> ${Q})`)
      .replace("linear(4 -> 64)", `linear(${Q} -> ${D})`);
    const model = path.join(dir, "ppca.vae");
    writeFileSync(model, source);
    const out = path.join(dir, "run");
    const r = await vae(
      "train",
      model,
      "--data",
      csv,
      "--epochs",
      "10000",
      "--batch",
      String(N),
      "--lr",
      "0.01",
      "--seed",
      "1",
      "--out",
      out,
      "--quiet",
      "--json",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ckpt = await loadCheckpoint(out);
    const weights = ckpt.value!.weights;

    // The CSV holds 6 decimals: the closed forms use exactly what the engine read.
    const read = x.map((row) => row.map((v) => Number(v.toFixed(6))));
    const { mean, cov } = meanAndCovariance(read);
    const lambda = symmetricEigenvalues(cov);
    const sigma2Ml = lambda.slice(Q).reduce((a, b) => a + b, 0) / (D - Q);
    const llMl =
      -0.5 *
      (D * LOG_2PI +
        lambda.slice(0, Q).reduce((a, l) => a + Math.log(l), 0) +
        (D - Q) * Math.log(sigma2Ml) +
        D);

    const ll = marginalLogLik(weights, mean, cov);
    const elbo = exactElbo(weights, read);
    const sigma2 = Math.exp(2 * weights["param.log_sigma"]!.values[0]!);
    console.log({ llMl, ll, elbo, sigma2Ml, sigma2 });

    // ℓ_ML is the maximum: no model beats it (beyond float64 rounding of these sums).
    expect(ll).toBeLessThanOrEqual(llMl + 1e-9 * Math.abs(llMl));
    expect(llMl - ll).toBeLessThanOrEqual(TOL);
    // The ELBO is a lower bound on ℓ, and tight at the optimum.
    expect(elbo).toBeLessThanOrEqual(ll + 1e-9 * Math.abs(ll));
    expect(ll - elbo).toBeLessThanOrEqual(TOL);
    // Near the optimum ℓ(σ²) ≈ ℓ_ML − ¼ (d − q) (log σ² − log σ²_ML)², so an ℓ-gap within
    // TOL bounds the error in log σ² by √(4 TOL / (d − q)).
    expect(Math.abs(Math.log(sigma2 / sigma2Ml))).toBeLessThanOrEqual(
      Math.sqrt((4 * TOL) / (D - Q)),
    );
  }, 600_000);
});
