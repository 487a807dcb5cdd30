import type { TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { overrideWasmKernel } from "./override.js";

/**
 * tfjs clones every tensor a gradient will need (tf.clone → Identity), and the wasm
 * Identity kernel copies the bytes. Tensors are immutable, so sharing the buffer under a
 * reference count (what the wasm Reshape and the cpu Identity kernels already do) is
 * equivalent and free.
 */
export function overrideIdentity(tf: Tf): boolean {
  return overrideWasmKernel(tf, "Identity", (params, backend) => {
    const x = (params.inputs as unknown as { x: TensorInfo }).x;
    if (x.dtype === "string") return undefined;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
