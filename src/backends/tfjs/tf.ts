/**
 * Type-only view of the tfjs namespace. Modules of this backend take the loaded module as
 * a value (`tf: Tf`) so that importing them never loads tfjs; only `loadTf` in
 * backend.ts imports it, dynamically.
 */
import type * as tfjs from "@tensorflow/tfjs";

export type Tf = typeof tfjs;
export type Tensor = tfjs.Tensor;
export type Variable = tfjs.Variable;
export type Scalar = tfjs.Scalar;
export type Optimizer = tfjs.Optimizer;
