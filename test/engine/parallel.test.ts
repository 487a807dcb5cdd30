/**
 * Data-parallel training (`train { workers: N }`): replica shards, the shared-memory
 * collectives, and that N replicas take the full-minibatch step. The worker replicas run
 * the compiled sources in dist/ (built by `npm test`'s pretest).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTf } from "../../src/backends/tfjs/backend.js";
import type { Tf } from "../../src/backends/tfjs/tf.js";
import type { Dataset, DatasetSplits } from "../../src/data/types.js";
import type { ModelIR, ObjectiveExpr } from "../../src/ir/types.js";
import { replicaShard } from "../../src/engine/parallel/shard.js";
import { diagnoseModel } from "../../src/engine/diagnostics/report.js";
import { trainModel } from "../../src/engine/train.js";
import type { NamedWeights } from "../../src/engine/types.js";
import { brokenElboIR, mnistVaeIR, term, train } from "./fixtures.js";
import { f32Bound, uniforms } from "./numeric.js";

const LINK_JS = resolve(__dirname, "../../dist/src/engine/parallel/link.js");

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf();
  if (!existsSync(LINK_JS)) throw new Error(`${LINK_JS} is missing: run 'npm run build'`);
});

describe("replicaShard", () => {
  it("splits every minibatch into consecutive shards that cover it once", () => {
    for (const world of [1, 2, 3, 7]) {
      for (let size = 0; size <= 30; size++) {
        let next = 0;
        for (let rank = 0; rank < world; rank++) {
          const s = replicaShard(size, rank, world);
          expect(s.offset).toBe(next);
          expect(Math.abs(s.rows - size / world)).toBeLessThan(1);
          next += s.rows;
        }
        expect(next).toBe(size);
        if (size > 0) expect(replicaShard(size, 0, world).rows).toBeGreaterThan(0);
      }
    }
  });
});

/**
 * Runs `body` (the source of an async function of (link, rank)) in `world` threads: rank 0
 * here, the others in workers; resolves with each rank's return value.
 */
