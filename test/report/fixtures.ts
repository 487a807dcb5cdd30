import type { EpochMetrics, SplitMetrics } from "../../src/engine/types.js";
import type { RdRun } from "../../src/report/index.js";

function split(rate: number, distortion: number): SplitMetrics {
  return { loss: rate + distortion, elbo: -(rate + distortion), rate, distortion };
}

/** Epochs 1..n with R rising and D falling; held-out metrics unless `heldOut` is false. */
export function history(n: number, heldOut = true): EpochMetrics[] {
  return Array.from({ length: n }, (_, i) => {
    const rate = 10 + 2 * i;
    const distortion = 200 - 10 * i;
    return {
      epoch: i + 1,
      train: split(rate, distortion),
      test: heldOut ? split(rate + 0.5, distortion + 3) : null,
      seconds: 1,
      samples_per_second: 1000,
    };
  });
}

/** A β sweep of three seeds per β on a toy with H = ln 30, plus two unswept ELBO runs. */
export function sweepRuns(): RdRun[] {
  const runs: RdRun[] = [];
  for (const beta of [0.5, 1, 2])
    for (const seed of [0, 1, 2])
      runs.push({
        label: `beta_vae(beta: ${beta})`,
        seed,
        rate: 3 / beta + 0.1 * seed,
        distortion: 0.4 * beta + 0.05 * seed,
        sweep: "β",
        sweepValue: beta,
      });
  runs.push({ label: "elbo", seed: 0, rate: 2.2, distortion: 1.5 });
  runs.push({ label: "elbo", seed: 1, rate: 2.4, distortion: 1.3 });
  return runs;
}
