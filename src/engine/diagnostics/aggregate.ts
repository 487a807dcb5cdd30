import type { CompiledModel, ParamSet } from "../../backends/tfjs/compile.js";
import { isEnumerable, normalParts } from "../../backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../backends/tfjs/tf.js";
import { tileParams } from "../estimators/reparam.js";
import { deriveSeed, Rng } from "../rng.js";
import { logAddExp } from "./log-likelihood.js";
import type { AggregateTerms } from "./types.js";

export interface MinibatchAggregateOptions {
  /** M: rows per minibatch. The split is visited in a seeded random order. */
  batch: number;
  seed: number;
  weighting: "mws" | "stratified";
  /** Most (z_i, x_j) pairs whose log q(z_i|x_j) is evaluated at once. */
  maxPairs: number;
}

/**
 * Minibatch estimates of I_q(X;Z) and KL[q(z)‖p(z)] over the N rows of `x`, where
 * q(z) = (1/N) Σ_n q(z|x_n) is the aggregate posterior of the split. For each row i of a
 * minibatch of M, one draw z_i ~ q(z|x_i), log q(z_i|x_j) for every j of the minibatch,
 * and log q(z_i) from those by the chosen weighting (see AggregateEstimator). Then
 *   I ≈ mean_i [log q(z_i|x_i) − log q̂(z_i)],  KL ≈ mean_i [log q̂(z_i) − log p(z_i)],
 * whose sum is mean_i [log q(z_i|x_i) − log p(z_i)], a Monte Carlo estimate of the rate on
 * the same draws: the split of R between the two terms carries the bias of log q̂.
 */
export async function minibatchAggregateTerms(
  model: CompiledModel,
  x: Tensor,
  opts: MinibatchAggregateOptions,
): Promise<AggregateTerms> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  const order = tf.tensor1d(new Rng(opts.seed, "aggregate").permutation(rows), "int32");
  const logN = Math.log(rows);
  let mi = 0;
  let kl = 0;
  let rate = 0;
  try {
    for (let start = 0, b = 0; start < rows; start += opts.batch, b++) {
      const m = Math.min(opts.batch, rows - start);
      const seed = deriveSeed(opts.seed, "aggregate", b);
      const t = await readPairwiseSums(
        tf.tidy(() =>
          pairwiseBatch(model, tf.gather(x, tf.slice(order, start, m)), seed, opts.maxPairs),
        ),
      );
      const otherWeight = m > 1 ? Math.log((rows - 1) / (rows * (m - 1))) : -Infinity;
      for (let i = 0; i < m; i++) {
        const lq =
          opts.weighting === "mws"
            ? logAddExp(t.self[i]!, t.lseOthers[i]!) - Math.log(rows * m)
            : logAddExp(t.self[i]! - logN, t.lseOthers[i]! + otherWeight);
        mi += t.self[i]! - lq;
        kl += lq - t.logPrior[i]!;
        rate += t.self[i]! - t.logPrior[i]!;
      }
    }
  } finally {
    order.dispose();
  }
  return {
    mutualInfo: mi / rows,
    marginalKl: kl / rows,
    rate: rate / rows,
    estimator: opts.weighting,
  };
}

/** A type alias, not an interface: tf.tidy returns it, which needs an implicit index signature. */
type PairwiseSums<T> = {
  /** log q(z_i|x_i) */
  self: T;
  /** log p(z_i) */
  logPrior: T;
  /** log Σ_{j≠i} q(z_i|x_j); −∞ when M = 1 */
  lseOthers: T;
};

/** The three [M] tensors on the host; they are disposed. */
async function readPairwiseSums(t: PairwiseSums<Tensor>): Promise<PairwiseSums<Float32Array>> {
  try {
    const [self, logPrior, lseOthers] = await Promise.all(
      [t.self, t.logPrior, t.lseOthers].map((v) => v.data() as Promise<Float32Array>),
    );
    return { self: self!, logPrior: logPrior!, lseOthers: lseOthers! };
  } finally {
    t.self.dispose();
    t.logPrior.dispose();
    t.lseOthers.dispose();
  }
}

