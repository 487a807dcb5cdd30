/** Shared setup for the estimator tests: small models compiled from source, fixed weights. */
import { compileModel, type CompiledModel } from "../../src/backends/tfjs/compile.js";
import type { Scalar, Tensor, Tf, Variable } from "../../src/backends/tfjs/tf.js";
import { compileSource } from "../../src/frontend.js";
import type { ModelIR } from "../../src/ir/types.js";
import { uniforms } from "./numeric.js";

export function compileIR(source: string, objective?: string): ModelIR {
  const r = compileSource(source, "test.vae", objective === undefined ? {} : { objective });
  if (r.ir === undefined) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.ir;
}

/** The model with every weight set to a seeded uniform value in [−scale, scale]. */
export function modelWithRandomWeights(tf: Tf, ir: ModelIR, seed: number, scale = 0.5) {
  const m = compileModel(ir, tf, 0);
  const u = uniforms(seed);
  for (const spec of m.specs) {
    const n = spec.shape.reduce((p, d) => p * d, 1);
    const values = Float32Array.from({ length: n }, () => (2 * u() - 1) * scale);
    tf.tidy(() => m.weights.get(spec.name)!.assign(tf.tensor(values, spec.shape, "float32")));
  }
  return m;
}

/** ∂loss/∂w for every trainable variable, flattened in spec order. */
export function flatGradient(
  m: CompiledModel,
  loss: () => Scalar,
  vars?: Variable[],
): Float64Array {
  const tf = m.tf;
  const list = vars ?? [...m.trainable];
  const { value, grads } = tf.variableGrads(loss, list);
  value.dispose();
  const out: number[] = [];
  for (const v of list) out.push(...grads[v.name]!.dataSync());
  tf.dispose(Object.values(grads));
  return Float64Array.from(out);
}

/** The same row repeated `rows` times: many independent draws for one data point. */
export function repeatRow(tf: Tf, row: number[], rows: number): Tensor {
  return tf.tile(tf.tensor2d([row]), [rows, 1]);
}

/** Per-coordinate mean and standard error of a list of vectors. */
export function vectorMeanSe(xs: Float64Array[]): { mean: number[]; se: number[] } {
  const n = xs.length;
  const d = xs[0]!.length;
  const mean: number[] = [];
  const se: number[] = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (const x of xs) s += x[j]!;
    const m = s / n;
    let ss = 0;
    for (const x of xs) ss += (x[j]! - m) ** 2;
    mean.push(m);
    se.push(Math.sqrt(ss / (n - 1) / n));
  }
  return { mean, se };
}
