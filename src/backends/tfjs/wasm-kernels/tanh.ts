import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel, sizeOf } from "./override.js";

/**
 * The wasm Tanh kernel runs scalar libm code (~20 ns per element), while XNNPACK's
 * vectorised Sigmoid runs at ~1 ns; an mlp's tanh layers go through the fast one.
 */

/** Below this |x|, tanh uses x − x³/3 + 2x⁵/15 (relative error < 0.06·x⁶ ≪ 2⁻²⁴). */
const TANH_SERIES_BOUND = 1 / 64;

function doubleInto(src: Float32Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = 2 * src[i]!;
}

function tanhFromSigmoid(x: Float32Array, s: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v > -TANH_SERIES_BOUND && v < TANH_SERIES_BOUND) {
      const v2 = v * v;
      s[i] = v * (1 - v2 * (1 / 3 - v2 * (2 / 15)));
    } else {
      s[i] = 2 * s[i]! - 1;
    }
  }
}

/**
 * Tanh as 2·σ(2x) − 1 with XNNPACK's sigmoid (absolute error ~1e-7), and the Taylor
 * series near 0 where that form would lose relative precision.
 */
export function overrideTanh(tf: Tf): boolean {
  const sigmoid = tf.getKernel("Sigmoid", "wasm") as KernelConfig | undefined;
  if (sigmoid === undefined) return false;
  return overrideWasmKernel(tf, "Tanh", (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    if (x.dtype !== "float32" || sizeOf(x.shape) === 0) return undefined;
    const doubled = backend.makeOutput([...x.shape], "float32");
    try {
      doubleInto(
        backend.typedArrayFromHeap(x) as Float32Array,
        backend.typedArrayFromHeap(doubled) as Float32Array,
      );
      const s = sigmoid.kernelFunc({
        inputs: { x: doubled },
        backend: params.backend,
        attrs: {},
      }) as TensorInfo;
      tanhFromSigmoid(
        backend.typedArrayFromHeap(x) as Float32Array,
        backend.typedArrayFromHeap(s) as Float32Array,
      );
      return s;
    } finally {
      backend.disposeData(doubled.dataId);
    }
  });
}
