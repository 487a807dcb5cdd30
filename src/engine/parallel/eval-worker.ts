/**
 * Entry of an evaluation worker (started by eval.ts): rows [from, to) of a split through
 * importanceLogLikelihood, with the calling thread's model, weights and seeds.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend, isBackendName, loadTf } from "../../backends/tfjs/backend.js";
import { compileModel } from "../../backends/tfjs/compile.js";
import { uploadDeviceRows } from "../device-rows.js";
import { importanceLogLikelihood } from "../diagnostics/log-likelihood.js";
import { importWeights } from "../train.js";
import type { EvalWorkerInit, EvalWorkerMessage } from "./eval.js";

const init = workerData as EvalWorkerInit;
const post = (m: EvalWorkerMessage) => parentPort!.postMessage(m);

async function main(): Promise<Float64Array> {
  if (!isBackendName(init.backend)) throw new Error(`unknown backend '${init.backend}'`);
  await initBackend(init.backend);
  const tf = await loadTf();
  const model = compileModel(init.ir, tf, init.seed);
  const { rows, from, to } = init;
  const part = {
    ...rows,
    rows: to - from,
    values: rows.values.subarray(from * rows.dim, to * rows.dim),
  };
  const x = uploadDeviceRows(tf, init.ir, part);
  const xs = x.slice(0, part.rows);
  try {
    importWeights(model, init.weights);
    return await importanceLogLikelihood(model, xs, { ...init.importance, rowOffset: from });
  } finally {
    xs.dispose();
    x.dispose();
    model.dispose();
  }
}

main().then(
  (values) => post({ kind: "done", values }),
  (e: unknown) => post({ kind: "error", message: e instanceof Error ? e.message : String(e) }),
);
