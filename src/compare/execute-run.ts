import type { Dataset, DatasetSplits } from "../data/types.js";
import type { InformationReport } from "../engine/diagnostics/types.js";
import {
  diagnose,
  initBackend,
  openMetricsLog,
  resolveDataset,
  saveCheckpoint,
  subsetRows,
  train,
  type TrainResult,
} from "../index.js";
import { writeRecordAtomically } from "./cache.js";
import type { PlannedRun, RunMetrics, RunProgress, RunRecord } from "./types.js";

/** A run that cannot finish for a reason the user should read (not a bug). */
export class RunFailure extends Error {}

/** The held-out split a compare evaluates: test, else valid, else (said so) train. */
export function heldOutSplit(splits: DatasetSplits): { split: Dataset; name: string } {
  if (splits.test) return { split: splits.test, name: "test" };
  if (splits.valid) return { split: splits.valid, name: "valid" };
  return { split: splits.train, name: "train" };
}

/** The file's own seed: every run's evaluation rows and draws use it, whatever its seed. */
export const baseSeedOf = (run: PlannedRun) => run.train.seed - run.seedIndex;

function metricsOf(m: InformationReport, trainSeconds: number): RunMetrics {
  return {
    rate: m.rate,
    distortion: m.distortion,
    elbo: m.elbo,
    loss: m.loss,
    entropy: m.entropy,
    mutual_info: m.mutual_info,
    log_likelihood: m.log_likelihood,
    iw_samples: m.iw_samples,
    log_likelihood_method: m.log_likelihood_method,
    marginal_kl: m.marginal_kl,
    active_units: m.active_units,
    latent_dims: m.latent_dims,
    train_seconds: trainSeconds,
  };
}

const PROGRESS_EVERY_MS = 250;

/**
 * Trains one planned run with the public API, evaluates it on the held-out rows, and
 * writes its checkpoint, metrics.jsonl and (last, atomically) result.json into run.dir.
 * Divergence (a non-finite loss) and data problems throw RunFailure.
 */
export async function executeRun(
  run: PlannedRun,
  report: (p: RunProgress) => void,
): Promise<RunRecord> {
  const data = await resolveDataset(run.train.dataset!, run.ir.data, { baseDir: run.baseDir });
  if (!data.value) throw new RunFailure(data.diagnostics.map((d) => d.message).join("; "));
  const backend = await initBackend(run.train.backend ?? "auto");
  if ("diagnostics" in backend)
    throw new RunFailure(backend.diagnostics.map((d) => d.message).join("; "));

  const log = await openMetricsLog(run.dir);
  const start = performance.now();
  let lastReport = 0;
  let rate: number | null = null;
  const epochs = run.train.epochs;
  let result: TrainResult;
  try {
    result = await train(run.ir, data.value, run.train, {
      onStep: (s) => {
        if (!Number.isFinite(s.loss))
          throw new RunFailure(`diverged: loss ${s.loss} at epoch ${s.epoch}, step ${s.step + 1}`);
        const t = performance.now();
        if (t - lastReport < PROGRESS_EVERY_MS && s.step + 1 < s.stepsPerEpoch) return;
        lastReport = t;
        report({ ...s, step: s.step + 1, epochs, rate, elapsedSeconds: (t - start) / 1000 });
      },
      onEpoch: (m) => {
        log.append(m);
        rate = (m.test ?? m.train).rate;
        if (![m.train.loss, m.train.rate, m.train.distortion].every(Number.isFinite))
          throw new RunFailure(`diverged: training loss ${m.train.loss} after epoch ${m.epoch}`);
      },
    });
  } finally {
    await log.close();
  }
  // Training stops before applying a non-finite step (the step is not reported by onStep).
  const d = result.divergence;
  if (d !== undefined)
    throw new RunFailure(`diverged: loss ${d.loss} at epoch ${d.epoch}, step ${d.step + 1}`);
  const trainSeconds = (performance.now() - start) / 1000;

  const held = heldOutSplit(data.value);
  // The same rows for every run of the compare: drawn with the file's seed, not the run's.
  const rows = subsetRows(held.split, run.evalRows, baseSeedOf(run));
  const report_ = await diagnose(run.ir, result.weights, rows, {
    samples: run.train.samples,
    seed: baseSeedOf(run),
    entropy: data.value.entropy,
    iwSamples: run.iw,
    backend: run.train.backend,
    workers: 1,
  });
  if (![report_.loss, report_.rate, report_.distortion].every(Number.isFinite))
    throw new RunFailure(
      `diverged: held-out loss ${report_.loss} (R ${report_.rate}, D ${report_.distortion})`,
    );

  const problems = await saveCheckpoint(run.dir, {
    source: run.source,
    ir: run.ir,
    weights: result.weights,
    train: run.train,
    backend: backend.name,
  });
  if (problems.length > 0) throw new RunFailure(problems.map((d) => d.message).join("; "));

  const record: RunRecord = {
    key: run.key,
    objective: run.objective,
    sweep: run.sweep,
    seed: run.train.seed,
    seedIndex: run.seedIndex,
    status: "ok",
    reason: null,
    metrics: metricsOf(report_, trainSeconds),
    evaluated: `${held.split.source}${held.name === "train" ? " (no held-out split)" : ""}, ${rows.rows} rows`,
    history: result.history,
    cached: false,
  };
  await writeRecordAtomically(run.dir, record);
  return record;
}
