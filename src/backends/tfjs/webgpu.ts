/**
 * WebGPU in Node through Dawn (the `webgpu` package, which ships a prebuilt dawn.node) and
 * `@tensorflow/tfjs-backend-webgpu`.
 *
 * Adapters are found in a child process: Dawn writes driver warnings straight to the
 * process's stderr and a broken driver can crash or hang its process, neither of which
 * should reach a training run that ends up on wasm anyway. The child reports which Dawn
 * configuration produced a working device; the trainer then opens only that one.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { Tf } from "./tf.js";

/** A way of asking Dawn for an adapter: instance flags plus requestAdapter options. */
export interface WebGpuConfig {
  readonly label: string;
  readonly flags: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Tried in order. The native API (Vulkan, Metal, D3D12) first; then the same with
 * software adapters allowed; then Dawn's OpenGL ES backend in WebGPU compatibility mode,
 * which reaches Mesa's llvmpipe through EGL without a display. The last one exists
 * because Dawn rejects older lavapipe Vulkan drivers (Debian 12's Mesa 22.3 lacks
 * `shaderUniform*ArrayDynamicIndexing`) while the same Mesa's OpenGL ES 3.2 suffices.
 */
export const WEBGPU_CONFIGS: readonly WebGpuConfig[] = [
  { label: "native", flags: [], options: { powerPreference: "high-performance" } },
  { label: "native-fallback", flags: [], options: { forceFallbackAdapter: true } },
  {
    label: "opengles-compat",
    flags: ["backend=opengles"],
    options: { featureLevel: "compatibility", powerPreference: "high-performance" },
  },
];

/** What the probe learned about the adapter it could open a device on. */
export interface WebGpuAdapter {
  readonly config: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

export type WebGpuProbe =
  | { readonly ok: true; readonly adapter: WebGpuAdapter }
  | { readonly ok: false; readonly reason: string };

const SOFTWARE_RASTERIZERS = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|warp/i;

/**
 * The CPU renderer an adapter is, or null for a hardware GPU. A fallback adapter is a CPU
 * one by definition; Mesa's and Google's software drivers also announce themselves by
 * name, which is all that reaches JS when Dawn does not flag them (its GL backend).
 */
export function softwareRenderer(a: WebGpuAdapter): string | null {
  for (const field of [a.device, a.description, a.architecture, a.vendor]) {
    const m = SOFTWARE_RASTERIZERS.exec(field);
    if (m !== null) return m[0].toLowerCase();
  }
  return a.isFallbackAdapter ? "a fallback adapter" : null;
}

/** A short human name for an adapter, for the backend's reason line. */
export function adapterLabel(a: WebGpuAdapter): string {
  const software = softwareRenderer(a);
  if (software !== null) return `${software} (CPU)`;
  const name =
    a.description || a.device || [a.vendor, a.architecture].filter((s) => s !== "").join(" ");
  return `${name || "unnamed adapter"} (GPU)`;
}

const PROBE_TAG = "VAELANG_WEBGPU_PROBE ";

/**
 * Runs in the child (`node --input-type=module -e`). argv: the webgpu package's URL and
 * the configurations as JSON. Prints one tagged JSON line; exits explicitly because an
 * open Dawn instance may keep the event loop alive.
 */
const PROBE_SCRIPT = `
const [url, configsJson] = process.argv.slice(1);
const tried = [];
const say = (o) => { console.log(${JSON.stringify(PROBE_TAG)} + JSON.stringify(o)); process.exit(0); };
let create;
try { ({ create } = await import(url)); } catch (e) { say({ ok: false, reason: "dawn.node failed to load: " + e.message }); }
for (const c of JSON.parse(configsJson)) {
  try {
    const adapter = await create(c.flags).requestAdapter(c.options);
    if (!adapter) { tried.push(c.label + ": no adapter"); continue; }
    const device = await adapter.requestDevice();
    device.destroy();
    const i = adapter.info ?? {};
    say({ ok: true, adapter: {
      config: c.label, vendor: i.vendor ?? "", architecture: i.architecture ?? "",
      device: i.device ?? "", description: i.description ?? "",
      isFallbackAdapter: Boolean(i.isFallbackAdapter ?? adapter.isFallbackAdapter),
    } });
  } catch (e) { tried.push(c.label + ": " + e.message); }
}
say({ ok: false, reason: tried.join("; ") });
`;

/** Seconds a probe may take; Dawn needs well under one on a working driver. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Headless Mesa needs EGL's surfaceless platform; with the default it tries X11 and
 * fails. An explicit EGL_PLATFORM is respected.
 */
function eglEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, EGL_PLATFORM: process.env["EGL_PLATFORM"] ?? "surfaceless" };
}

/** The URL of an installed package's entry point, or null. Resolving loads nothing. */
export function resolvePackage(name: string): string | null {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(name)).href;
  } catch {
    return null;
  }
}

function runProbe(): Promise<WebGpuProbe> {
  const url = resolvePackage("webgpu");
  if (url === null)
    return Promise.resolve({ ok: false, reason: "the webgpu package is not installed" });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", PROBE_SCRIPT, url, JSON.stringify(WEBGPU_CONFIGS)],
      { env: eglEnvironment(), timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (error, stdout) => {
        const line = stdout.split("\n").find((l) => l.startsWith(PROBE_TAG));
        if (line !== undefined) {
          resolve(JSON.parse(line.slice(PROBE_TAG.length)) as WebGpuProbe);
          return;
        }
        const how =
          error === null
            ? "it printed no result"
            : error.killed
              ? `it did not finish within ${PROBE_TIMEOUT_MS / 1000} s`
              : error.signal
                ? `it crashed (${error.signal})`
                : error.message.split("\n")[0];
        resolve({ ok: false, reason: `the WebGPU probe failed: ${how}` });
      },
    );
  });
}

