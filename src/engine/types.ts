import type { EstimatorName, ModelIR, TrainIR } from "../ir/types.js";
import type { EpochDiagnostics } from "./diagnostics/types.js";

/** Per-data-point averages, in nats. `loss` is the objective being minimised. */
export interface SplitMetrics {
  loss: number;
  elbo: number;
  rate: number;
  distortion: number;
}

export interface EpochMetrics {
  epoch: number;
  train: SplitMetrics;
  /** Held-out metrics (test split, else valid); null when the dataset has neither. */
  test: SplitMetrics | null;
  /** Cheap information diagnostics of the held-out split (absent without one). */
  diagnostics?: EpochDiagnostics;
  seconds: number;
  samples_per_second: number;
}

/** Learned tensors by stable name, as plain arrays (checkpoint-ready, tfjs-free). */
export type NamedWeights = Record<string, { shape: number[]; values: Float32Array }>;

export interface StepInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
}

export interface TrainHooks {
  /** Called after every optimisation step (cheap: the loss is read at most every few steps). */
  onStep?(info: StepInfo): void;
  onEpoch?(metrics: EpochMetrics): void;
  /** One-off informational lines (backend choice etc.). */
  log?(message: string): void;
}

export interface TrainResult {
  ir: ModelIR;
  config: TrainIR;
  backend: string;
  /** Data-parallel replicas that trained (1 unless `workers` asked for more on a CPU backend). */
  workers: number;
  history: EpochMetrics[];
  weights: NamedWeights;
  samples_per_second: number;
  /** Steps whose update was skipped for a non-finite loss or gradient (`onNan: "skip"`). */
  skippedSteps: number;
  /** Set when training stopped on a non-finite value; `weights` are then mid-epoch. */
  divergence?: Divergence;
}

/**
 * Where training stopped on a non-finite loss or gradient. The step's update was not
 * applied, so the weights are those before it (finite unless `weights` names some).
 */
export interface Divergence {
  epoch: number;
  /** Step within the epoch, from 0. */
  step: number;
  /** Steps taken in all before this one. */
  stepsTaken: number;
  /** The loss of the step (NaN or ±∞ when it is the loss that is not finite). */
  loss: number;
  /** Terms of the objective whose minibatch mean is not finite. */
  terms: string[];
  /** Variables whose gradient is not finite (they would go non-finite with the update). */
  gradients: string[];
  /** Variables whose values are already not finite. */
  weights: string[];
  /** Why it stopped: the first non-finite step (`stop`), or too many skipped in a row. */
  reason: "non-finite" | "too-many-skipped";
  /** Skipped steps in a row before this one (`skip`). */
  skippedInARow: number;
}

/** Options of `evaluateModel`; unset fields fall back to the model's `train` block. */
export interface EvaluateOptions {
  /** L: samples of z per data point (ignored by the enumerate estimator). */
  samples: number;
  seed: number;
  /** Rows per evaluation batch (default 1000). */
  batch?: number;
  /** Data entropy H in nats per point, when known; unknown counts as 0. */
  entropy?: number | null;
  estimator?: EstimatorName;
  kl?: "analytic" | "monte_carlo";
  /** A name of BACKEND_NAMES (src/stdlib/backends.ts); default: train.backend, else "auto". */
  backend?: string | null;
}
