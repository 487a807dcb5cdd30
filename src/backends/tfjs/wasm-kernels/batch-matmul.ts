import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel } from "./override.js";

/**
 * tfjs-backend-wasm's BatchMatMul is an order of magnitude slower when asked to read an
 * operand transposed (100×784·784×400: ~2.6 ms plain, ~30 ms with a transpose flag), and
 * tfjs's matMul gradient asks exactly that: dA = dY·Bᵀ, dB = Aᵀ·dY. Materialising the
 * transpose with the wasm Transpose kernel and calling the plain kernel is much faster.
 */
export function overrideBatchMatMul(tf: Tf): boolean {
  const transpose = tf.getKernel("Transpose", "wasm") as KernelConfig | undefined;
  if (transpose === undefined) return false;
  return overrideWasmKernel(tf, "BatchMatMul", (params, backend, original) => {
    const attrs = params.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return undefined;
    const inputs = params.inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const temporaries: TensorInfo[] = [];
    const materialise = (x: TensorInfo): TensorInfo => {
      const rank = x.shape.length;
      const perm = Array.from({ length: rank }, (_, i) => i);
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      const t = transpose.kernelFunc({
        inputs: { x },
        backend: params.backend,
        attrs: { perm },
      }) as TensorInfo;
      temporaries.push(t);
      return t;
    };
    try {
      const a = attrs.transposeA ? materialise(inputs.a) : inputs.a;
      const b = attrs.transposeB ? materialise(inputs.b) : inputs.b;
      return original({
        inputs: { a, b },
        backend: params.backend,
        attrs: { ...params.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  });
}
