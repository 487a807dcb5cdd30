/**
 * Entry of an evaluation worker (started by eval.ts): rows [from, to) of a split through
 * importanceLogLikelihood, with the calling thread's model, weights and seeds.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend, isBackendName, loadTf } from "../../backends/tfjs/backend.js";
import { compileModel } from "../../backends/tfjs/compile.js";
import { uploadRows } from "../device-rows.js";
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
  const { from, to } = init;
  const x = uploadRows(tf, init.ir, init.rows, from, to - from);
  try {
    importWeights(model, init.weights);
    return await importanceLogLikelihood(model, x, { ...init.importance, rowOffset: from });
  } finally {
    x.dispose();
    model.dispose();
  }
}

main().then(
  (values) => post({ kind: "done", values }),
  (e: unknown) => post({ kind: "error", message: e instanceof Error ? e.message : String(e) }),
);
