/** The part of a stream the progress display needs (process.stderr, or a test double). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * A one-line progress bar over all training steps, with the live loss and an ETA from the
 * average step rate so far. On a terminal it redraws in place (at most ~10 times a second,
 * since redrawing costs more than a training step on small models); elsewhere (CI, pipes)
 * it stays silent between epochs so logs are not flooded — epoch lines carry the news.
 */
export class ProgressBar {
  private readonly start: number;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totalSteps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  update(done: number, label: string): void {
    if (!this.stream.isTTY) return;
    const t = this.now();
    if (done < this.totalSteps && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.stream.write("\r" + this.line(done, label, t) + "\x1b[K");
    this.drawn = true;
  }

  line(done: number, label: string, t = this.now()): string {
    const frac = this.totalSteps > 0 ? Math.min(1, done / this.totalSteps) : 1;
    const elapsed = (t - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.totalSteps - done) : NaN;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const pct = `${(frac * 100).toFixed(0).padStart(3)}%`;
    return `${bar} ${pct} ${label} | ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
  }

  /** Clears the bar so that a normal log line can be printed in its place. */
  clear(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write("\r\x1b[K");
    this.drawn = false;
  }
}
