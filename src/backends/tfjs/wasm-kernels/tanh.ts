import { simdTanh } from "../simd-tanh.js";
import type { Tf } from "../tf.js";
import { overrideUnarySimd } from "./unary.js";

/**
 * Tanh through the SIMD loop of simd-tanh.ts instead of the wasm kernel's scalar libm
 * calls (~20 ns per element); an mlp's tanh layers run it on every hidden unit.
 */
export function overrideTanh(tf: Tf): boolean {
  return overrideUnarySimd(tf, "Tanh", simdTanh, Math.tanh);
}
