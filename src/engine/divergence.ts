import type { NamedTensorMap, TensorInfo } from "@tensorflow/tfjs";
import { wasmMemoryOf } from "../backends/tfjs/wasm-asm.js";
import type { WasmBackend } from "../backends/tfjs/wasm-kernels/override.js";
import { allFinite, simdFiniteFor, type SimdFinite } from "./simd-finite.js";
import type { Scalar, Tensor, Tf, Variable } from "../backends/tfjs/tf.js";
import type { ReplicaLink } from "./parallel/link.js";
import { SMALL_CAPACITY } from "./parallel/link.js";

/** What `--on-nan` does with a step whose loss or gradient is not finite. */
export type OnNan = "stop" | "skip";

/** Skipped steps in a row after which `skip` gives up as `stop` would. */
export const MAX_SKIPPED_IN_A_ROW = 100;

/** Where and how a run met a non-finite value (see `Divergence` in types.ts). */
export interface NonFiniteReport {
  /** The objective's terms whose minibatch mean is not finite ("distortion", "rate", "iw_bound(k)"). */
  terms: string[];
  /** Variables whose gradient is not finite: applying the step would make them non-finite. */
  gradients: string[];
  /** Variables whose values are already not finite. */
  weights: string[];
}

/**
 * Checks a step before its update: `lossIfFinite(value, grads)` is the loss when the loss
 * and every gradient are finite, and NaN or ±∞ otherwise. On wasm the gradients are
 * scanned where they lie in the heap with a SIMD loop (simd-finite.ts); elsewhere the
 * check is one scalar, loss + 0·Σg (0 for finite entries, NaN once one is not, or when
 * the sum overflows, itself a divergence), with Σg formed as ones·G where G is large,
 * because the backends' matrix kernels read memory faster than their reductions.
 */
export class StepChecker {
  private readonly ones = new Map<number, Tensor>();
  private readonly heap: {
    backend: WasmBackend;
    finite: SimdFinite;
    lanes: TensorInfo;
  } | null;

  constructor(private readonly tf: Tf) {
    const backend = tf.getBackend() === "wasm" ? (tf.backend() as unknown as WasmBackend) : null;
    const finite = backend === null ? null : simdFiniteFor(wasmMemoryOf(backend));
    this.heap =
      backend === null || finite === null
        ? null
        : { backend, finite, lanes: backend.makeOutput([4], "float32") };
  }

  async lossIfFinite(value: Scalar, grads: NamedTensorMap): Promise<number> {
    if (this.heap === null) {
      const check = this.check(value, grads);
      try {
        return (await check.data())[0]!;
      } finally {
        check.dispose();
      }
    }
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) return loss;
    const { backend, finite, lanes } = this.heap;
    // Views are taken after every allocation (an allocation may move the heap).
    const slot = backend.typedArrayFromHeap(lanes) as Float32Array;
    for (const g of Object.values(grads)) {
      const view = backend.typedArrayFromHeap(g as unknown as TensorInfo) as Float32Array;
      if (!allFinite(finite, view, slot)) return Number.NaN;
    }
    return loss;
  }

  private check(value: Scalar, grads: NamedTensorMap): Scalar {
    const tf = this.tf;
    return tf.tidy(() => {
      const sums = Object.values(grads).map((g) =>
        g.rank !== 2 || g.size < 4096 ? tf.sum(g) : tf.sum(tf.matMul(this.onesRow(g.shape[0]!), g)),
      );
      if (sums.length === 0) return tf.clone(value);
      const total = sums.length === 1 ? sums[0]! : tf.addN(sums);
      return tf.add(value, tf.mul(total, tf.scalar(0))) as Scalar;
    });
  }

  private onesRow(n: number): Tensor {
    let t = this.ones.get(n);
    if (t === undefined) {
      t = this.tf.keep(this.tf.ones([1, n]));
      this.ones.set(n, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.ones.values()) t.dispose();
    this.ones.clear();
    if (this.heap !== null) this.heap.backend.disposeData(this.heap.lanes.dataId);
  }
}

/** 1 for each tensor with a non-finite entry, 0 otherwise (0·Σt is NaN exactly then). */
function nonFiniteFlags(tf: Tf, tensors: (Tensor | undefined)[]): number[] {
  if (tensors.length === 0) return [];
  const packed = tf.tidy(() =>
    tf.stack(tensors.map((t) => (t === undefined ? tf.scalar(0) : tf.mul(tf.sum(t), 0)))),
  );
  const v = packed.dataSync();
  packed.dispose();
  return Array.from(v, (x) => (Number.isFinite(x) ? 0 : 1));
}

/** `sum64` in chunks of at most SMALL_CAPACITY values (models may have many variables). */
function summed(link: ReplicaLink, local: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < local.length; i += SMALL_CAPACITY) {
    const part = Float64Array.from(local.slice(i, i + SMALL_CAPACITY));
    out.push(...link.sum64(part));
  }
  return out;
}

/**
 * Which terms, gradients and weights are not finite, agreed by every replica: each flags
 * its own minibatch share and the flags are summed over `link` (every replica calls this
 * on the same step, so the collective calls stay in step). `terms` null: this replica has
 * no rows this step. `names`: the variables' checkpoint names.
 */
export function nonFiniteReport(
  tf: Tf,
  link: ReplicaLink,
  terms: { name: string; mean: Tensor }[] | null,
  termNames: string[],
  variables: readonly Variable[],
  grads: NamedTensorMap,
  names: readonly string[],
): NonFiniteReport {
  const termFlags =
    terms === null
      ? termNames.map(() => 0)
      : nonFiniteFlags(
          tf,
          terms.map((t) => t.mean),
        );
  const gradFlags = nonFiniteFlags(
    tf,
    variables.map((v) => grads[v.name]),
  );
  const weightFlags = nonFiniteFlags(tf, [...variables]);
  const all = summed(link, [...termFlags, ...gradFlags, ...weightFlags]);
  const n = termNames.length;
  const k = variables.length;
  const picked = (flags: number[], of: (i: number) => string) =>
    flags.flatMap((f, i) => (f > 0 ? [of(i)] : []));
  return {
    terms: picked(all.slice(0, n), (i) => termNames[i]!),
    gradients: picked(all.slice(n, n + k), (i) => names[i]!),
    weights: picked(all.slice(n + k), (i) => names[i]!),
  };
}

/** One line for logs and diagnostics: the terms, then the weights at risk. */
export function describeNonFinite(r: NonFiniteReport): string {
  const terms =
    r.terms.length > 0
      ? `non-finite term${r.terms.length > 1 ? "s" : ""}: ${r.terms.join(", ")}`
      : "every term finite (the objective itself or a gradient is not)";
  const parts = [terms];
  if (r.gradients.length > 0) parts.push(`non-finite gradient of ${listed(r.gradients)}`);
  if (r.weights.length > 0) parts.push(`non-finite weights: ${listed(r.weights)}`);
  return parts.join("; ");
}

function listed(names: string[]): string {
  const shown = names.slice(0, 6).join(", ");
  return names.length > 6 ? `${shown} and ${names.length - 6} more` : shown;
}
