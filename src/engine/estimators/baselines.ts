import type { Tensor, Tf } from "../../backends/tfjs/tf.js";

/** Decay of the moving-average baselines: about the last ten minibatches count. */
export const BASELINE_DECAY = 0.9;

/**
 * Moving-average control variates for the score-function estimator: one scalar b per
 * term (distortion, rate, iw_bound(k)) shared by the whole dataset, updated after every
 * step as b ← decay·b + (1 − decay)·(minibatch mean of the term's learning signal) and
 * started at the first minibatch's mean. A step uses the value from before it, which does
 * not depend on that step's draws, so E[(f − b)·∇log q] = E[f·∇log q]: no bias, only less
 * variance (Williams 1992; Mnih & Gregor 2014). Values stay on the device.
 */
export class ScoreBaselines {
  private readonly values = new Map<string, Tensor>();
  private retired: Tensor[] = [];

  constructor(
    private readonly tf: Tf,
    readonly decay = BASELINE_DECAY,
    /** A frozen set is only read: measurements must not move the training baselines. */
    readonly frozen = false,
  ) {}

  /** The baseline for `key`; undefined before its first observation (then b = 0). */
  current(key: string): Tensor | undefined {
    return this.values.get(key);
  }

  /** Folds the minibatch mean of a gradient-free learning signal into the average. */
  observe(key: string, signalMean: Tensor): void {
    if (this.frozen) return;
    const tf = this.tf;
    const old = this.values.get(key);
    const next =
      old === undefined
        ? tf.clone(signalMean)
        : tf.add(tf.mul(old, this.decay), tf.mul(signalMean, 1 - this.decay));
    this.values.set(key, tf.keep(next));
    // The old value may still be referenced by this step's gradient tape.
    if (old !== undefined) this.retired.push(old);
  }

  /** Frees the values replaced during the last step; call once its gradients are applied. */
  endStep(): void {
    for (const t of this.retired) t.dispose();
    this.retired = [];
  }

  /** A read-only copy of the current values. */
  frozenCopy(): ScoreBaselines {
    const copy = new ScoreBaselines(this.tf, this.decay, true);
    for (const [k, v] of this.values) copy.values.set(k, this.tf.keep(this.tf.clone(v)));
    return copy;
  }

  /**
   * The current values as numbers, for logs and tests (never read during training: a read
   * waits for the device).
   */
  async snapshot(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.values) out[k] = (await v.data())[0]!;
    return out;
  }

  dispose(): void {
    this.endStep();
    for (const v of this.values.values()) v.dispose();
    this.values.clear();
  }
}