let probePromise: Promise<WebGpuProbe> | undefined;

/** The first WebGPU adapter Dawn can open a device on (probed once per process). */
export function probeWebGpu(): Promise<WebGpuProbe> {
  probePromise ??= runProbe();
  return probePromise;
}

/** Minimal shapes of the WebGPU objects touched here (the full types need a DOM lib). */
interface LimitsLike {
  readonly [name: string]: unknown;
}
interface AdapterLike {
  readonly limits: LimitsLike;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
  getPreferredCanvasFormat(): string;
  readonly wgslLanguageFeatures: unknown;
}

/**
 * Limits tfjs's shaders can exceed. Compatibility mode starts them low (4 storage
 * buffers per stage, 128 invocations), and tfjs raises only some of them itself; asking
 * for the adapter's own maxima is always allowed.
 */
const RAISED_LIMITS = [
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxUniformBufferBindingSize",
] as const;

/** `gpu` as tfjs will see it: every adapter request uses `config`, with raised limits. */
function configuredGpu(gpu: GpuLike, config: WebGpuConfig): GpuLike {
  return {
    async requestAdapter(options?: object) {
      const adapter = await gpu.requestAdapter({ ...options, ...config.options });
      if (adapter === null) return null;
      const requestDevice = adapter.requestDevice.bind(adapter);
      adapter.requestDevice = (descriptor = {}) => {
        const raised: Record<string, number> = {};
        for (const name of RAISED_LIMITS) {
          const max = adapter.limits[name];
          if (typeof max === "number") raised[name] = max;
        }
        return requestDevice({
          ...descriptor,
          requiredLimits: { ...raised, ...descriptor.requiredLimits },
        });
      };
      return adapter;
    },
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    get wgslLanguageFeatures() {
      return gpu.wgslLanguageFeatures;
    },
  };
}

/** Node before 21 has no `navigator`; later versions have one without `gpu`. */
function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  } else {
    Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
  }
}

interface SyncReader {
  readSync(dataId: object): unknown;
}

/** The parts of tfjs's WebGPUBackend used here. */
interface WebGpuBackendLike extends SyncReader {
  read(dataId: object): Promise<unknown>;
  readonly device: {
    addEventListener(
      type: "uncapturederror",
      listener: (e: { error?: { message?: string } }) => void,
    ): void;
  };
}

/**
 * A WebGPU validation or out-of-memory error does not throw: the command is dropped, tfjs
 * carries on with stale buffers and Dawn only logs. Every later read of a tensor fails
 * instead, so a run stops at its next loss read rather than training on garbage.
 */
function failReadsAfterDeviceErrors(backend: WebGpuBackendLike): void {
  let first: string | null = null;
  backend.device.addEventListener("uncapturederror", (e) => {
    first ??= (e.error?.message ?? "unknown error").split("\n")[0]!;
  });
  const check = () => {
    if (first !== null) throw new Error(`the WebGPU device reported an error: ${first}`);
  };
  const read = backend.read.bind(backend);
  backend.read = async (dataId) => {
    check();
    const values = await read(dataId);
    check();
    return values;
  };
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    check();
    return readSync(dataId);
  };
}

/**
 * tfjs-backend-webgpu reads synchronously (`dataSync`) through an OffscreenCanvas, which
 * Node lacks, and Dawn offers no blocking map. Such reads fail with a ReferenceError about
 * the canvas; this names the actual remedy instead.
 */
function explainSyncReads(backend: SyncReader): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== "undefined") return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (e instanceof ReferenceError && e.message.includes("OffscreenCanvas")) {
        throw new Error(
          "the webgpu backend cannot read a tensor synchronously under Node " +
            "(dataSync/arraySync); read it with `await tensor.data()`",
        );
      }
      throw e;
    }
  };
}

/**
 * Makes tfjs's webgpu backend active on `adapter`'s configuration. Returns null, or why
 * it could not start.
 */
export async function startWebGpu(tf: Tf, adapter: WebGpuAdapter): Promise<string | null> {
  const config = WEBGPU_CONFIGS.find((c) => c.label === adapter.config);
  if (config === undefined) throw new Error(`unknown WebGPU configuration '${adapter.config}'`);
  try {
    if (tf.findBackendFactory("webgpu") === null) {
      if (config.flags.includes("backend=opengles")) {
        process.env["EGL_PLATFORM"] = eglEnvironment()["EGL_PLATFORM"];
      }
      const { create, globals } = await import("webgpu");
      // tfjs-backend-webgpu names GPUBufferUsage & co. as globals, as in a browser.
      Object.assign(globalThis, globals);
      installNavigatorGpu(configuredGpu(create([...config.flags]) as unknown as GpuLike, config));
      // Registers the backend on import, and only if navigator.gpu exists by then.
      await import("@tensorflow/tfjs-backend-webgpu");
      if (tf.findBackendFactory("webgpu") === null) {
        return "@tensorflow/tfjs-backend-webgpu did not register (it was loaded before navigator.gpu was set)";
      }
    }
    if (!(await tf.setBackend("webgpu"))) return "the webgpu backend failed to initialise";
    await tf.ready();
    const backend = tf.backend() as unknown as WebGpuBackendLike;
    explainSyncReads(backend);
    failReadsAfterDeviceErrors(backend);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