/**
 * One draw z_i ~ q(z|x_i) per row of the minibatch `xb` and the log-sum-exp of
 * log q(z_i|x_j) over j ≠ i, in chunks of rows i. The own term log q(z_i|x_i) comes from
 * the density itself: the matrix form below loses precision when σ is tiny, which only
 * matters for the dominant own term. Must run inside tf.tidy, which keeps the returned
 * tensors: the encoder's parameters live for the whole minibatch, each chunk's
 * intermediates only for the chunk.
 */
function pairwiseBatch(
  model: CompiledModel,
  xb: Tensor,
  seed: number,
  maxPairs: number,
): PairwiseSums<Tensor> {
  const tf = model.tf;
  const m = xb.shape[0]!;
  const latentShape = model.ir.latent.shape;
  const dims = latentShape.reduce((p, d) => p * d, 1);
  const encoder = model.distribution("encoder", { data: xb });
  const prior = model.distribution("prior", {});
  const z = encoder.dist.sample(tf, encoder.params, [m, ...latentShape], seed);
  const self = encoder.dist.logProb(tf, encoder.params, z);
  const logPrior = prior.dist.logProb(tf, prior.params, z);
  // With one row there is no other j; log of an empty sum.
  if (m === 1) return { self, logPrior, lseOthers: tf.fill([1], -Infinity) };
  const gaussian = encoder.dist.name === "Normal" ? gaussianPairs(tf, encoder, z, m, dims) : null;
  // The Gaussian form holds only [c, M] matrices; the generic one [c·M, latent] rows.
  const perChunk = gaussian !== null ? maxPairs * dims : maxPairs;
  const chunk = Math.max(1, Math.min(m, Math.floor(perChunk / m)));
  const parts: Tensor[] = [];
  for (let i0 = 0; i0 < m; i0 += chunk) {
    const c = Math.min(chunk, m - i0);
    parts.push(
      tf.tidy(() => {
        let logQ: Tensor;
        if (gaussian !== null) logQ = gaussian(i0, c);
        else {
          // Row l·M + j pairs z_{i0+l} with the parameters of x_j.
          const enc = tileParams(tf, encoder, c);
          const zc = tf.slice(z, i0, c);
          const zRep = tf.reshape(
            tf.tile(tf.expandDims(zc, 1), [1, m, ...Array<number>(latentShape.length).fill(1)]),
            [c * m, ...latentShape],
          );
          logQ = tf.reshape(enc.dist.logProb(tf, enc.params, zRep), [c, m]);
        }
        const diagonal = tf.cast(tf.oneHot(tf.range(i0, i0 + c, 1, "int32"), m), "bool");
        const others = tf.where(diagonal, tf.fill([c, m], -Infinity), logQ);
        return tf.logSumExp(others, 1);
      }),
    );
  }
  const lseOthers = parts.length === 1 ? parts[0]! : tf.concat(parts);
  return { self, logPrior, lseOthers };
}

/**
 * log N(z_i; μ_j, σ_j²) for rows i0..i0+c of z against all M rows j by two matrix
 * products: −½ Σ_d (z_id − μ_jd)² / σ_jd² − Σ_d log σ_jd − (D/2) log 2π, expanded around
 * the minibatch's mean of μ so the float32 cancellation stays small.
 */
