import { initBackend, isBackendName, loadTf } from "../../backends/tfjs/backend.js";
import { compileModel, type CompiledModel } from "../../backends/tfjs/compile.js";
import type { ModelIR } from "../../ir/types.js";
import { importWeights } from "../train.js";
import type { NamedWeights } from "../types.js";

/** What every inspection accepts besides its own inputs. */
export interface InspectOptions {
  /**
   * A name of BACKEND_NAMES (src/stdlib/backends.ts). Default: the backend already running,
   * else train.backend, else "auto".
   */
  backend?: string | null;
}

/**
 * `f` of the model compiled from `ir` with `weights` loaded, on the requested backend; the
 * model's variables are freed when `f` settles. The weights must fit (weightMismatches).
 */
export async function withLoadedModel<T>(
  ir: ModelIR,
  weights: NamedWeights,
  opts: InspectOptions,
  f: (model: CompiledModel) => Promise<T>,
): Promise<T> {
  const tf = await loadTf();
  // Unasked, the backend the caller already started (e.g. the CLI's --backend) is kept:
  // starting train.backend or "auto" over it would switch backends under the caller.
  const running = tf.engine().backendName;
  const name = opts.backend ?? (running !== null ? null : (ir.train.backend ?? "auto"));
  if (name !== null) {
    // The CLI reports unknown names as `unknown-backend` before anything runs.
    if (!isBackendName(name)) throw new Error(`unknown backend '${name}'`);
    await initBackend(name);
  }
  // The seed only initialises variables that importWeights overwrites.
  const model = compileModel(ir, tf, 0);
  try {
    importWeights(model, weights);
    return await f(model);
  } finally {
    model.dispose();
  }
}
