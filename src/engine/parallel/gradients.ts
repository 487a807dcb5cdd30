import type { NamedTensorMap, TensorInfo } from "@tensorflow/tfjs";
import type { Optimizer, Tensor, Tf, Variable } from "../../backends/tfjs/tf.js";
import type { WasmBackend } from "../../backends/tfjs/wasm-kernels/override.js";
import { addInPlace, simdAdd, type SimdAdd } from "../../backends/tfjs/simd-add.js";
import { perMemory, wasmMemoryOf } from "../../backends/tfjs/wasm-asm.js";
import type { ReplicaLink } from "./link.js";

/** Float32 values of every variable, in the order the replicas exchange them. */
export function gradientLength(variables: readonly Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/**
 * Values each replica adds after its gradients in the step's exchange: a non-finite flag
 * and its share of the loss as two float32 (high and low parts, ~48 bits), so that the
 * step's check needs no collective of its own.
 */
export const STEP_CHECK_FLOATS = 3;

/** This replica's part of the step's check: its loss or gradients not finite, its loss share. */
export interface StepCheckShare {
  nonFinite: boolean;
  share: number;
}

/** Where each variable's values lie in an exchange, and which replica updates it. */
export interface ReplicaLayout {
  /** Replica that runs the optimiser on each variable. */
  owners: number[];
  /** Start of each variable's values in an exchanged buffer. */
  offsets: number[];
  /** Values of all variables together. */
  length: number;
}

/**
 * The layout for `variables` on `world` replicas. Owners: largest variable first, each to
 * the replica with the least so far (ties to the lower rank), so that the optimiser's work
 * is split evenly; the MNIST VAE's two 784×400 matrices go to different replicas.
 */
export function replicaLayout(variables: readonly Variable[], world: number): ReplicaLayout {
  const load = new Array<number>(world).fill(0);
  const owners = new Array<number>(variables.length).fill(0);
  const bySize = variables
    .map((_, i) => i)
    .sort((a, b) => variables[b]!.size - variables[a]!.size || a - b);
  for (const i of bySize) {
    let r = 0;
    for (let q = 1; q < world; q++) if (load[q]! < load[r]!) r = q;
    owners[i] = r;
    load[r]! += variables[i]!.size;
  }
  const offsets: number[] = [];
  let length = 0;
  for (const v of variables) {
    offsets.push(length);
    length += v.size;
  }
  return { owners, offsets, length };
}

/**
 * One optimisation step of a data-parallel run, given this replica's gradients (each
 * already carrying its share of the minibatch; a variable without a gradient counts as
 * zeros). Each variable is updated by one replica, its owner (`replicaLayout`):
 *
 * 1. every replica publishes its gradients of the variables others own;
 * 2. each owner sums its variables' gradients in rank order and applies `optimizer` to
 *    them alone (its moments exist only there);
 * 3. every owner publishes the new values, and the others assign them.
 *
 * So each replica runs the optimiser over 1/world of the weights, and all replicas end
 * the step with the same bits. With the gradients, each replica publishes `check`: when
 * any replica's is non-finite, every replica returns `finite: false` after step 1 and
 * nothing is updated (`grads` are then left to the caller); otherwise `grads` are
 * disposed. `loss` is the sum of the shares in rank order. On wasm the values move between the
 * heap and the shared buffer with plain copies, without intermediate arrays.
 */
export function applySummedGradients(
  tf: Tf,
  link: ReplicaLink,
  variables: readonly Variable[],
  grads: NamedTensorMap,
  optimizer: Optimizer,
  layout: ReplicaLayout,
  check: StepCheckShare = { nonFinite: false, share: 0 },
): { finite: boolean; loss: number } {
  const { owners, offsets, length } = layout;
  const heap = tf.getBackend() === "wasm" ? new HeapAccess(tf) : null;
  const values = (t: Tensor): Float32Array =>
    heap !== null ? heap.view(t as unknown as TensorInfo) : (t.dataSync() as Float32Array);
  const mine = (k: number) => owners[k] === link.rank;
  const published = link.exchange32(length + STEP_CHECK_FLOATS, (own) => {
    variables.forEach((v, k) => {
      if (mine(k)) return;
      const g = grads[v.name];
      if (g === undefined) own.fill(0, offsets[k]!, offsets[k]! + v.size);
      else own.set(values(g), offsets[k]!);
    });
    const share = check.nonFinite ? 0 : check.share;
    const high = Math.fround(share);
    own[length] = check.nonFinite ? 1 : 0;
    own[length + 1] = high;
    own[length + 2] = Math.fround(share - high);
  });
  let finite = true;
  let loss = 0;
  for (const p of published) {
    if (p[length] !== 0) finite = false;
    loss += p[length + 1]! + p[length + 2]!;
  }
  if (!finite) return { finite, loss: Number.NaN };
  const owned = variables.filter((_, k) => mine(k));
  const slice = (r: number, k: number) =>
    published[r]!.subarray(offsets[k]!, offsets[k]! + variables[k]!.size);
  const sums =
    heap !== null
      ? heap.sums(variables, owners, link, grads, slice)
      : jsSums(tf, variables, owners, link, grads, slice);
  tf.dispose(Object.values(grads));
  if (owned.length > 0) optimizer.applyGradients(sums);
  tf.dispose(Object.values(sums));

  const weights = link.exchange32(length, (own) => {
    variables.forEach((v, k) => {
      if (mine(k)) own.set(values(v), offsets[k]!);
    });
  });
  variables.forEach((v, k) => {
    if (mine(k)) return;
    const from = weights[owners[k]!]!.subarray(offsets[k]!, offsets[k]! + v.size);
    const t = heap !== null ? heap.tensorFrom(from, v) : tf.tensor(from, [...v.shape], "float32");
    v.assign(t);
    t.dispose();
  });
  return { finite: true, loss };
}

type Slice = (rank: number, k: number) => Float32Array;

function jsSums(
  tf: Tf,
  variables: readonly Variable[],
  owners: readonly number[],
  link: ReplicaLink,
  grads: NamedTensorMap,
  slice: Slice,
): NamedTensorMap {
  const out: NamedTensorMap = {};
  variables.forEach((v, k) => {
    if (owners[k] !== link.rank) return;
    const sum = new Float32Array(v.size);
    for (let r = 0; r < link.world; r++) {
      const g = grads[v.name];
      const src =
        r !== link.rank ? slice(r, k) : g !== undefined ? (g.dataSync() as Float32Array) : null;
      if (src === null) continue;
      for (let i = 0; i < sum.length; i++) sum[i]! += src[i]!;
    }
    out[v.name] = tf.tensor(sum, [...v.shape], "float32");
  });
  return out;
}

const adderFor = perMemory(simdAdd);

/** Copies and SIMD sums directly in the wasm heap. */
class HeapAccess {
  private readonly backend: WasmBackend;
  private readonly add: SimdAdd | null;

  constructor(private readonly tf: Tf) {
    this.backend = tf.backend() as unknown as WasmBackend;
    this.add = adderFor(wasmMemoryOf(this.backend));
  }

  /** A view of a tensor's values; invalid after the next allocation. */
  view(t: TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(t) as Float32Array;
  }

  tensorFrom(values: Float32Array, v: Variable): Tensor {
    const out = this.backend.makeOutput([...v.shape], "float32");
    this.view(out).set(values);
    return this.tf.engine().makeTensorFromTensorInfo(out);
  }

  /**
   * The owned variables' gradients summed in rank order into fresh heap buffers: this
   * replica's own values are read where they lie; another replica's are added from the
   * shared buffer directly when they come first, else through a heap scratch buffer (the
   * SIMD add reads the heap only).
   */
  sums(
    variables: readonly Variable[],
    owners: readonly number[],
    link: ReplicaLink,
    grads: NamedTensorMap,
    slice: Slice,
  ): NamedTensorMap {
    const owned = variables.map((_, k) => k).filter((k) => owners[k] === link.rank);
    // Every buffer is allocated before any view is taken: allocation may grow (and detach) the heap.
    const outputs = owned.map((k) => this.backend.makeOutput([...variables[k]!.shape], "float32"));
    const largest = owned.reduce((n, k) => Math.max(n, variables[k]!.size), 0);
    const scratch =
      link.world > 2 && largest > 0 ? this.backend.makeOutput([largest], "float32") : null;
    const out: NamedTensorMap = {};
    owned.forEach((k, j) => {
      const v = variables[k]!;
      const dst = this.view(outputs[j]!);
      const g = grads[v.name];
      const own = g === undefined ? null : this.view(g as unknown as TensorInfo);
      if (link.world === 2) {
        // The other's values, then this replica's added: x + y = y + x exactly, so this is
        // the rank-order sum whichever rank owns the variable, without a scratch copy.
        dst.set(slice(1 - link.rank, k));
        if (own !== null) addInPlace(this.add, dst, own);
        return;
      }
      let first = true;
      for (let r = 0; r < link.world; r++) {
        let src: Float32Array | null;
        if (r === link.rank) src = own;
        else if (first) src = slice(r, k);
        else {
          src = this.view(scratch!).subarray(0, v.size);
          src.set(slice(r, k));
        }
        if (src === null) continue;
        if (first) dst.set(src);
        else addInPlace(this.add, dst, src);
        first = false;
      }
      if (first) dst.fill(0);
    });
    if (scratch !== null) this.backend.disposeData(scratch.dataId);
    owned.forEach((k, j) => {
      out[variables[k]!.name] = this.tf.engine().makeTensorFromTensorInfo(outputs[j]!);
    });
    return out;
  }
}
