import type { SplitMetrics } from "../types.js";

/**
 * How log q(z) = log (1/N) Σ_n q(z|x_n) is estimated from a minibatch of M rows drawn
 * without replacement from the N rows of a split:
 * - "mws": minibatch weighted sampling (Chen et al. 2018, eq. 5),
 *   log (1/(N·M)) Σ_j q(z_i|x_j). A lower bound in expectation, loose by between log M
 *   (posteriors that do not overlap) and log N (posteriors that all coincide).
 * - "stratified": the point's own row with weight 1/N and the other M − 1 rows standing in
 *   for the other N − 1 with weight (N − 1)/(N·(M − 1)); unbiased for q(z_i) itself, so
 *   log q(z_i) is low only by the Jensen gap, and exact when M = N.
 * - "exact": a categorical latent, q(z) summed over every row of the split.
 */
export type AggregateEstimator = "mws" | "stratified" | "exact";

/** Per-point averages (nats) of the decomposition rate = mutual_info + marginal_kl. */
export interface AggregateTerms {
  /** I_q(X;Z) = E[log q(z|x) − log q(z)] over the split's empirical distribution. */
  mutualInfo: number;
  /** KL[q(z) ‖ p(z)] = E[log q(z) − log p(z)]. */
  marginalKl: number;
  /**
   * E[log q(z|x) − log p(z)] on the same draws, so mutualInfo + marginalKl equals it up to
   * rounding; exact KL under enumeration.
   */
  rate: number;
  estimator: AggregateEstimator;
}

/** The bounds H − D ≤ I ≤ R (Alemi et al. 2018) around an estimate of I. */
export interface MutualInfoBounds {
  /** max(0, H − D), or null when H is unknown. */
  lower: number | null;
  estimate: number;
  /** The rate R. */
  upper: number;
}

/** Where the data entropy H came from. */
export type EntropySource = "exact" | "empirical";

/** Everything `vae eval` reports for one split; per data point, in nats. */
export interface InformationReport extends SplitMetrics {
  /** Estimate of E log p(x): importance-sampled with `iw_samples` draws, or exact. */
  log_likelihood: number | null;
  /** k of the importance-sampled estimate; null when exact or not computed. */
  iw_samples: number | null;
  log_likelihood_method: "importance" | "exact" | null;
  entropy: number | null;
  entropy_source: EntropySource | null;
  mutual_info: MutualInfoBounds;
  marginal_kl: number;
  mi_estimator: AggregateEstimator;
  /** Latent dimensions whose posterior mean has variance > 0.01 over the split; null for a
   * categorical latent, whose index has no meaningful mean. */
  active_units: number | null;
  latent_dims: number;
}

/** The cheap diagnostics recorded with each epoch (held-out split). */
export interface EpochDiagnostics {
  mutual_info: number;
  marginal_kl: number;
  active_units: number | null;
  mi_estimator: AggregateEstimator;
  /** Held-out rows used: the first ones of the split, so every epoch sees the same rows. */
  rows: number;
  seconds: number;
}
