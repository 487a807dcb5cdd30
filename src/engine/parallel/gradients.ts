import type { NamedTensorMap, TensorInfo } from "@tensorflow/tfjs";
import type { Tensor, Tf, Variable } from "../../backends/tfjs/tf.js";
import type { WasmBackend } from "../../backends/tfjs/wasm-kernels/override.js";
import { addInPlace, simdAdd, type SimdAdd } from "../../backends/tfjs/simd-add.js";
import type { ReplicaLink } from "./link.js";

/** Float32 values of every variable, in the order the replicas exchange them. */
export function gradientLength(variables: readonly Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/**
 * The gradients summed over all replicas (each replica's gradient already carries its
 * share of the minibatch), as fresh tensors; `grads` are disposed. A variable without a
 * gradient on this replica contributes zeros. On wasm the values move between the heap and
 * the shared buffer with plain copies, without intermediate arrays.
 */
export function summedGradients(
  tf: Tf,
  link: ReplicaLink,
  variables: readonly Variable[],
  grads: NamedTensorMap,
): NamedTensorMap {
  const backend = tf.getBackend() === "wasm" ? (tf.backend() as unknown as WasmBackend) : null;
  const values = (t: Tensor): Float32Array =>
    (backend !== null
      ? backend.typedArrayFromHeap(t as unknown as TensorInfo)
      : t.dataSync()) as Float32Array;
  const length = gradientLength(variables);
  const slots = link.exchange32(length, (own) => {
    let offset = 0;
    for (const v of variables) {
      const g = grads[v.name];
      if (g === undefined) own.fill(0, offset, offset + v.size);
      else own.set(values(g), offset);
      offset += v.size;
    }
  });
  const out =
    backend !== null
      ? sumOnWasmHeap(tf, backend, variables, slots, link.world === 2 ? grads : null, link.rank)
      : sumInJs(tf, variables, slots);
  tf.dispose(Object.values(grads));
  return out;
}

function sumInJs(tf: Tf, variables: readonly Variable[], slots: Float32Array[]): NamedTensorMap {
  const out: NamedTensorMap = {};
  let offset = 0;
  for (const v of variables) {
    const sum = new Float32Array(v.size);
    sum.set(slots[0]!.subarray(offset, offset + v.size));
    for (let r = 1; r < slots.length; r++) {
      const src = slots[r]!.subarray(offset, offset + v.size);
      for (let i = 0; i < sum.length; i++) sum[i]! += src[i]!;
    }
    out[v.name] = tf.tensor(sum, [...v.shape], "float32");
    offset += v.size;
  }
  return out;
}

const adders = new WeakMap<object, SimdAdd | null>();

/**
 * The sums written straight into fresh wasm heap buffers: replica 0's values copied in,
 * each further replica's copied to a scratch buffer and added with SIMD. With two
 * replicas (`own`: this replica's gradients, still in the heap) the other's values are
 * copied in and this replica's added: x + y = y + x exactly, so both replicas still
 * compute identical bits, with one copy less.
 */
function sumOnWasmHeap(
  tf: Tf,
  backend: WasmBackend,
  variables: readonly Variable[],
  slots: Float32Array[],
  own: NamedTensorMap | null,
  rank: number,
): NamedTensorMap {
  const memory = (backend as unknown as { wasm?: { asm?: { memory?: object } } }).wasm?.asm?.memory;
  let add = memory === undefined ? null : adders.get(memory);
  if (add === undefined) {
    add = simdAdd(memory);
    adders.set(memory!, add);
  }
  // Every buffer is allocated before any view is taken: allocation may grow (and detach) the heap.
  const outputs = variables.map((v) => backend.makeOutput([...v.shape], "float32"));
  const largest = variables.reduce((n, v) => Math.max(n, v.size), 0);
  const scratch =
    slots.length > 1 && own === null ? backend.makeOutput([largest], "float32") : null;
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const scratchView = scratch === null ? null : view(scratch);
  let offset = 0;
  variables.forEach((v, k) => {
    const dst = view(outputs[k]!);
    const mine = own?.[v.name];
    if (own !== null) {
      dst.set(slots[1 - rank]!.subarray(offset, offset + v.size));
      if (mine !== undefined) addInPlace(add, dst, view(mine as unknown as TensorInfo));
      offset += v.size;
      return;
    }
    dst.set(slots[0]!.subarray(offset, offset + v.size));
    for (let r = 1; r < slots.length; r++) {
      const src = scratchView!.subarray(0, v.size);
      src.set(slots[r]!.subarray(offset, offset + v.size));
      addInPlace(add, dst, src);
    }
    offset += v.size;
  });
  if (scratch !== null) backend.disposeData(scratch.dataId);
  const out: NamedTensorMap = {};
  variables.forEach((v, k) => {
    out[v.name] = tf.engine().makeTensorFromTensorInfo(outputs[k]!);
  });
  return out;
}
