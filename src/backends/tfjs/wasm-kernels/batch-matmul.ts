import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel } from "./override.js";

/**
 * Smallest K·N (elements of the right operand) for which the swapped form below is used:
 * under it packing costs less than the extra transposes.
 */
export const SWAP_MIN_PACKED = 1 << 16;

/**
 * Two rewrites of tfjs-backend-wasm's BatchMatMul, C = op(A)·op(B) with op(A) [M×K],
 * op(B) [K×N]:
 *
 * - Transpose flags. The kernel is an order of magnitude slower when asked to read an
 *   operand transposed (100×784·784×400: ~2.6 ms plain, ~30 ms with a flag), and tfjs's
 *   matMul gradient asks exactly that: dA = dY·Bᵀ, dB = Aᵀ·dY. Materialising the transpose
 *   with the wasm Transpose kernel and calling the plain kernel is much faster.
 * - Which operand is packed. XNNPACK packs the right operand into its blocked layout
 *   whenever it sees a new buffer (~0.9 ms for a 784×400 matrix), and in training every
 *   weight matrix is a new buffer each step. When M < N and the right operand is large,
 *   Cᵀ = op(B)ᵀ·op(A)ᵀ is computed instead, so that the small minibatch side is packed;
 *   for dA = dY·Bᵀ the weight B is then read as it is, without a transpose. Evaluation in
 *   large batches (M ≥ N) keeps the plain form and its cached packing.
 */
export function overrideBatchMatMul(tf: Tf): boolean {
  const transpose = tf.getKernel("Transpose", "wasm") as KernelConfig | undefined;
  if (transpose === undefined) return false;
  return overrideWasmKernel(tf, "BatchMatMul", (params, backend, original) => {
    const attrs = params.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const inputs = params.inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const { a: a0, b: b0 } = inputs;
    const rank = a0.shape.length;
    const dim = (x: TensorInfo, fromEnd: number) => x.shape[x.shape.length - fromEnd]!;
    const m = attrs.transposeA ? dim(a0, 1) : dim(a0, 2);
    const k = attrs.transposeA ? dim(a0, 2) : dim(a0, 1);
    const n = attrs.transposeB ? dim(b0, 2) : dim(b0, 1);
    const swap = b0.shape.length === rank && m < n && k * n >= SWAP_MIN_PACKED;
    if (!swap && !attrs.transposeA && !attrs.transposeB) return undefined;
    const temporaries: TensorInfo[] = [];
    const materialise = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      const perm = Array.from({ length: r }, (_, i) => i);
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      const t = transpose.kernelFunc({
        inputs: { x },
        backend: params.backend,
        attrs: { perm },
      }) as TensorInfo;
      temporaries.push(t);
      return t;
    };
    const plain = (a: TensorInfo, b: TensorInfo) =>
      original({
        inputs: { a, b },
        backend: params.backend,
        attrs: { ...params.attrs, transposeA: false, transposeB: false },
      }) as TensorInfo;
    try {
      if (!swap) {
        return plain(
          attrs.transposeA ? materialise(a0) : a0,
          attrs.transposeB ? materialise(b0) : b0,
        );
      }
      // op(B)ᵀ is B itself when B was to be read transposed; likewise op(A)ᵀ.
      const left = attrs.transposeB ? b0 : materialise(b0);
      const right = attrs.transposeA ? a0 : materialise(a0);
      const ct = plain(left, right);
      temporaries.push(ct);
      const c = materialise(ct);
      temporaries.pop(); // c is the result, not a temporary
      return c;
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  });
}
