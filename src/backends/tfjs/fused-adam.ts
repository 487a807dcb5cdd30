import type { NamedTensorMap, TensorInfo } from "@tensorflow/tfjs";
import type { Optimizer, Tensor, Tf } from "./tf.js";
import { simdAdam } from "./simd-adam.js";
import { wasmMemoryOf } from "./wasm-asm.js";
import type { WasmBackend } from "./wasm-kernels/override.js";

/** A tensor with its name, as tfjs optimisers exchange weights and gradients. */
interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** First and second moment estimates of one variable: flat buffers in the wasm heap. */
interface Moments {
  m: Tensor;
  v: Tensor;
}

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's constants for one step, as the float32 scalars tfjs's kernels use. */
export interface AdamStepConstants {
  b1: number;
  b2: number;
  /** 1 − β1 and 1 − β2. */
  a1: number;
  a2: number;
  /** Bias corrections 1 − β1ᵗ and 1 − β2ᵗ. */
  c1: number;
  c2: number;
  eps: number;
  negLr: number;
}

export function adamStepConstants(s: AdamSettings, c1: number, c2: number): AdamStepConstants {
  const f32 = Math.fround;
  return {
    b1: f32(s.beta1),
    b2: f32(s.beta2),
    a1: f32(1 - s.beta1),
    a2: f32(1 - s.beta2),
    c1,
    c2,
    eps: f32(s.epsilon),
    negLr: f32(-s.lr),
  };
}

/**
 * Adam on elements [from, to) of flat arrays: reads the weights `w`, writes the new
 * weights to `out` and overwrites the moments `m`, `v`. Each operation is rounded to
 * float32 in the order of tfjs's AdamOptimizer kernels (m ← m·β1 + g·(1−β1),
 * v ← v·β2 + (g·g)·(1−β2), w ← ((m/c1) / (√(v/c2) + ε))·(−lr) + w), so the result is
 * tfjs's bit for bit. Used where wasm SIMD is unavailable and for the last n mod 4
 * elements otherwise.
 */
export function adamStep(
  w: Float32Array,
  out: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  k: AdamStepConstants,
  from = 0,
  to = w.length,
): void {
  const f = Math.fround;
  for (let i = from; i < to; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * k.b1) + f(gi * k.a1));
    const vi = f(f(v[i]! * k.b2) + f(f(gi * gi) * k.a2));
    m[i] = mi;
    v[i] = vi;
    const d = f(f(mi / k.c1) / f(f(Math.sqrt(f(vi / k.c2))) + k.eps));
    out[i] = f(d * k.negLr) + w[i]!;
  }
}

/**
 * Adam for the wasm backend: each variable is updated by one JS loop over the wasm heap
 * (SIMD where available, simd-adam.ts) instead of tfjs's ~10 kernels per variable and
 * their temporaries; the moments are buffers in the wasm heap updated in place. The new
 * weights go to a fresh buffer that the variable is then assigned,
 * never into the old one: the wasm backend caches XNNPACK operators with packed weights
 * per buffer and drops them only when the buffer is freed, so a buffer written in place
 * would keep multiplying with stale weights (and tensors aliasing the variable's buffer
 * would change too). Same semantics as `tf.train.adam(lr, β1, β2, ε)`, including
 * the bias correction from float32 running products β1ᵗ, β2ᵗ.
 *
 * Only valid while the wasm backend is active; `createOptimizer` picks it then.
 * `useSimd: false` forces the scalar JS loop (for tests).
 */
