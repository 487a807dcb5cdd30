/**
 * How `--backend auto` chooses, separated from tfjs so that the order of preference and
 * the fallbacks can be tested with injected probes.
 */
import { adapterLabel, softwareRenderer, type WebGpuAdapter, type WebGpuProbe } from "./webgpu.js";

/** Native TensorFlow bindings, GPU build first; either registers the `tensorflow` backend. */
export const TENSORFLOW_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

export type ConcreteBackend = "tensorflow" | "webgpu" | "wasm" | "cpu";

/** What auto looks at; the real ones resolve packages and open a Dawn adapter. */
export interface AutoProbes {
  /** Whether the package can be resolved from here (without loading it). */
  resolves(pkg: string): boolean;
  probeWebGpu(): Promise<WebGpuProbe>;
}

/** What auto may start; each returns null on success, else why it failed. */
export interface AutoStarters {
  tensorflow(pkg: string): Promise<string | null>;
  webgpu(adapter: WebGpuAdapter): Promise<string | null>;
  wasm(): Promise<string | null>;
  cpu(): Promise<string | null>;
}

/**
 * Starts the first backend that works in the order native TensorFlow, WebGPU on a
 * hardware GPU, wasm, cpu. A software WebGPU adapter (llvmpipe, SwiftShader) is skipped:
 * it runs the same arithmetic on the CPU as wasm, through a shader compiler and a
 * simulated device, and is slower. When nothing starts,
 * `failed` lists why for each candidate.
 */
export async function startAutoBackend(
  probes: AutoProbes,
  start: AutoStarters,
): Promise<{ name: ConcreteBackend; reason: string } | { failed: string }> {
  const notes: string[] = [];
  const chosen = (name: ConcreteBackend, because: string) => ({
    name,
    reason: `auto: ${[...notes, because].join("; ")}`,
  });

  const pkg = TENSORFLOW_PACKAGES.find((p) => probes.resolves(p));
  if (pkg === undefined) notes.push(`no ${TENSORFLOW_PACKAGES[1]}`);
  else {
    const failure = await start.tensorflow(pkg);
    if (failure === null) return chosen("tensorflow", `${pkg} found, so tensorflow`);
    notes.push(`${pkg} found but failed to start (${failure})`);
  }

  const probe = await probes.probeWebGpu();
  if (!probe.ok) notes.push(`no WebGPU adapter (${probe.reason})`);
  else if (softwareRenderer(probe.adapter) !== null) {
    notes.push(`WebGPU adapter is ${adapterLabel(probe.adapter)}`);
  } else {
    const label = adapterLabel(probe.adapter);
    const failure = await start.webgpu(probe.adapter);
    if (failure === null) return chosen("webgpu", `WebGPU adapter is ${label}, so webgpu`);
    notes.push(`WebGPU adapter ${label} failed to start (${failure})`);
  }

  const wasmFailure = await start.wasm();
  if (wasmFailure === null) return { name: "wasm", reason: `auto: ${notes.join("; ")}, so wasm` };
  notes.push(`wasm failed to start (${wasmFailure})`);
  const cpuFailure = await start.cpu();
  if (cpuFailure === null) return { name: "cpu", reason: `auto: ${notes.join("; ")}, so cpu` };
  notes.push(`cpu failed to start (${cpuFailure})`);
  return { failed: notes.join("; ") };
}
