import type { Tensor, Tf } from "../../backends/tfjs/tf.js";

/** Rows per tf.tidy scope: bounds the intermediates whatever the number of rows asked for. */
export const INSPECT_BATCH = 1000;

/**
 * Rows [0, rows) computed in batches of at most `batch`: `compute(start, size, b)` runs inside
 * tf.tidy and returns one tensor per output, each holding `size` rows of `widths[i]` values
 * (any dtype, any shape with that many elements). The outputs come back as float32
 * [rows, widths[i]] arrays; every tensor is freed before the next batch.
 */
export async function collectRows(
  tf: Tf,
  rows: number,
  widths: readonly number[],
  compute: (start: number, size: number, b: number) => Tensor[],
  batch = INSPECT_BATCH,
): Promise<Float32Array[]> {
  const out = widths.map((w) => new Float32Array(rows * w));
  for (let start = 0, b = 0; start < rows; start += batch, b++) {
    const size = Math.min(batch, rows - start);
    const parts = tf.tidy(() => compute(start, size, b));
    try {
      if (parts.length !== widths.length) {
        throw new Error(`collectRows: ${parts.length} outputs for ${widths.length} widths`);
      }
      for (let i = 0; i < parts.length; i++) {
        const t = parts[i]!;
        if (t.size !== size * widths[i]!) {
          throw new Error(`collectRows: output ${i} has ${t.size} values for ${size} rows`);
        }
        // Asynchronous: the webgpu backend cannot read synchronously under Node.
        out[i]!.set(await t.data(), start * widths[i]!);
      }
    } finally {
      tf.dispose(parts);
    }
  }
  return out;
}