async function onReplicas(world: number, floats: number, body: string): Promise<unknown[]> {
  const { SharedLink, sharedLinkBytes } = await import(pathToFileURL(LINK_JS).href);
  const buffer = new SharedArrayBuffer(sharedLinkBytes(world, floats));
  const source = `
    const { workerData, parentPort } = require("node:worker_threads");
    import(workerData.url).then(async ({ SharedLink }) => {
      const link = new SharedLink(workerData.buffer, workerData.rank, workerData.world, workerData.floats);
      try { parentPort.postMessage({ ok: await (${body})(link, workerData.rank) }); }
      catch (e) { parentPort.postMessage({ error: e.name + ": " + e.message }); }
    });`;
  const results = Array.from({ length: world - 1 }, (_, i) => {
    const w = new Worker(source, {
      eval: true,
      workerData: { url: pathToFileURL(LINK_JS).href, buffer, rank: i + 1, world, floats },
    });
    return new Promise<unknown>((res, rej) => {
      w.once("message", (m: { ok?: unknown; error?: string }) => {
        void w.terminate();
        if (m.error !== undefined) rej(new Error(m.error));
        else res(m.ok);
      });
      w.once("error", rej);
    });
  });
  const link = new SharedLink(buffer, 0, world, floats);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function(`return ${body}`)() as (l: unknown, r: number) => Promise<unknown>;
  let mine: unknown;
  try {
    mine = { ok: await fn(link, 0) };
  } catch (e) {
    mine = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  const others = await Promise.allSettled(results);
  return [
    mine,
    ...others.map((o) =>
      o.status === "fulfilled" ? { ok: o.value } : { error: (o.reason as Error).message },
    ),
  ];
}

describe("SharedLink across worker threads", () => {
  it("sums and exchanges exactly, in rank order, over many rounds (double-buffered slots)", async () => {
    const world = 3;
    const rounds = 200;
    // Each round: a sum64 of (rank+1)·round and an exchange of rank·1000 + round + i.
    const body = `async (link, rank) => {
      let bad = 0;
      for (let k = 0; k < ${rounds}; k++) {
        const s = link.sum64(Float64Array.of((rank + 1) * k, 1));
        if (s[0] !== 6 * k || s[1] !== ${world}) bad++;
        const views = link.exchange32(5, (own) => { for (let i = 0; i < 5; i++) own[i] = rank * 1000 + k + i; });
        for (let r = 0; r < ${world}; r++) for (let i = 0; i < 5; i++) if (views[r][i] !== r * 1000 + k + i) bad++;
      }
      return bad;
    }`;
    const out = await onReplicas(world, 8, body);
    expect(out).toEqual([{ ok: 0 }, { ok: 0 }, { ok: 0 }]);
  });

  it("makes the other replicas' calls throw once one aborts, instead of waiting forever", async () => {
    const body = `async (link, rank) => {
      if (rank === 1) { link.abort(); return "aborted"; }
      link.sum64(Float64Array.of(1));
      return "not reached";
    }`;
    const out = (await onReplicas(2, 1, body)) as { ok?: string; error?: string }[];
    expect(out[1]).toEqual({ ok: "aborted" });
    expect(out[0]!.error).toMatch(/ReplicaAbortedError/);
  });
});

/** Categorical rows over `k` values, skewed so that the rate terms differ between shards. */
function categoricalRows(rows: number, k: number, seed: number): Dataset {
  const u = uniforms(seed);
  const values = new Float32Array(rows);
  for (let i = 0; i < rows; i++) values[i] = Math.floor(k * u() ** 2);
  return { source: "skewed", rows, dim: 1, values };
}

function maxAbsDiff(a: NamedWeights, b: NamedWeights): number {
  let m = 0;
  for (const k of Object.keys(a)) {
    const x = a[k]!.values;
    const y = b[k]!.values;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

describe("trainModel with workers", () => {
  // distortion² + rate: not linear in the minibatch means, so replicas that each applied
  // the objective to their own shard's means would take another step (here they would end
  // 3e-3 away, against the 6e-5 rounding bound below).
  const product: ObjectiveExpr = {
    op: "binary",
    fn: "add",
    lhs: { op: "binary", fn: "mul", lhs: term("distortion"), rhs: term("distortion") },
    rhs: term("rate"),
  };
  const k = 12;
  const base = brokenElboIR(k);
  const ir: ModelIR = { ...base, objective: { source: "D² + R", expr: product, linear: null } };
  // 65 rows in minibatches of 32: the last minibatch has one row, so with 2 or more
  // workers some replicas have no rows in that step.
  const data: DatasetSplits = { train: categoricalRows(65, k, 3), entropy: null };
  const lr = 1;

  async function sgdRun(workers: number, backend: "wasm" | "cpu", steps: number) {
    const config = train({
      ...ir.train,
      optimizer: { name: "sgd", lr },
      batch: 32,
      epochs: 10,
      backend,
      workers,
    });
    return trainModel(ir, data, config, {}, { maxSteps: steps, evaluate: false });
  }

  const steps = 24;

  for (const backend of ["wasm", "cpu"] as const) {
    it(`takes the full-minibatch SGD steps with 2 and 3 replicas (${backend}, enumerate, D² + R)`, async () => {
      const initial = await sgdRun(1, backend, 0);
      const alone = await sgdRun(1, backend, steps);
      const moved = maxAbsDiff(alone.weights, initial.weights);
      expect(moved).toBeGreaterThan(0.1);
      for (const workers of [2, 3]) {
        const parallel = await sgdRun(workers, backend, steps);
        expect(parallel.workers).toBe(workers);
        // The same sums in another order: per step a gradient entry is rounded along a
        // sum over at most 32 rows and 12 states, on values bounded by the total move.
        expect(maxAbsDiff(parallel.weights, alone.weights)).toBeLessThan(
          f32Bound(steps * (32 + k), moved),
        );
      }
    });
  }

  it("splits Adam's update between the replicas and still takes the one-thread steps (wasm)", async () => {
    const adamRun = (workers: number, steps: number) =>
      trainModel(
        ir,
        data,
        train({
          ...ir.train,
          optimizer: { name: "adam", lr: 0.01 },
          batch: 32,
          epochs: 10,
          backend: "wasm",
          workers,
        }),
        {},
        { maxSteps: steps, evaluate: false },
      );
    const initial = await adamRun(1, 0);
    const alone = await adamRun(1, steps);
    const names = Object.keys(alone.weights);
    expect(names.length).toBeGreaterThanOrEqual(3); // so every replica owns a variable
    const pick = (w: NamedWeights, n: string) => ({ [n]: w[n]! });
    for (const workers of [2, 3]) {
      const parallel = await adamRun(workers, steps);
      for (const n of names) {
        // Each replica updates only the variables it owns and sends them to the others: a
        // variable whose update went missing would be off by its whole move. Rounding
        // differs (sums in another order), and Adam's m/√v turns a gradient's relative
        // rounding into the same relative change of the step, compounded over the steps;
        // measured ~6e-5 of the move, so a thousandth separates the two cases.
        const move = maxAbsDiff(pick(alone.weights, n), pick(initial.weights, n));
        expect(move).toBeGreaterThan(0);
        expect(maxAbsDiff(pick(parallel.weights, n), pick(alone.weights, n))).toBeLessThan(
          1e-3 * move,
        );
      }
    }
  });

  it("is reproducible, leaks no tensors, and keeps the replicas' weights identical (reparam)", async () => {
    const vae = mnistVaeIR(16, 8, 2);
    const u = uniforms(7);
    const values = Float32Array.from({ length: 300 * 16 }, () => (u() < 0.3 ? 1 : 0));
    const splits: DatasetSplits = {
      train: { source: "bits", rows: 300, dim: 16, values },
      test: { source: "bits-test", rows: 100, dim: 16, values: values.slice(0, 1600) },
      entropy: null,
    };
    const config = train({ batch: 50, epochs: 2, backend: "wasm", workers: 2 });
    const before = tf.memory().numTensors;
    const logs: string[] = [];
    const a = await trainModel(vae, splits, config, { log: (m) => logs.push(m) });
    expect(tf.memory().numTensors).toBe(before);
    const b = await trainModel(vae, splits, config);
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    expect(a.history.map((h) => h.test!.elbo)).toEqual(b.history.map((h) => h.test!.elbo));
    expect(logs.some((l) => /workers: 2 data-parallel replicas/.test(l))).toBe(true);
    // The epoch metrics are sums over both replicas' evaluation batches: finite, ELBO < 0.
    for (const h of a.history) expect(h.test!.elbo).toBeLessThan(0);
  });
});

describe("diagnoseModel with workers", () => {
  it("gives the importance-sampled log p(x) of one thread, bit for bit, with 2 and 3 threads", async () => {
    const vae = mnistVaeIR(16, 8, 2);
    const u = uniforms(11);
    const rows = 257;
    const values = Float32Array.from({ length: rows * 16 }, () => (u() < 0.3 ? 1 : 0));
    const data: Dataset = { source: "bits", rows, dim: 16, values };
    const trained = await trainModel(
      vae,
      { train: data, entropy: null },
      train({ batch: 50, epochs: 1, backend: "wasm" }),
    );
    // A small element budget makes many row blocks, so the parts split between blocks.
    const opts = { samples: 1, seed: 3, backend: "wasm", iwSamples: 40, elementBudget: 4096 };
    const one = await diagnoseModel(vae, trained.weights, data, opts);
    expect(one.log_likelihood).not.toBeNull();
    for (const workers of [2, 3]) {
      const more = await diagnoseModel(vae, trained.weights, data, { ...opts, workers });
      expect(more.log_likelihood).toBe(one.log_likelihood);
    }
  });
});
