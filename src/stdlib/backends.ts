/**
 * The names of the compute backends, shared by the checker (`train { backend: ... }`), the
 * CLI (`--backend`) and the tfjs backend loader. Kept here, free of tfjs, so that `vae
 * check` can validate a name without loading any backend.
 */
export const BACKEND_NAMES = ["wasm", "cpu", "webgpu", "tensorflow", "auto"] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}
