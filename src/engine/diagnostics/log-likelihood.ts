import type { CompiledModel } from "../../backends/tfjs/compile.js";
import type { Tensor } from "../../backends/tfjs/tf.js";
import { enumerateTerms } from "../estimators/enumerate.js";
import { tileParams, tileRows } from "../estimators/reparam.js";
import { deriveSeed } from "../rng.js";

export interface ImportanceOptions {
  /** k: draws of z ~ q(z|x) per data point. */
  samples: number;
  seed: number;
  /** Most latent rows (data rows × draws) evaluated at once; bounds memory whatever k is. */
  maxLatentRows: number;
  /**
   * Index of x's first row in the whole split (default 0). Draws are seeded by the row's
   * index in the split, so a split evaluated in parts starting at multiples of
   * `importanceRowBlock` gives the same numbers as in one piece.
   */
  rowOffset?: number;
}

/** Rows evaluated together by `importanceLogLikelihood` for k draws. */
export function importanceRowBlock(samples: number, maxLatentRows: number): number {
  const perChunk = Math.max(1, Math.floor(maxLatentRows));
  return Math.max(1, Math.floor(perChunk / Math.min(samples, perChunk)));
}

/** log(e^a + e^b) in float64, with −∞ as the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Per-row importance-sampled estimates of log p(x) (Burda et al. 2016):
 *   log (1/k) Σ_i p(x, z_i) / q(z_i|x),  z_i ~ q(z|x).
 * Its expectation is iw_bound(k): ≥ the ELBO, non-decreasing in k, → log p(x) as k → ∞.
 * Rows and draws are processed in chunks of at most `maxLatentRows` latent rows, and the
 * log-sum-exp over draws is accumulated across chunks on the host in float64, so memory
 * does not grow with k. `x` is [B, ...]; returns [B].
 */
export async function importanceLogLikelihood(
  model: CompiledModel,
  x: Tensor,
  opts: ImportanceOptions,
): Promise<Float64Array> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  const k = opts.samples;
  const perChunk = Math.max(1, Math.floor(opts.maxLatentRows));
  const draws = Math.min(k, perChunk);
  const rowBlock = importanceRowBlock(k, opts.maxLatentRows);
  const offset = opts.rowOffset ?? 0;
  const latentShape = model.ir.latent.shape;
  const out = new Float64Array(rows);
  for (let r0 = 0; r0 < rows; r0 += rowBlock) {
    const b = Math.min(rowBlock, rows - r0);
    const acc = new Float64Array(b).fill(-Infinity);
    for (let s0 = 0; s0 < k; s0 += draws) {
      const n = Math.min(draws, k - s0);
      const seed = deriveSeed(opts.seed, "iw", offset + r0, s0);
      const lse = tf.tidy(() => {
        const xb = tf.slice(x, r0, b);
        const encoder = model.distribution("encoder", { data: xb });
        const prior = model.distribution("prior", {});
        // Sample-major rows s·b + j pair draw s with data row j.
        const enc = tileParams(tf, encoder, n);
        const z = enc.dist.sample(tf, enc.params, [n * b, ...latentShape], seed);
        const decoder = model.distribution("decoder", { latent: z });
        const logLik = decoder.dist.logProb(tf, decoder.params, tileRows(tf, xb, n));
        const logW = tf.sub(
          tf.add(logLik, prior.dist.logProb(tf, prior.params, z)),
          enc.dist.logProb(tf, enc.params, z),
        );
        return tf.logSumExp(tf.reshape(logW, [n, b]), 0);
      });
      const v = await lse.data().finally(() => lse.dispose());
      for (let j = 0; j < b; j++) acc[j] = logAddExp(acc[j]!, v[j]!);
    }
    for (let j = 0; j < b; j++) out[r0 + j] = acc[j]! - Math.log(k);
  }
  return out;
}

/**
 * Exact per-row log p(x) = log Σ_z p(z) p(x|z) for a categorical latent, in row blocks
 * of at most `maxLatentRows` / K rows (the decoder runs once per latent value and row).
 */
export async function exactLogLikelihood(
  model: CompiledModel,
  x: Tensor,
  maxLatentRows: number,
): Promise<Float64Array> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  const categories = model.ir.latent.categories ?? 1;
  const block = Math.max(1, Math.floor(maxLatentRows / categories));
  const out = new Float64Array(rows);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const b = Math.min(block, rows - r0);
    const t = tf.tidy(() => {
      const terms = enumerateTerms(model, tf.slice(x, r0, b), {
        samples: 1,
        kl: "analytic",
        seed: 0,
        iwSamples: [1],
      });
      return terms.iw.get(1)!;
    });
    out.set(await t.data().finally(() => t.dispose()), r0);
  }
  return out;
}
