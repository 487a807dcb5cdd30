import type { Tf } from "../tf.js";
import { overrideBatchMatMul } from "./batch-matmul.js";
import { overrideTanh, overrideSqrt } from "./elementwise.js";
import { overrideGather } from "./gather.js";
import { overrideIdentity } from "./identity.js";
import { overrideRegistrations, overrideEnabled, setOverrideEnabled } from "./override.js";
import { overrideSlice } from "./slice.js";

export { overrideRegistrations, overrideEnabled, setOverrideEnabled } from "./override.js";

/** The wasm kernels this backend replaces, by tfjs kernel name. */
export const WASM_OVERRIDES = [
  "BatchMatMul",
  "Identity",
  "Slice",
  "GatherV2",
  "Sqrt",
  "Tanh",
] as const;

export type WasmOverride = (typeof WASM_OVERRIDES)[number];

/** Installs every override (each at most once per process). */
export function installWasmKernelOverrides(tf: Tf): void {
  overrideBatchMatMul(tf);
  overrideIdentity(tf);
  overrideSlice(tf);
  overrideGather(tf);
  overrideSqrt(tf);
  overrideTanh(tf);
}

/** Switches the transpose-flag rewrite of BatchMatMul (for measurements). */
export function setMatMulTransposeOverride(on: boolean): void {
  setOverrideEnabled("BatchMatMul", on);
}

export function matMulTransposeOverrideEnabled(): boolean {
  return overrideEnabled("BatchMatMul");
}

export function matMulOverrideRegistrations(): number {
  return overrideRegistrations("BatchMatMul");
}

/** Switches every override at once (for measurements against stock tfjs-backend-wasm). */
export function setWasmKernelOverrides(on: boolean): void {
  for (const k of WASM_OVERRIDES) setOverrideEnabled(k, on);
}