export function createFusedAdam(
  tf: Tf,
  settings: AdamSettings,
  opts: { useSimd?: boolean } = {},
): Optimizer {
  const f32 = Math.fround;
  const simd = opts.useSimd === false ? null : simdAdam(wasmMemoryOf(tf.backend()));
  class FusedAdamOptimizer extends tf.Optimizer {
    static get className(): string {
      // Distinct from tfjs's "Adam" so serialisation never confuses the two.
      return "VaelangFusedAdam";
    }
    private readonly moments = new Map<string, Moments>();
    /** β1ᵗ and β2ᵗ as float32 running products, as tfjs keeps them. */
    private acc1 = f32(settings.beta1);
    private acc2 = f32(settings.beta2);

    override applyGradients(grads: NamedTensorMap | NamedTensor[]): void {
      const list: NamedTensor[] = Array.isArray(grads)
        ? grads
        : Object.keys(grads).map((name) => ({ name, tensor: grads[name]! }));
      const backend = tf.backend() as unknown as WasmBackend;
      const k = adamStepConstants(settings, f32(1 - this.acc1), f32(1 - this.acc2));
      for (const { name, tensor: g } of list) {
        if (g == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable === undefined) throw new Error(`fused Adam: no variable '${name}'`);
        if (variable.dtype !== "float32" || g.dtype !== "float32") {
          throw new Error(`fused Adam: '${name}' is not float32`);
        }
        let mom = this.moments.get(name);
        if (mom === undefined) {
          mom = { m: tf.zeros([variable.size]), v: tf.zeros([variable.size]) };
          this.moments.set(name, mom);
        }
        const next = backend.makeOutput([...variable.shape], "float32");
        // Views are taken after the allocation: growing the heap detaches earlier ones.
        const view = (t: Tensor | TensorInfo) =>
          backend.typedArrayFromHeap(t as unknown as TensorInfo) as Float32Array;
        const w = view(variable);
        const out = view(next);
        const gv = view(g);
        const m = view(mom.m);
        const v = view(mom.v);
        const n = w.length;
        const vectorised = simd === null ? 0 : n - (n % 4);
        if (vectorised > 0) {
          const b = w.byteOffset;
          simd!(
            b,
            out.byteOffset,
            gv.byteOffset,
            m.byteOffset,
            v.byteOffset,
            vectorised * 4,
            k.b1,
            k.b2,
            k.a1,
            k.a2,
            k.c1,
            k.c2,
            k.eps,
            k.negLr,
          );
        }
        adamStep(w, out, gv, m, v, k, vectorised, n);
        const t = tf.engine().makeTensorFromTensorInfo(next);
        variable.assign(t);
        t.dispose();
      }
      this.acc1 = f32(this.acc1 * f32(settings.beta1));
      this.acc2 = f32(this.acc2 * f32(settings.beta2));
      this.incrementIterations();
    }

    override async getWeights(): Promise<NamedTensor[]> {
      const out: NamedTensor[] = [{ name: "iter", tensor: tf.scalar(this.iterations, "int32") }];
      for (const [name, { m, v }] of this.moments) {
        out.push({ name: `${name}/m`, tensor: m.clone() });
        out.push({ name: `${name}/v`, tensor: v.clone() });
      }
      return out;
    }

    override async setWeights(weights: NamedTensor[]): Promise<void> {
      const byName = new Map(weights.map((w) => [w.name, w.tensor]));
      const iter = byName.get("iter");
      const t = iter === undefined ? 0 : (await iter.data())[0]!;
      this.iterations_ = t;
      this.acc1 = f32(settings.beta1);
      this.acc2 = f32(settings.beta2);
      for (let i = 0; i < t; i++) {
        this.acc1 = f32(this.acc1 * f32(settings.beta1));
        this.acc2 = f32(this.acc2 * f32(settings.beta2));
      }
      this.disposeMoments();
      for (const [key, tensor] of byName) {
        const match = /^(.*)\/(m|v)$/.exec(key);
        if (match === null) continue;
        const name = match[1]!;
        const mom = this.moments.get(name) ?? {
          m: tf.zeros([tensor.size]),
          v: tf.zeros([tensor.size]),
        };
        // A fresh buffer, never one shared with the caller's tensor: moments are updated in place.
        const copy = tf.tensor(await tensor.data<"float32">(), [tensor.size], "float32");
        const slot = match[2] as "m" | "v";
        mom[slot].dispose();
        mom[slot] = copy;
        this.moments.set(name, mom);
      }
    }

    override getConfig() {
      return { ...settings };
    }

    private disposeMoments(): void {
      for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
      this.moments.clear();
    }

    override dispose(): void {
      this.disposeMoments();
      super.dispose();
    }
  }
  return new FusedAdamOptimizer();
}
