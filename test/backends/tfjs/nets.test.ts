import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, loadTf } from "../../../src/backends/tfjs/backend.js";
import { compileModel } from "../../../src/backends/tfjs/compile.js";
import { modelWeightSpecs } from "../../../src/backends/tfjs/layout.js";
import { netImpl, TABLE_INIT_STD } from "../../../src/backends/tfjs/nets/index.js";
import type { Tensor, Tf } from "../../../src/backends/tfjs/tf.js";
import type { NetIR } from "../../../src/ir/types.js";
import { brokenElboIR, linearVaeIR, mnistVaeIR } from "../../engine/fixtures.js";
import { f32Bound, meanAndSe, randomF32 } from "../../engine/numeric.js";

let tf: Tf;

beforeAll(async () => {
  await initBackend("wasm");
  tf = await loadTf();
});

describe("weight layout", () => {
  it("names every weight stably, with [in, out] matrices", () => {
    const specs = modelWeightSpecs(mnistVaeIR());
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ["net.encoder_net.0.W", [784, 400]],
      ["net.encoder_net.0.b", [400]],
      ["net.encoder_net.1.W", [400, 40]],
      ["net.encoder_net.1.b", [40]],
      ["net.decoder_net.0.W", [20, 400]],
      ["net.decoder_net.0.b", [400]],
      ["net.decoder_net.1.W", [400, 784]],
      ["net.decoder_net.1.b", [784]],
    ]);
    expect(modelWeightSpecs(brokenElboIR()).map((s) => [s.name, s.shape])).toEqual([
      ["net.encoder_table.table", [30, 30]],
      ["net.decoder_table.table", [30, 30]],
      ["param.marginal_logits", [30]],
    ]);
    expect(modelWeightSpecs(linearVaeIR()).map((s) => s.name)).toEqual([
      "net.enc_mean.0.W",
      "net.enc_mean.0.b",
      "net.dec_mean.0.W",
      "net.dec_mean.0.b",
      "param.enc_log_scale",
      "param.log_sigma",
    ]);
  });
});

describe("initialisation", () => {
  it("draws dense weights from U(−1/√fan_in, 1/√fan_in), reproducibly from the seed", () => {
    const ir = mnistVaeIR(64, 300, 4);
    const m1 = compileModel(ir, tf, 42);
    const m2 = compileModel(ir, tf, 42);
    const m3 = compileModel(ir, tf, 43);
    const w = m1.weights.get("net.encoder_net.0.W")!.dataSync();
    const bound = 1 / Math.sqrt(64);
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    // Mean 0 and E[w²] = bound²/3 within 4 standard errors of the sample moments.
    const m = meanAndSe(w);
    expect(Math.abs(m.mean)).toBeLessThanOrEqual(4 * m.se);
    const sq = meanAndSe(Array.from(w, (v) => v * v));
    expect(Math.abs(sq.mean - bound ** 2 / 3)).toBeLessThanOrEqual(4 * sq.se);
    // The bias uses the same fan-in bound.
    const b = m1.weights.get("net.encoder_net.0.b")!.dataSync();
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Array.from(m2.weights.get("net.encoder_net.0.W")!.dataSync())).toEqual(Array.from(w));
    expect(Array.from(m3.weights.get("net.encoder_net.0.W")!.dataSync())).not.toEqual(
      Array.from(w),
    );
    // Different weights of one model get different streams.
    const w2 = m1.weights.get("net.decoder_net.1.W")!.dataSync().slice(0, 10);
    expect(Array.from(w2)).not.toEqual(Array.from(w.slice(0, 10)));
    [m1, m2, m3].forEach((mm) => mm.dispose());
  });

  it("starts tables at N(0, 0.01²) and params at their constant", () => {
    const m = compileModel(brokenElboIR(), tf, 1);
    const t = m.weights.get("net.encoder_table.table")!.dataSync();
    const sq = meanAndSe(Array.from(t, (v) => v * v));
    expect(Math.abs(sq.mean - TABLE_INIT_STD ** 2)).toBeLessThanOrEqual(4 * sq.se);
    expect(Array.from(m.weights.get("param.marginal_logits")!.dataSync())).toEqual(
      new Array(30).fill(0),
    );
    m.dispose();
  });
});

