import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import { compileModel } from "../../../src/backends/tfjs/compile.js";
import { isEnumerable } from "../../../src/backends/tfjs/distributions/index.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import type { ModelIR, TensorExpr, UnaryFn } from "../../../src/ir/types.js";
import {
  brokenElboIR,
  c,
  head,
  linearVaeIR,
  mnistVaeIR,
  net,
  param,
  v,
} from "../../engine/fixtures.js";
import { f32Bound } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

describe("compileModel", () => {
  it("creates one variable per weight, all trainable, and frees them on dispose", () => {
    const before = tf.memory().numTensors;
    const m = compileModel(mnistVaeIR(8, 5, 2), tf, 0);
    expect(m.trainable.length).toBe(8);
    expect(m.trainable.every((t) => t.trainable)).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 8);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("evaluates the mnist-vae roles: batched encoder heads, shared prior, batched decoder", () => {
    const m = compileModel(mnistVaeIR(8, 5, 2), tf, 0);
    tf.tidy(() => {
      const x = tf.ones([3, 8]);
      const enc = m.distribution("encoder", { data: x });
      expect(enc.dist.name).toBe("Normal");
      expect(enc.params["loc"]!.shape).toEqual([3, 2]);
      expect(enc.params["log_scale"]!.shape).toEqual([3, 2]);
      expect(enc.batched).toEqual({ loc: true, log_scale: true });
      const prior = m.distribution("prior", {});
      expect(prior.params["loc"]!.shape).toEqual([]);
      expect(prior.batched).toEqual({ loc: false, scale: false });
      const dec = m.distribution("decoder", { latent: tf.zeros([4, 2]) });
      expect(dec.params["logits"]!.shape).toEqual([4, 8]);
      expect(() => m.distribution("encoder", {})).toThrow(/not available/);
    });
    m.dispose();
  });

  it("evaluates a net used twice on the same input once", () => {
    const ir = mnistVaeIR(8, 5, 2);
    const h = net("encoder_net", v("x", "data", [8]));
    ir.encoder = {
      ...ir.encoder,
      bindings: [],
      params: { loc: head(h, "loc", [2]), log_scale: head(h, "log_scale", [2]) },
    };
    const m = compileModel(ir, tf, 0);
    let matMuls = 0;
    const x = tf.ones([3, 8]);
    const info = tf.profile(() => {
      const enc = m.distribution("encoder", { data: x });
      tf.dispose(Object.values(enc.params));
    });
    return info.then((p) => {
      matMuls = p.kernels.filter((k) => k.name === "BatchMatMul").length;
      expect(matMuls).toBe(2);
      x.dispose();
      m.dispose();
    });
  });

  it("broadcasts a batched scalar against an event vector (x · w with x: real, w: real[3])", () => {
    const ir = linearVaeIR(1, 3);
    ir.data = { name: "x", kind: "real", shape: [] };
    ir.params.push({ name: "w", shape: [3], init: 0 });
    ir.encoder = {
      ...ir.encoder,
      params: {
        loc: { op: "binary", fn: "mul", lhs: v("x", "data", []), rhs: param("w", [3]), shape: [3] },
        log_scale: c(0, [3]),
      },
    };
    const m = compileModel(ir, tf, 0);
    m.weights.get("param.w")!.assign(tf.tensor([1, 10, 100]));
    const loc = tf.tidy(
      () => m.distribution("encoder", { data: tf.tensor([1, 2]) }).params["loc"]!,
    );
    expect(loc.shape).toEqual([2, 3]);
    expect(Array.from(loc.dataSync())).toEqual([1, 10, 100, 2, 20, 200]);
    loc.dispose();
    m.dispose();
  });

  it("aligns a batched scalar parameter with a vector variable (Normal(loc: z) over real[3])", () => {
    const ir = linearVaeIR(3, 1);
    ir.latent = { name: "z", kind: "real", shape: [] };
    ir.decoder = { ...ir.decoder, params: { loc: v("z", "latent", []), scale: c(1) } };
    const m = compileModel(ir, tf, 0);
    const lp = tf.tidy(() => {
      const dec = m.distribution("decoder", { latent: tf.tensor([0, 2]) });
      expect(dec.params["loc"]!.shape).toEqual([2, 1]);
      return dec.dist.logProb(
        tf,
        dec.params,
        tf.tensor([
          [0, 1, 2],
          [2, 2, 2],
        ]),
      );
    });
    const c0 = -0.5 * Math.log(2 * Math.PI);
    const want = [3 * c0 - 0.5 * (0 + 1 + 4), 3 * c0];
    const got = lp.dataSync();
    for (let i = 0; i < 2; i++)
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(f32Bound(12, 8));
    lp.dispose();
    m.dispose();
  });

  it("feeds categorical indices to tables and keeps K on the parameters' last axis", () => {
    const m = compileModel(brokenElboIR(5), tf, 0);
    tf.tidy(() => {
      const enc = m.distribution("encoder", { data: tf.tensor([0, 4, 2], [3], "int32") });
      expect(enc.params["logits"]!.shape).toEqual([3, 5]);
      const prior = m.distribution("prior", {});
      expect(prior.params["logits"]!.shape).toEqual([5]);
      expect(isEnumerable(prior.dist) && prior.dist.categories(prior.params)).toBe(5);
      const table = m.weights.get("net.encoder_table.table")!.arraySync() as number[][];
      expect(Array.from(enc.params["logits"]!.dataSync().slice(5, 10))).toEqual(
        table[4]!.map(Math.fround),
      );
    });
    m.dispose();
  });

  it("applies every elementwise function of the language", () => {
    const fns: [UnaryFn, (x: number) => number][] = [
      ["neg", (x) => -x],
      ["exp", Math.exp],
      ["log", Math.log],
      ["softplus", (x) => Math.log1p(Math.exp(x))],
      ["sigmoid", (x) => 1 / (1 + Math.exp(-x))],
      ["tanh", Math.tanh],
      ["relu", (x) => Math.max(0, x)],
      ["abs", Math.abs],
      ["sqrt", Math.sqrt],
      ["square", (x) => x * x],
    ];
    for (const [fn, ref] of fns) {
      const ir: ModelIR = linearVaeIR(2, 2);
      const input: TensorExpr = param("enc_log_scale", [2]);
      ir.encoder = {
        ...ir.encoder,
        params: { loc: c(0), log_scale: { op: "unary", fn, input, shape: [2] } },
      };
      const m = compileModel(ir, tf, 0);
      m.weights.get("param.enc_log_scale")!.assign(tf.tensor([0.25, 1.5]));
      const out = tf.tidy(
        () => m.distribution("encoder", { data: tf.zeros([1, 2]) }).params["log_scale"]! as Tensor,
      );
      const got = out.dataSync();
      [0.25, 1.5].forEach((x, i) => {
        const want = ref(x);
        // Library functions on float32: a few ulps (tanh via σ: absolute 8u).
        expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(f32Bound(8, Math.abs(want) + 1));
      });
      out.dispose();
      m.dispose();
    }
  });
});
