import type { CompareHooks, PlannedRun, RunPlan, RunProgress, RunRecord } from "../index.js";
import { ProgressBar, formatDuration, type ProgressStream } from "./progress.js";

/** Two decimals; "—" when unknown; never "-0.00". */
function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  const t = x.toFixed(2);
  return t === "-0.00" ? "0.00" : t;
}

/** How far a run is, 0 … 1, from its step counts. */
export function runFraction(p: RunProgress): number {
  const total = p.epochs * p.stepsPerEpoch;
  return total > 0 ? Math.min(1, ((p.epoch - 1) * p.stepsPerEpoch + p.step) / total) : 0;
}

/** One running run: label, seed, epoch, the last held-out rate and its ETA. */
export function runLine(run: PlannedRun, p: RunProgress | undefined): string {
  const head = `  ${run.objective}, seed ${run.train.seed}`;
  if (!p) return `${head}: starting`;
  const f = runFraction(p);
  const eta = f > 0 ? (p.elapsedSeconds / f) * (1 - f) : NaN;
  return `${head}: epoch ${p.epoch}/${p.epochs}, R ${fmt(p.rate)}, ETA ${formatDuration(eta)}`;
}

/**
 * `vae compare`'s progress on stderr. On a terminal: one bar over all runs to train and a
 * line per running run, redrawn in place (at most ~5 times a second). Elsewhere: a line
 * when each run starts and ends, so logs stay short.
 */
export class CompareProgressView {
  private readonly running = new Map<string, { run: PlannedRun; progress?: RunProgress }>();
  private bar: ProgressBar | null = null;
  private total = 0;
  private finished = 0;
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = () => performance.now(),
  ) {}

  hooks(): CompareHooks {
    return {
      log: (line) => this.print(line),
      onPlan: (plan: RunPlan, cached: ReadonlySet<string>) => {
        this.total = plan.runs.filter((r) => !cached.has(r.key)).length;
        // A thousand bar steps per run: the bar counts fractions of runs.
        this.bar = new ProgressBar(this.stream, this.total * 1000, this.now);
      },
      onRunStart: (run) => {
        this.running.set(run.key, { run });
        if (!this.stream.isTTY) this.print(`started ${run.objective}, seed ${run.train.seed}`);
        this.draw(true);
      },
      onRunProgress: (run, progress) => {
        this.running.set(run.key, { run, progress });
        this.draw(false);
      },
      onRunEnd: (run, record) => {
        this.running.delete(run.key);
        this.finished++;
        this.print(this.endLine(run, record));
        this.draw(true);
      },
    };
  }

  private endLine(run: PlannedRun, r: RunRecord): string {
    const what = `${run.objective}, seed ${run.train.seed}`;
    if (r.status === "failed") return `failed ${what}: ${r.reason}`;
    const m = r.metrics!;
    return (
      `done ${what}: R ${fmt(m.rate)}, D ${fmt(m.distortion)}, ELBO ${fmt(m.elbo)} ` +
      `in ${formatDuration(m.train_seconds)}`
    );
  }

  /** A log line above the live display. */
  print(line: string): void {
    this.clear();
    this.stream.write(line + "\n");
  }

  private clear(): void {
    if (!this.stream.isTTY || this.drawnLines === 0) return;
    // Up to the first drawn line, then erase to the end of the screen.
    const up = this.drawnLines - 1;
    this.stream.write(`\r${up > 0 ? `\x1b[${up}A` : ""}\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(force: boolean): void {
    if (!this.stream.isTTY || !this.bar) return;
    const t = this.now();
    if (!force && t - this.lastDraw < 200) return;
    this.lastDraw = t;
    let done = this.finished;
    for (const { progress } of this.running.values()) if (progress) done += runFraction(progress);
    const lines = [
      this.bar.line(Math.round(done * 1000), `${this.finished}/${this.total} runs`),
      ...[...this.running.values()].map(({ run, progress }) => runLine(run, progress)),
    ];
    this.clear();
    this.stream.write(lines.join("\n"));
    this.drawnLines = lines.length;
  }

  /** Removes the live display (call before printing the results). */
  finish(): void {
    this.clear();
  }
}
