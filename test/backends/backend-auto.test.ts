import { describe, expect, it, vi } from "vitest";
import {
  startAutoBackend,
  TENSORFLOW_PACKAGES,
  type AutoProbes,
  type AutoStarters,
} from "../../src/backends/tfjs/auto.js";
import {
  adapterLabel,
  resolvePackage,
  softwareRenderer,
  type WebGpuAdapter,
  type WebGpuProbe,
} from "../../src/backends/tfjs/webgpu.js";
import { compileSource } from "../../src/frontend.js";
import { BACKEND_NAMES, isBackendName } from "../../src/stdlib/backends.js";

const g = globalThis as Record<string, unknown>;

function adapter(fields: Partial<WebGpuAdapter>): WebGpuAdapter {
  return {
    config: "native",
    vendor: "",
    architecture: "",
    device: "",
    description: "",
    isFallbackAdapter: false,
    ...fields,
  };
}

/** What Dawn reports for adapters met in practice (vendor/architecture/device/description). */
const ADAPTERS = {
  nvidia: adapter({ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H100 PCIe" }),
  apple: adapter({ vendor: "apple", architecture: "metal-3", description: "Apple M2" }),
  intel: adapter({ vendor: "intel", architecture: "gen-12lp", description: "Intel(R) UHD 770" }),
  lavapipe: adapter({ vendor: "mesa", device: "llvmpipe (LLVM 15.0.6, 256 bits)" }),
  llvmpipeGl: adapter({
    config: "opengles-compat",
    device: "llvmpipe-llvm-15-0-6-256-bits-",
    description: "OpenGL version OpenGL ES 3.2 Mesa 22.3.6",
  }),
  swiftshader: adapter({ vendor: "google", description: "SwiftShader Device (Subzero)" }),
  anonymousFallback: adapter({ isFallbackAdapter: true }),
};

/** Probes and starters that record calls; `fail` names starters that fail. */
function fakes(opts: {
  installed?: readonly string[];
  probe?: WebGpuProbe;
  fail?: readonly string[];
}) {
  const calls: string[] = [];
  const result = (name: string) => {
    calls.push(name);
    return Promise.resolve(opts.fail?.includes(name) ? `${name} broke` : null);
  };
  const probes: AutoProbes = {
    resolves: (pkg) => opts.installed?.includes(pkg) ?? false,
    probeWebGpu: vi.fn(() =>
      Promise.resolve(opts.probe ?? { ok: false as const, reason: "no driver" }),
    ),
  };
  const start: AutoStarters = {
    tensorflow: (pkg) => result(`tensorflow:${pkg}`),
    webgpu: () => result("webgpu"),
    wasm: () => result("wasm"),
    cpu: () => result("cpu"),
  };
  return { probes, start, calls };
}

describe("loading", () => {
  it("keeps tfjs and Dawn unloaded until a backend starts (vae check stays tfjs-free)", async () => {
    expect(g["_tfengine"]).toBeUndefined();
    await import("../../src/backends/tfjs/backend.js");
    await import("../../src/index.js");
    const checked = compileSource(
      "model M {\n  data x: binary[2]\n  latent z: real[1]\n  net e = linear(2 -> (loc: 1, log_scale: 1))\n" +
        "  net d = linear(1 -> 2)\n  prior p(z) = Normal(loc: 0, scale: 1)\n" +
        "  encoder q(z|x) = Normal(loc: e(x).loc, log_scale: e(x).log_scale)\n" +
        "  decoder p(x|z) = Bernoulli(logits: d(z))\n  train { backend: webgpu }\n}\n",
      "m.vae",
    );
    expect(checked.diagnostics).toEqual([]);
    expect(checked.ir?.train.backend).toBe("webgpu");
    expect(g["_tfengine"]).toBeUndefined();
    expect(g["GPUBufferUsage"]).toBeUndefined();
  });
});

describe("backend names", () => {
  it("are one list: wasm, cpu, webgpu, tensorflow, auto", () => {
    expect([...BACKEND_NAMES]).toEqual(["wasm", "cpu", "webgpu", "tensorflow", "auto"]);
    expect(isBackendName("webgpu")).toBe(true);
    expect(isBackendName("gpu")).toBe(false);
  });

  it("are what the public initBackend accepts, listed in its unknown-backend diagnostic", async () => {
    const { initBackend } = await import("../../src/index.js");
    const r = await initBackend("gpu");
    expect("diagnostics" in r && r.diagnostics[0]!.code).toBe("unknown-backend");
    expect("diagnostics" in r && r.diagnostics[0]!.message).toContain(BACKEND_NAMES.join(", "));
    expect(g["_tfengine"]).toBeUndefined();
  });
});

describe("softwareRenderer", () => {
  it("recognises CPU adapters by name or by the fallback flag, and GPUs as none", () => {
    expect(softwareRenderer(ADAPTERS.lavapipe)).toBe("llvmpipe");
    expect(softwareRenderer(ADAPTERS.llvmpipeGl)).toBe("llvmpipe");
    expect(softwareRenderer(ADAPTERS.swiftshader)).toBe("swiftshader");
    expect(softwareRenderer(ADAPTERS.anonymousFallback)).toBe("a fallback adapter");
    expect(softwareRenderer(ADAPTERS.nvidia)).toBeNull();
    expect(softwareRenderer(ADAPTERS.apple)).toBeNull();
    expect(softwareRenderer(ADAPTERS.intel)).toBeNull();
  });

  it("labels adapters for the reason line", () => {
    expect(adapterLabel(ADAPTERS.lavapipe)).toBe("llvmpipe (CPU)");
    expect(adapterLabel(ADAPTERS.nvidia)).toBe("NVIDIA H100 PCIe (GPU)");
    expect(adapterLabel(adapter({ vendor: "amd", architecture: "rdna-3" }))).toBe(
      "amd rdna-3 (GPU)",
    );
  });
});

describe("startAutoBackend", () => {
  it("prefers tfjs-node-gpu, then tfjs-node, and does not probe WebGPU once one starts", async () => {
    const both = fakes({ installed: TENSORFLOW_PACKAGES });
    const r = await startAutoBackend(both.probes, both.start);
    expect(r).toEqual({
      name: "tensorflow",
      reason: "auto: @tensorflow/tfjs-node-gpu found, so tensorflow",
    });
    expect(both.calls).toEqual(["tensorflow:@tensorflow/tfjs-node-gpu"]);
    expect(both.probes.probeWebGpu).not.toHaveBeenCalled();

    const cpuOnly = fakes({ installed: ["@tensorflow/tfjs-node"] });
    expect(await startAutoBackend(cpuOnly.probes, cpuOnly.start)).toEqual({
      name: "tensorflow",
      reason: "auto: @tensorflow/tfjs-node found, so tensorflow",
    });
  });

  it("falls through when tfjs-node is installed but cannot start", async () => {
    const f = fakes({
      installed: ["@tensorflow/tfjs-node"],
      fail: ["tensorflow:@tensorflow/tfjs-node"],
      probe: { ok: true, adapter: ADAPTERS.nvidia },
    });
    expect(await startAutoBackend(f.probes, f.start)).toEqual({
      name: "webgpu",
      reason:
        "auto: @tensorflow/tfjs-node found but failed to start (tensorflow:@tensorflow/tfjs-node broke); " +
        "WebGPU adapter is NVIDIA H100 PCIe (GPU), so webgpu",
    });
  });

  it("takes WebGPU on a hardware adapter", async () => {
    const f = fakes({ probe: { ok: true, adapter: ADAPTERS.apple } });
    expect(await startAutoBackend(f.probes, f.start)).toEqual({
      name: "webgpu",
      reason: "auto: no @tensorflow/tfjs-node; WebGPU adapter is Apple M2 (GPU), so webgpu",
    });
    expect(f.calls).toEqual(["webgpu"]);
  });

  it("skips a software adapter (lavapipe, SwiftShader, any fallback) for wasm", async () => {
    for (const a of [ADAPTERS.lavapipe, ADAPTERS.swiftshader, ADAPTERS.anonymousFallback]) {
      const f = fakes({ probe: { ok: true, adapter: a } });
      const r = await startAutoBackend(f.probes, f.start);
      expect(r).toEqual({
        name: "wasm",
        reason: `auto: no @tensorflow/tfjs-node; WebGPU adapter is ${adapterLabel(a)}, so wasm`,
      });
      expect(f.calls).toEqual(["wasm"]);
    }
    const f = fakes({ probe: { ok: true, adapter: ADAPTERS.lavapipe } });
    expect(await startAutoBackend(f.probes, f.start)).toEqual({
      name: "wasm",
      reason: "auto: no @tensorflow/tfjs-node; WebGPU adapter is llvmpipe (CPU), so wasm",
    });
  });

  it("says why there is no adapter, and why a GPU adapter was not used", async () => {
    const none = fakes({ probe: { ok: false, reason: "native: no adapter" } });
    expect(await startAutoBackend(none.probes, none.start)).toEqual({
      name: "wasm",
      reason: "auto: no @tensorflow/tfjs-node; no WebGPU adapter (native: no adapter), so wasm",
    });
    const broken = fakes({ probe: { ok: true, adapter: ADAPTERS.nvidia }, fail: ["webgpu"] });
    expect(await startAutoBackend(broken.probes, broken.start)).toEqual({
      name: "wasm",
      reason:
        "auto: no @tensorflow/tfjs-node; WebGPU adapter NVIDIA H100 PCIe (GPU) failed to start " +
        "(webgpu broke), so wasm",
    });
    expect(broken.calls).toEqual(["webgpu", "wasm"]);
  });

  it("ends on cpu, and reports every failure when nothing starts", async () => {
    const noWasm = fakes({ fail: ["wasm"] });
    expect(await startAutoBackend(noWasm.probes, noWasm.start)).toEqual({
      name: "cpu",
      reason:
        "auto: no @tensorflow/tfjs-node; no WebGPU adapter (no driver); " +
        "wasm failed to start (wasm broke), so cpu",
    });
    const nothing = fakes({ fail: ["wasm", "cpu"] });
    expect(await startAutoBackend(nothing.probes, nothing.start)).toEqual({
      failed:
        "no @tensorflow/tfjs-node; no WebGPU adapter (no driver); wasm failed to start " +
        "(wasm broke); cpu failed to start (cpu broke)",
    });
  });
});

describe("on this machine", () => {
  it("resolves installed packages without loading them, and misses absent ones", () => {
    expect(resolvePackage("@tensorflow/tfjs")).toMatch(/^file:\/\/.*tfjs/);
    expect(resolvePackage("vaelang-no-such-package")).toBeNull();
    expect(g["_tfengine"]).toBeUndefined();
  });

  it.skipIf(TENSORFLOW_PACKAGES.some((p) => resolvePackage(p) !== null))(
    "reports tensorflow as unavailable when no tfjs-node is installed",
    async () => {
      const backend = await import("../../src/backends/tfjs/backend.js");
      const err = await backend.initBackend("tensorflow").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(backend.BackendUnavailableError);
      expect((err as Error).message).toBe(
        "backend 'tensorflow' is not available: neither @tensorflow/tfjs-node-gpu nor " +
          "@tensorflow/tfjs-node is installed",
      );
    },
  );

  it("auto starts what the probes call for, and a second request reuses the answer", async () => {
    const backend = await import("../../src/backends/tfjs/backend.js");
    const { probeWebGpu } = await import("../../src/backends/tfjs/webgpu.js");
    const probe = await probeWebGpu();
    const first = await backend.initBackend("auto");
    const tf = await backend.loadTf();
    expect(tf.getBackend()).toBe(first.name);
    if (!TENSORFLOW_PACKAGES.some((p) => resolvePackage(p) !== null)) {
      const expected = probe.ok && softwareRenderer(probe.adapter) === null ? "webgpu" : "wasm";
      expect(first.name).toBe(expected);
      expect(first.reason).toMatch(/^auto: no @tensorflow\/tfjs-node; /);
    }
    expect(await backend.initBackend("auto")).toBe(first);
  });
});
