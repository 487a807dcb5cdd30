import type { Tensor, Tf } from "../backends/tfjs/tf.js";
import type { Dataset } from "../data/types.js";
import type { ModelIR } from "../ir/types.js";

/** Rows of a dataset held on the device, in chunks small enough for the backend to bind. */
export interface DeviceRows {
  readonly rows: number;
  /** Device tensors the rows are split into (1 whenever the data fits in one). */
  readonly chunks: number;
  /**
   * Rows `indices` (in that order) as one tensor [n, ...shape]; the caller disposes it.
   * Never inside a gradient scope: the tape would keep the chunks alive as its inputs.
   */
  gather(indices: Int32Array): Tensor;
  /** Rows [start, start+size) as one tensor; the caller disposes it. */
  slice(start: number, size: number): Tensor;
  dispose(): void;
}

/**
 * The fraction of the device's binding limit a chunk may fill. Buffers are allocated at
 * their exact byte size today, but a driver or a future tfjs may round them up; a smaller
 * chunk only costs one more gather per minibatch.
 */
const BINDING_MARGIN = 7 / 8;

/** The GPUDevice limits tfjs's webgpu backend opened its device with. */
interface WebGpuBackendLimits {
  readonly device?: { readonly limits?: Readonly<Record<string, unknown>> };
}

/**
 * The largest chunk, in bytes, the active backend can use as one kernel input: on webgpu
 * a storage-buffer binding holds a whole tensor, so `maxStorageBufferBindingSize` (and
 * `maxBufferSize`) cap it, less a margin; the other backends address their memory
 * directly (Infinity).
 */
export function defaultMaxChunkBytes(tf: Tf): number {
  if (tf.getBackend() !== "webgpu") return Number.POSITIVE_INFINITY;
  const limits = (tf.backend() as unknown as WebGpuBackendLimits).device?.limits ?? {};
  const caps = ["maxStorageBufferBindingSize", "maxBufferSize"]
    .map((name) => limits[name])
    .filter((v): v is number => typeof v === "number" && v > 0);
  // The WebGPU specification's guaranteed minimum binding size (128 MiB) when unreadable.
  const cap = caps.length > 0 ? Math.min(...caps) : 2 ** 27;
  return Math.floor(cap * BINDING_MARGIN);
}

/** Values per row of the data variable; throws when `ds` has rows of another width. */
function rowWidth(ir: ModelIR, ds: Dataset): number {
  const width = ir.data.shape.reduce((p, d) => p * d, 1);
  if (ds.dim !== width) {
    throw new Error(`${ds.source}: rows have ${ds.dim} values, the data variable needs ${width}`);
  }
  return width;
}

/**
 * Rows [from, from + n) of `ds` (default: all) as one device tensor [n, ...shape]: float32,
 * or int32 indices for a categorical data variable.
 */
export function uploadRows(tf: Tf, ir: ModelIR, ds: Dataset, from = 0, n = ds.rows - from): Tensor {
  const width = rowWidth(ir, ds);
  const values = ds.values.subarray(from * width, (from + n) * width);
  const shape = [n, ...ir.data.shape];
  return ir.data.kind === "categorical"
    ? tf.tensor(Int32Array.from(values), shape, "int32")
    : tf.tensor(values, shape, "float32");
}

/**
 * The rows of `ds` on the device as [rows, ...shape] chunks: float32, or int32 indices for
 * a categorical data variable. One chunk when the data fits in `maxChunkBytes` (default:
 * defaultMaxChunkBytes), else the fewest equal chunks (the last may be smaller) that fit.
 */
export function uploadDeviceRows(
  tf: Tf,
  ir: ModelIR,
  ds: Dataset,
  opts: { maxChunkBytes?: number } = {},
): DeviceRows {
  const width = rowWidth(ir, ds);
  const rows = ds.rows;
  // Both int32 and float32 take 4 bytes per value.
  const rowBytes = Math.max(1, width) * 4;
  const maxChunkBytes = opts.maxChunkBytes ?? defaultMaxChunkBytes(tf);
  const maxRows = Math.floor(maxChunkBytes / rowBytes);
  if (maxRows < 1) {
    throw new Error(`one row (${rowBytes} bytes) exceeds the chunk size of ${maxChunkBytes} bytes`);
  }
  // Balanced chunks; recounted so that none is left empty by the rounding.
  const chunkRows = Math.max(1, Math.ceil(rows / Math.max(1, Math.ceil(rows / maxRows))));
  const count = Math.max(1, Math.ceil(rows / chunkRows));
  const chunks: Tensor[] = [];
  for (let c = 0; c < count; c++) {
    const r0 = Math.min(rows, c * chunkRows);
    const n = Math.min(chunkRows, rows - r0);
    chunks.push(uploadRows(tf, ir, ds, r0, n));
  }
  const first = chunks[0]!;
  const indexTensor = (values: Int32Array) => tf.tensor1d(values, "int32");

  return {
    rows,
    chunks: count,

    gather(indices) {
      for (const i of indices) {
        // A backend's gather does not check: an index out of range reads zeros or garbage.
        if (i < 0 || i >= rows) throw new Error(`row index ${i} is outside [0, ${rows})`);
      }
      if (count === 1 || indices.length === 0) {
        return tf.tidy(() => tf.gather(first, indexTensor(indices)));
      }
      // Indices grouped by chunk (stable), and where each requested row lands in that order.
      const sizes = new Int32Array(count);
      for (const i of indices) sizes[Math.floor(i / chunkRows)]! += 1;
      const offsets = new Int32Array(count);
      for (let c = 1; c < count; c++) offsets[c] = offsets[c - 1]! + sizes[c - 1]!;
      const cursor = Int32Array.from(offsets);
      const local = new Int32Array(indices.length);
      const position = new Int32Array(indices.length);
      indices.forEach((i, k) => {
        const c = Math.floor(i / chunkRows);
        const slot = cursor[c]!++;
        local[slot] = i - c * chunkRows;
        position[k] = slot;
      });
      return tf.tidy(() => {
        const parts: Tensor[] = [];
        for (let c = 0; c < count; c++) {
          if (sizes[c] === 0) continue;
          const at = offsets[c]!;
          parts.push(tf.gather(chunks[c]!, indexTensor(local.slice(at, at + sizes[c]!))));
        }
        // All rows from one chunk: the grouping kept their order.
        if (parts.length === 1) return parts[0]!;
        return tf.gather(tf.concat(parts), indexTensor(position));
      });
    },

    slice(start, size) {
      if (!Number.isInteger(start) || !Number.isInteger(size) || start < 0 || size < 0) {
        throw new Error(`bad row range: start ${start}, size ${size}`);
      }
      if (start + size > rows) {
        throw new Error(`rows [${start}, ${start + size}) exceed the ${rows} rows`);
      }
      const c0 = Math.min(count - 1, Math.floor(start / chunkRows));
      const c1 = size === 0 ? c0 : Math.floor((start + size - 1) / chunkRows);
      if (c0 === c1) return tf.slice(chunks[c0]!, start - c0 * chunkRows, size);
      return tf.tidy(() => {
        const parts: Tensor[] = [];
        for (let c = c0; c <= c1; c++) {
          const from = Math.max(start, c * chunkRows) - c * chunkRows;
          const to = Math.min(start + size, (c + 1) * chunkRows) - c * chunkRows;
          parts.push(tf.slice(chunks[c]!, from, to - from));
        }
        return tf.concat(parts);
      });
    },

    dispose() {
      for (const t of chunks) t.dispose();
      chunks.length = 0;
    },
  };
}