function gaussianPairs(
  tf: Tf,
  encoder: ParamSet,
  z: Tensor,
  m: number,
  dims: number,
): (i0: number, c: number) => Tensor {
  const p = normalParts(tf, encoder.params);
  const flat = (t: Tensor) => tf.reshape(tf.broadcastTo(t, [m, ...z.shape.slice(1)]), [m, dims]);
  const loc = flat(p.loc);
  const logScale = flat(p.logScale());
  const center = tf.mean(loc, 0, true);
  const mu = tf.sub(loc, center);
  const zc = tf.sub(tf.reshape(z, [m, dims]), center);
  const precision = tf.exp(tf.mul(logScale, -2));
  const muPrec = tf.mul(mu, precision);
  // Per j: Σ_d μ_jd²/σ_jd² + 2 Σ_d log σ_jd + D log 2π.
  const constJ = tf.add(
    tf.add(tf.sum(tf.mul(mu, muPrec), 1), tf.mul(tf.sum(logScale, 1), 2)),
    dims * LOG_2PI,
  );
  return (i0, c) => {
    const zi = tf.slice(zc, i0, c);
    const quad = tf.matMul(tf.square(zi), precision, false, true);
    const cross = tf.matMul(zi, muPrec, false, true);
    return tf.mul(tf.add(tf.sub(quad, tf.mul(cross, 2)), tf.expandDims(constJ, 0)), -0.5);
  };
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Exact terms for a categorical latent: q(z) = (1/N) Σ_n q(z|x_n) summed over all rows, so
 *   I = H[q(z)] − mean_n H[q(z|x_n)],  KL = Σ_z q(z) (log q(z) − log p(z)),
 *   R = mean_n KL[q(z|x_n) ‖ p(z)] = I + KL exactly (ELBO surgery, Hoffman & Johnson 2016).
 * Batches of `batch` rows; the sums are accumulated in float64.
 */
export async function exactAggregateTerms(
  model: CompiledModel,
  x: Tensor,
  batch: number,
): Promise<AggregateTerms> {
  const tf = model.tf;
  const rows = x.shape[0]!;
  let qSum: Float64Array | null = null;
  let negCondEntropy = 0;
  for (let start = 0; start < rows; start += batch) {
    const size = Math.min(batch, rows - start);
    const [sumQ, sumQLogQ] = tf.tidy(() => {
      const encoder = model.distribution("encoder", { data: tf.slice(x, start, size) });
      if (!isEnumerable(encoder.dist)) {
        throw new Error("exact aggregate posterior: the encoder must be categorical");
      }
      const k = encoder.dist.categories(encoder.params);
      const logQ = tf.broadcastTo(encoder.dist.logProbs(tf, encoder.params), [size, k]);
      const q = tf.exp(logQ);
      return [tf.sum(q, 0), tf.sum(tf.mul(q, logQ))];
    });
    const [s, sLogQ] = await Promise.all([sumQ.data(), sumQLogQ.data()]).finally(() =>
      tf.dispose([sumQ, sumQLogQ]),
    );
    negCondEntropy += sLogQ[0]!;
    qSum ??= new Float64Array(s.length);
    for (let j = 0; j < s.length; j++) qSum[j]! += s[j]!;
  }
  const logPrior = tf.tidy(() => {
    const prior = model.distribution("prior", {});
    if (!isEnumerable(prior.dist)) {
      throw new Error("exact aggregate posterior: the prior must be categorical");
    }
    return tf.reshape(prior.dist.logProbs(tf, prior.params), [-1]);
  });
  const lp = await logPrior.data().finally(() => logPrior.dispose());
  let aggNegEntropy = 0;
  let crossEntropy = 0;
  for (let j = 0; j < (qSum?.length ?? 0); j++) {
    const q = qSum![j]! / rows;
    if (q > 0) aggNegEntropy += q * Math.log(q);
    crossEntropy -= q * lp[j]!;
  }
  const condEntropy = -negCondEntropy / rows;
  const mutualInfo = -aggNegEntropy - condEntropy;
  const marginalKl = aggNegEntropy + crossEntropy;
  return {
    mutualInfo,
    marginalKl,
    rate: -condEntropy + crossEntropy,
    estimator: "exact",
  };
}

/** Aggregate-posterior terms by the estimator that fits the model's latent. */
export async function aggregateTerms(
  model: CompiledModel,
  x: Tensor,
  o: {
    enumerate: boolean;
    seed: number;
    batch: number;
    weighting: "mws" | "stratified";
    elementBudget: number;
  },
): Promise<AggregateTerms> {
  const latentSize = model.ir.latent.shape.reduce((p, d) => p * d, 1);
  return o.enumerate
    ? exactAggregateTerms(model, x, o.batch)
    : minibatchAggregateTerms(model, x, {
        batch: o.batch,
        seed: o.seed,
        weighting: o.weighting,
        // Each pair holds a latent-sized row in a handful of elementwise intermediates.
        maxPairs: Math.max(1, Math.floor(o.elementBudget / latentSize)),
      });
}