describe("forward passes", () => {
  const mlp: NetIR = {
    name: "f",
    kind: "mlp",
    inputSize: 3,
    hidden: [4],
    activation: "tanh",
    output: {
      kind: "heads",
      heads: [
        { name: "a", size: 2 },
        { name: "b", size: 1 },
      ],
    },
  };
  const W0 = randomF32(12, 1);
  const b0 = randomF32(4, 2);
  const W1 = randomF32(12, 3);
  const b1 = randomF32(3, 4);
  const x = randomF32(2 * 3, 5, -2, 2);

  function reference(row: number): { out: number[]; scale: number[] } {
    const h = [0, 1, 2, 3].map((j) =>
      Math.tanh([0, 1, 2].reduce((s, i) => s + x[row * 3 + i]! * W0[i * 4 + j]!, b0[j]!)),
    );
    const out = [0, 1, 2].map((j) => h.reduce((s, v, i) => s + v * W1[i * 3 + j]!, b1[j]!));
    const scale = [0, 1, 2].map((j) =>
      h.reduce((s, v, i) => s + Math.abs(v * W1[i * 3 + j]!), Math.abs(b1[j]!)),
    );
    return { out, scale };
  }

  function apply(input: Tensor) {
    const w: Record<string, Tensor> = {
      "0.W": tf.tensor(W0, [3, 4]),
      "0.b": tf.tensor(b0),
      "1.W": tf.tensor(W1, [4, 3]),
      "1.b": tf.tensor(b1),
    };
    return netImpl(mlp).apply(tf, mlp, (k) => w[k]!, input);
  }

  it("mlp computes act(x·W0 + b0)·W1 + b1 and splits the heads in order", () => {
    const [a, b] = tf.tidy(() => {
      const out = apply(tf.tensor(x, [2, 3])) as Record<string, Tensor>;
      return [out["a"]!, out["b"]!];
    });
    expect(a.shape).toEqual([2, 2]);
    expect(b.shape).toEqual([2, 1]);
    const av = a.dataSync();
    const bv = b.dataSync();
    for (let row = 0; row < 2; row++) {
      const { out, scale } = reference(row);
      // tanh's absolute error (~1e-7 per hidden unit) propagates through |W1| ≤ 1.
      const tol = (j: number) => f32Bound(8, scale[j]! + 4);
      expect(Math.abs(av[row * 2]! - out[0]!)).toBeLessThanOrEqual(tol(0));
      expect(Math.abs(av[row * 2 + 1]! - out[1]!)).toBeLessThanOrEqual(tol(1));
      expect(Math.abs(bv[row]! - out[2]!)).toBeLessThanOrEqual(tol(2));
    }
    tf.dispose([a, b]);
  });

  it("accepts an unbatched input vector and extra leading axes", () => {
    const single = tf.tidy(() => (apply(tf.tensor(x.slice(0, 3))) as Record<string, Tensor>)["a"]!);
    expect(single.shape).toEqual([2]);
    const nested = tf.tidy(() => (apply(tf.tensor(x, [1, 2, 3])) as Record<string, Tensor>)["b"]!);
    expect(nested.shape).toEqual([1, 2, 1]);
    const { out, scale } = reference(1);
    expect(Math.abs(nested.dataSync()[1]! - out[2]!)).toBeLessThanOrEqual(
      f32Bound(8, scale[2]! + 4),
    );
    tf.dispose([single, nested]);
  });

  it("table looks up rows by (int or float) index", () => {
    const table: NetIR = {
      name: "t",
      kind: "table",
      inputSize: 3,
      hidden: [],
      activation: "identity",
      output: { kind: "single", size: 2 },
    };
    const rows = tf.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const out = tf.tidy(
      () => netImpl(table).apply(tf, table, () => rows, tf.tensor([2, 0], [2], "int32")) as Tensor,
    );
    expect(Array.from(out.dataSync())).toEqual([5, 6, 1, 2]);
    const outF = tf.tidy(
      () => netImpl(table).apply(tf, table, () => rows, tf.tensor([1])) as Tensor,
    );
    expect(Array.from(outF.dataSync())).toEqual([3, 4]);
    tf.dispose([rows, out, outF]);
  });
});
