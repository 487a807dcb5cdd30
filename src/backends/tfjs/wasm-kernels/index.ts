import type { Tf } from "../tf.js";
import { overrideBatchMatMul } from "./batch-matmul.js";
import { overrideTanh } from "./tanh.js";
import { overrideGather } from "./gather.js";
import { overrideIdentity } from "./identity.js";
import { overrideRegistrations, overrideEnabled, setOverrideEnabled } from "./override.js";
import { registerUnsortedSegmentSum } from "./segment-sum.js";
import { overrideSlice } from "./slice.js";
import { overrideSoftplus } from "./softplus.js";
import { overrideTile } from "./tile.js";

export { overrideRegistrations, overrideEnabled, setOverrideEnabled } from "./override.js";
export { segmentSumRegistrations } from "./segment-sum.js";

/** The wasm kernels this backend replaces, by tfjs kernel name. */
export const WASM_OVERRIDES = [
  "BatchMatMul",
  "Identity",
  "Slice",
  "GatherV2",
  "Tanh",
  "Softplus",
  "Tile",
] as const;

export type WasmOverride = (typeof WASM_OVERRIDES)[number];

/** Installs every override and missing kernel (each at most once per process). */
export function installWasmKernelOverrides(tf: Tf): void {
  registerUnsortedSegmentSum(tf);
  overrideBatchMatMul(tf);
  overrideIdentity(tf);
  overrideSlice(tf);
  overrideGather(tf);
  overrideTanh(tf);
  overrideSoftplus(tf);
  overrideTile(tf);
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
