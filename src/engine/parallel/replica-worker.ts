/**
 * Entry of a worker-thread replica (started by replicas.ts): builds the model and data
 * exactly as replica 0 does and runs the same training loop on its rank.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend, isBackendName, loadTf } from "../../backends/tfjs/backend.js";
import { compileModel } from "../../backends/tfjs/compile.js";
import { uploadDeviceRows } from "../device-rows.js";
import { exportWeights, objectiveSpec, runReplica } from "../train.js";
import { SharedLink } from "./link.js";
import type { ReplicaInit, ReplicaMessage } from "./replicas.js";
import { weightsChecksum } from "./shard.js";

const init = workerData as ReplicaInit;
const post = (m: ReplicaMessage) => parentPort!.postMessage(m);
const link = new SharedLink(init.buffer, init.rank, init.world, init.floats);

async function main(): Promise<void> {
  const { ir, config } = init;
  const name = config.backend ?? "wasm";
  if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
  await initBackend(name);
  const tf = await loadTf();
  const model = compileModel(ir, tf, config.seed);
  const xTrain = uploadDeviceRows(tf, ir, init.train);
  const xHeld = init.heldOut === null ? null : uploadDeviceRows(tf, ir, init.heldOut);
  try {
    post({ kind: "ready" });
    await runReplica({
      model,
      spec: objectiveSpec(ir, config, init.entropy),
      xTrain,
      xHeld,
      config,
      link,
      hooks: {},
      run: init.run,
    });
    post({ kind: "done", checksum: weightsChecksum(await exportWeights(model)) });
  } finally {
    xTrain.dispose();
    xHeld?.dispose();
    model.dispose();
  }
}

main().catch((e: unknown) => {
  link.abort();
  const err = e instanceof Error ? e : new Error(String(e));
  post({
    kind: "error",
    message: err.message,
    ...(err.stack !== undefined && { stack: err.stack }),
  });
});
