import type { Tf } from "./tf.js";
import { installWasmKernelOverrides } from "./wasm-kernels/index.js";

export {
  matMulOverrideRegistrations,
  matMulTransposeOverrideEnabled,
  overrideRegistrations,
  segmentSumRegistrations,
  setMatMulTransposeOverride,
  setOverrideEnabled,
  setWasmKernelOverrides,
  WASM_OVERRIDES,
} from "./wasm-kernels/index.js";

export type BackendName = "wasm" | "cpu" | "auto";

/** Names accepted by `initBackend`, for option validation in the CLI. */
export const BACKEND_NAMES: readonly BackendName[] = ["auto", "wasm", "cpu"];

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** A requested backend could not be started; the CLI reports it as `backend-unavailable`. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

let tfPromise: Promise<Tf> | undefined;

/**
 * The tfjs module, imported on first use. The import is dynamic so that the frontend (and
 * anything importing only types from the engine) never loads tfjs.
 */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import("@tensorflow/tfjs").then((m) => {
    // Under Node the CommonJS build arrives as the default export of the namespace.
    const ns = m as unknown as Tf & { default?: Tf };
    return ns.default !== undefined && typeof ns.default.tensor === "function" ? ns.default : ns;
  });
  return tfPromise;
}

async function startWasm(tf: Tf): Promise<string | null> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return "the wasm backend failed to initialise";
    await tf.ready();
    installWasmKernelOverrides(tf);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function startCpu(tf: Tf): Promise<string | null> {
  try {
    // The cpu backend greets Node users with advice to install tfjs-node on first use;
    // PROD silences tfjs's console warnings (it changes no numerics).
    tf.env().set("PROD", true);
    if (!(await tf.setBackend("cpu"))) return "the cpu backend failed to initialise";
    await tf.ready();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Loads tfjs and makes `name` the active backend. "auto" prefers wasm (SIMD, on every
 * platform) and falls back to the plain-JS cpu backend. Throws BackendUnavailableError
 * when an explicitly named backend cannot start.
 */
export async function initBackend(name: BackendName): Promise<{ name: string; reason: string }> {
  const tf = await loadTf();
  if (name === "cpu") {
    const failure = await startCpu(tf);
    if (failure !== null) throw new BackendUnavailableError("cpu", failure);
    return { name: "cpu", reason: "requested" };
  }
  const failure = await startWasm(tf);
  if (failure === null) {
    return { name: "wasm", reason: name === "wasm" ? "requested" : "auto: wasm (SIMD) available" };
  }
  if (name === "wasm") throw new BackendUnavailableError("wasm", failure);
  const cpuFailure = await startCpu(tf);
  if (cpuFailure !== null) throw new BackendUnavailableError("auto", `${failure}; ${cpuFailure}`);
  return { name: "cpu", reason: `auto: wasm unavailable (${failure})` };
}
