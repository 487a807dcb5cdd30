import type { DataType, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";

/** The parts of tfjs-backend-wasm's BackendWasm that the overrides use. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A view of a tensor's bytes in the wasm heap; invalid after any allocation. */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: object): ArrayLike<number>;
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type KernelParams = Parameters<KernelFunc>[0];
export type KernelResult = ReturnType<KernelFunc>;

/**
 * A replacement kernel: returns the result, or `undefined` to defer to the original
 * (unsupported dtype, layout or attributes).
 */
export type OverrideFunc = (
  params: KernelParams,
  backend: WasmBackend,
  original: KernelFunc,
) => KernelResult | undefined;

const MARK = Symbol.for("vaelang.wasmKernelOverride");

interface MarkedKernelFunc {
  (params: KernelParams): KernelResult;
  [MARK]?: true;
}

const enabled = new Map<string, boolean>();
const registrations = new Map<string, number>();

export function setOverrideEnabled(kernel: string, on: boolean): void {
  enabled.set(kernel, on);
}

export function overrideEnabled(kernel: string): boolean {
  return enabled.get(kernel) ?? true;
}

/** How many times this process registered an override of `kernel` (0 or 1). */
export function overrideRegistrations(kernel: string): number {
  return registrations.get(kernel) ?? 0;
}

/**
 * Replaces the wasm kernel `name` by `impl`, falling back to the original. Idempotent:
 * a kernel already replaced (by this or another copy of this module) is left alone. Must
 * run after the wasm backend is initialised, since kernels' setup functions run then; the
 * original setup function is kept so a re-initialised backend is set up as before.
 */
export function overrideWasmKernel(tf: Tf, name: string, impl: OverrideFunc): boolean {
  const original = tf.getKernel(name, "wasm") as KernelConfig | undefined;
  if (original === undefined) return false;
  if ((original.kernelFunc as MarkedKernelFunc)[MARK] === true) return false;
  const originalFunc = original.kernelFunc;
  const wrapped: MarkedKernelFunc = (params) => {
    if (!overrideEnabled(name)) return originalFunc(params);
    const out = impl(params, params.backend as unknown as WasmBackend, originalFunc);
    return out === undefined ? originalFunc(params) : out;
  };
  wrapped[MARK] = true;
  tf.unregisterKernel(name, "wasm");
  const config: KernelConfig = { kernelName: name, backendName: "wasm", kernelFunc: wrapped };
  if (original.setupFunc !== undefined) config.setupFunc = original.setupFunc;
  if (original.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
  tf.registerKernel(config);
  registrations.set(name, (registrations.get(name) ?? 0) + 1);
  return true;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
