import type { BackendName } from "../../stdlib/backends.js";
import { startAutoBackend, TENSORFLOW_PACKAGES, type AutoStarters } from "./auto.js";
import type { Tf } from "./tf.js";
import { installWasmKernelOverrides } from "./wasm-kernels/index.js";
import { adapterLabel, probeWebGpu, resolvePackage, startWebGpu } from "./webgpu.js";

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

export { BACKEND_NAMES, isBackendName, type BackendName } from "../../stdlib/backends.js";

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

async function startTensorflow(tf: Tf, pkg: string): Promise<string | null> {
  try {
    // The package registers the `tensorflow` backend (libtensorflow through N-API) on import.
    await import(pkg);
    if (!(await tf.setBackend("tensorflow"))) return "the tensorflow backend failed to initialise";
    await tf.ready();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function starters(tf: Tf): AutoStarters {
  return {
    tensorflow: (pkg) => startTensorflow(tf, pkg),
    webgpu: (adapter) => startWebGpu(tf, adapter),
    wasm: () => startWasm(tf),
    cpu: () => startCpu(tf),
  };
}

async function startNamed(tf: Tf, name: BackendName): Promise<{ name: string; reason: string }> {
  const unavailable = (reason: string) => new BackendUnavailableError(name, reason);
  switch (name) {
    case "cpu":
    case "wasm": {
      const failure = await (name === "cpu" ? startCpu(tf) : startWasm(tf));
      if (failure !== null) throw unavailable(failure);
      return { name, reason: "requested" };
    }
    case "webgpu": {
      const probe = await probeWebGpu();
      if (!probe.ok) throw unavailable(`no WebGPU adapter (${probe.reason})`);
      const failure = await startWebGpu(tf, probe.adapter);
      if (failure !== null) throw unavailable(failure);
      return {
        name,
        reason: `requested; adapter ${adapterLabel(probe.adapter)} via Dawn ${probe.adapter.config}`,
      };
    }
    case "tensorflow": {
      const pkg = TENSORFLOW_PACKAGES.find((p) => resolvePackage(p) !== null);
      if (pkg === undefined) {
        throw unavailable(`neither ${TENSORFLOW_PACKAGES.join(" nor ")} is installed`);
      }
      const failure = await startTensorflow(tf, pkg);
      if (failure !== null) throw unavailable(`${pkg}: ${failure}`);
      return { name, reason: `requested; ${pkg}` };
    }
    case "auto": {
      const probes = { resolves: (p: string) => resolvePackage(p) !== null, probeWebGpu };
      const result = await startAutoBackend(probes, starters(tf));
      if ("failed" in result) throw unavailable(result.failed);
      return result;
    }
  }
}

let active: { requested: BackendName; result: { name: string; reason: string } } | undefined;

/**
 * Loads tfjs and makes `name` the active backend; see docs/backends.md for what "auto"
 * picks. Asking again for the backend already running returns the first answer without
 * probing again (the CLI and the engine both ask). Throws BackendUnavailableError when
 * the requested backend cannot start.
 */
export async function initBackend(name: BackendName): Promise<{ name: string; reason: string }> {
  const tf = await loadTf();
  if (active !== undefined && active.requested === name && tf.getBackend() === active.result.name) {
    return active.result;
  }
  const result = await startNamed(tf, name);
  active = { requested: name, result };
  return result;
}
