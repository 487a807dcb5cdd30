import type { CompiledModel } from "../../backends/tfjs/compile.js";
import { netWeightName, paramWeightName } from "../../backends/tfjs/layout.js";
import type { Scalar, Variable } from "../../backends/tfjs/tf.js";
import type { DistributionIR, TensorExpr } from "../../ir/types.js";
import { deriveSeed } from "../rng.js";
import { ScoreBaselines } from "./baselines.js";

/** Draws of the gradient used to measure its variance. */
export const VARIANCE_DRAWS = 20;

/** Minibatches that warm the baseline up before the variance is measured. */
const BASELINE_WARMUP_DRAWS = 10;

/** The variables the distribution's parameters depend on (nets and params it uses). */
export function roleVariables(model: CompiledModel, dist: DistributionIR): Variable[] {
  const nets = new Set<string>();
  const params = new Set<string>();
  const walk = (e: TensorExpr): void => {
    switch (e.op) {
      case "net":
        nets.add(e.net);
        return walk(e.input);
      case "param":
        params.add(e.name);
        return;
      case "head":
      case "unary":
      case "reshape":
        return walk(e.input);
      case "binary":
        walk(e.lhs);
        return walk(e.rhs);
      default:
        return;
    }
  };
  Object.values(dist.params).forEach(walk);
  dist.bindings.forEach((b) => walk(b.value));
  const out: Variable[] = [];
  for (const spec of model.specs) {
    const used =
      [...nets].some((n) => spec.name.startsWith(netWeightName(n, ""))) ||
      [...params].some((p) => spec.name === paramWeightName(p));
    const v = model.weights.get(spec.name);
    if (used && v !== undefined && v.trainable) out.push(v);
  }
  return out;
}

/**
 * The total variance (trace of the covariance) of the gradient of `loss` with respect to
 * `variables` over the given seeds: Σ_i sample variance of ∂loss/∂w_i.
 */
export async function gradientVariance(
  model: CompiledModel,
  loss: (seed: number) => Scalar,
  variables: readonly Variable[],
  seeds: readonly number[],
): Promise<number> {
  const tf = model.tf;
  let sum: Float64Array | null = null;
  let sumSq: Float64Array | null = null;
  for (const seed of seeds) {
    const { value, grads } = tf.variableGrads(() => loss(seed), [...variables]);
    value.dispose();
    const flat = tf.tidy(() => tf.concat(variables.map((v) => tf.reshape(grads[v.name]!, [-1]))));
    tf.dispose(Object.values(grads));
    const g = await flat.data().finally(() => flat.dispose());
    sum ??= new Float64Array(g.length);
    sumSq ??= new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) {
      sum[i]! += g[i]!;
      sumSq[i]! += g[i]! * g[i]!;
    }
  }
  if (sum === null || sumSq === null || seeds.length < 2) return Number.NaN;
  const n = seeds.length;
  let total = 0;
  for (let i = 0; i < sum.length; i++) total += (sumSq[i]! - (sum[i]! * sum[i]!) / n) / (n - 1);
  return total;
}

export interface ScoreVarianceReport {
  draws: number;
  /** Total variance of the encoder gradient with b = 0. */
  withoutBaseline: number;
  /** The same with the moving-average baselines, warmed up on independent draws. */
  withBaseline: number;
  /** The baselines used, by term. */
  baselines: Record<string, number>;
}

/**
 * How much the moving-average baseline reduces the variance of the score-function
 * gradient of the encoder on one fixed minibatch: the baseline is first averaged over
 * independent draws (as training would), then the same `draws` seeds are used with and
 * without it, so the two variances differ only by the control variate.
 */
export async function scoreVarianceReport(
  model: CompiledModel,
  loss: (seed: number, baselines: ScoreBaselines | undefined) => Scalar,
  seed: number,
  draws = VARIANCE_DRAWS,
): Promise<ScoreVarianceReport> {
  const tf = model.tf;
  const warm = new ScoreBaselines(tf);
  for (let i = 0; i < BASELINE_WARMUP_DRAWS; i++) {
    tf.tidy(() => loss(deriveSeed(seed, "baseline", i), warm));
    warm.endStep();
  }
  const frozen = warm.frozenCopy();
  warm.dispose();
  try {
    const variables = roleVariables(model, model.ir.encoder);
    const seeds = Array.from({ length: draws }, (_, i) => deriveSeed(seed, "draw", i));
    return {
      draws,
      withoutBaseline: await gradientVariance(model, (s) => loss(s, undefined), variables, seeds),
      withBaseline: await gradientVariance(model, (s) => loss(s, frozen), variables, seeds),
      baselines: await frozen.snapshot(),
    };
  } finally {
    frozen.dispose();
  }
}

/** One log line for a variance report. */
export function formatScoreVarianceReport(r: ScoreVarianceReport, batch: number): string {
  const ratio = r.withoutBaseline / r.withBaseline;
  const b = Object.entries(r.baselines)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(", ");
  return (
    `score-function encoder gradient variance over ${r.draws} draws on one minibatch of ` +
    `${batch}: ${r.withoutBaseline.toPrecision(4)} without baseline, ` +
    `${r.withBaseline.toPrecision(4)} with the moving-average baseline (${b}): ` +
    `${ratio.toFixed(1)}x lower`
  );
}
