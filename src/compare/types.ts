import type { Diagnostic } from "../diagnostics/index.js";
import type { EpochMetrics } from "../engine/types.js";
import type { ModelIR, TrainIR } from "../ir/types.js";

/** What `vae compare` was asked; unset fields fall back to the file's `train { }` block. */
export interface CompareOptions {
  /** `--objective` texts; each is compiled against the file in place of its objective. */
  objectives: string[];
  /** `--sweep` texts, e.g. `beta_vae(beta: 0.1..10 log 8)`. */
  sweeps: string[];
  /** Seeds per objective: the file's train seed + 0 … seeds − 1 (default 1). */
  seeds?: number;
  epochs?: number;
  data?: string;
  batch?: number;
  lr?: number;
  samples?: number;
  /** Child processes training at once (default: the number of cores). */
  jobs?: number;
  /** k of the importance-sampled held-out log p(x) (default 100). */
  iw?: number;
  /** Held-out rows evaluated after training, a seeded random subset (default 1000). */
  evalRows?: number;
  /** Output directory. */
  out: string;
  model?: string;
  /** Compute backend of every run (default: the file's, else "auto"). */
  backend?: string;
  /** Directory relative dataset paths are read from (default: the working directory). */
  baseDir?: string;
}

/** One swept value of one `--sweep` flag. */
export interface SweepPoint {
  /** The flag's text. */
  sweep: string;
  name: string;
  param: string;
  value: number;
}

/** One training run of the plan. Plain JSON: it is sent to a child process as it is. */
export interface PlannedRun {
  key: string;
  /** The objective expression as compiled, e.g. `beta_vae(beta: 0.5)`. */
  objective: string;
  sweep: SweepPoint | null;
  /** 0 … seeds − 1; the run trains with train.seed = the file's seed + seedIndex. */
  seedIndex: number;
  ir: ModelIR;
  train: TrainIR;
  iw: number;
  evalRows: number;
  /** The spec's text (written into the checkpoint) and the file it came from. */
  source: string;
  file: string;
  baseDir: string;
  /** Where the run writes its checkpoint, metrics.jsonl and result.json. */
  dir: string;
}

export interface RunPlan {
  file: string;
  source: string;
  /** SHA-256 of the spec's text, hex. */
  sourceHash: string;
  model: string;
  /** The file's own train seed; run seeds count up from it. */
  baseSeed: number;
  seeds: number;
  dataset: string;
  /** Every objective in plan order (flags first, then each sweep's values). */
  objectives: string[];
  runs: PlannedRun[];
  /** Compiler text by file name (the spec, each flag), for rendering diagnostics. */
  sources: Map<string, string>;
}

/** Metrics of a trained run on its held-out evaluation rows; per data point, in nats. */
export interface RunMetrics {
  rate: number;
  distortion: number;
  elbo: number;
  loss: number;
  /** Data entropy H, when known exactly or estimable from discrete rows; else null. */
  entropy: number | null;
  /** I_q(X;Z): the estimate and its bounds max(0, H − D) ≤ I ≤ R. */
  mutual_info: { lower: number | null; estimate: number; upper: number };
  log_likelihood: number | null;
  /** k of the importance-sampled log p(x); null when exact (categorical latent). */
  iw_samples: number | null;
  log_likelihood_method: "importance" | "exact" | null;
  marginal_kl: number;
  active_units: number | null;
  latent_dims: number;
  /** Wall time of training alone (the evaluation after it excluded), seconds. */
  train_seconds: number;
}

export type RunStatus = "ok" | "failed";

/** What one run produced: result.json of a run directory, or a failure kept in memory. */
export interface RunRecord {
  key: string;
  objective: string;
  sweep: SweepPoint | null;
  seed: number;
  seedIndex: number;
  status: RunStatus;
  /** Why a run failed (divergence, a diagnostic, a crashed process); null when ok. */
  reason: string | null;
  metrics: RunMetrics | null;
  /** The split and rows the metrics come from, e.g. "toy:broken-elbo/test, 1000 rows". */
  evaluated: string | null;
  history: EpochMetrics[];
  /** True when the record was read from a previous compare's result.json. */
  cached: boolean;
}

/** Progress of one running run, as the child reports it. */
export interface RunProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  /** The last finished epoch's held-out rate R, when one has finished. */
  rate: number | null;
  elapsedSeconds: number;
}

/**
 * How runCompare reports while it works. src/compare renders nothing itself: the CLI
 * passes hooks that draw the progress display; tests pass none or record the calls.
 */
export interface CompareHooks {
  /** One-off lines (how many runs were cached, where files were written). */
  log?(line: string): void;
  /** Before training starts: every run, and which of them are already done. */
  onPlan?(plan: RunPlan, cached: ReadonlySet<string>): void;
  onRunStart?(run: PlannedRun): void;
  onRunProgress?(run: PlannedRun, progress: RunProgress): void;
  onRunEnd?(run: PlannedRun, record: RunRecord): void;
}

/** Summary of one metric over the seeds of one objective. */
export interface MeanSd {
  mean: number;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  sd: number | null;
  n: number;
}

export interface ObjectiveSummary {
  objective: string;
  sweep: SweepPoint | null;
  runs: number;
  succeeded: number;
  metrics: Record<string, MeanSd>;
}

export interface CompareOutcome {
  /** Present when planning failed: nothing was trained. */
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  records: RunRecord[];
  summaries: ObjectiveSummary[];
  /** Runs read from the cache instead of trained. */
  cached: number;
  /** Files written under the output directory, relative to it. */
  files: string[];
  /** Notes about figures that were skipped, and why. */
  notes: string[];
  /** 0 when at least one run succeeded, 1 otherwise. */
  exitCode: number;
}

/** Messages from a run's child process to the parent. */
export type WorkerMessage =
  | { type: "progress"; progress: RunProgress }
  | { type: "done"; record: RunRecord }
  | { type: "failed"; reason: string };
