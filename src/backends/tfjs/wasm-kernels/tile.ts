import type { TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

/**
 * The wasm Tile kernel computes every output element's source index (about 2.4 s of a
 * 3.7 s importance-sampled log p(x) of 50 MNIST rows with k = 1000, which tiles each
 * row k times). Tiling is copying runs: each innermost row is copied once and repeated,
 * then each axis's block is repeated with copyWithin, from the inside out.
 */
export function overrideTile(tf: Tf): boolean {
  return overrideWasmKernel(tf, "Tile", (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    const reps = (params.attrs as unknown as { reps: number[] }).reps;
    const shape = x.shape;
    if (x.dtype === "string" || shape.length === 0 || reps.length !== shape.length) {
      return undefined;
    }
    const outShape = shape.map((d, i) => d * reps[i]!);
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    tileInto(src, dst, shape, reps);
    return out;
  });
}

/** dst ← src tiled `reps` times along each axis; both row-major, dst already sized. */
export function tileInto(
  src: Float32Array | Int32Array | Uint8Array,
  dst: Float32Array | Int32Array | Uint8Array,
  shape: readonly number[],
  reps: readonly number[],
): void {
  const rank = shape.length;
  // Elements below axis a: in the input, and in the output.
  const inner = new Array<number>(rank + 1).fill(1);
  const outer = new Array<number>(rank + 1).fill(1);
  for (let a = rank - 1; a >= 0; a--) {
    inner[a] = inner[a + 1]! * shape[a]!;
    outer[a] = outer[a + 1]! * shape[a]! * reps[a]!;
  }
  // Fills the output block of axis a (one copy of every index below, repeated).
  const fill = (a: number, from: number, to: number): void => {
    if (a === rank - 1) {
      dst.set(src.subarray(from, from + shape[a]!), to);
    } else {
      for (let i = 0; i < shape[a]!; i++)
        fill(a + 1, from + i * inner[a + 1]!, to + i * outer[a + 1]!);
    }
    const block = shape[a]! * outer[a + 1]!;
    for (let r = 1; r < reps[a]!; r++) dst.copyWithin(to + r * block, to, to + block);
  };
  fill(0, 0, 0);
}
