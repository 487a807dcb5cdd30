// Measurements of Vaelang's own trainer, one task per process so that peak RSS and the
// process-wide kernel registrations belong to that task alone. Run by bench/run.mjs:
//   node bench/ours.mjs TASK 'JSON-OPTIONS'
// Prints one JSON object on the last stdout line. Needs `npm run build` (imports dist/).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median, peakRssMiB, stepWindows } from "./stats.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(resolve(root, "dist/src", p));

const { compileFile, renderCompileDiagnostics } = await dist("frontend.js");
const { resolveDataset } = await dist("data/index.js");
const { trainModel, evaluateModel } = await dist("engine/train.js");
const { initBackend, loadTf, setWasmKernelOverrides } = await dist("backends/tfjs/backend.js");

const EXAMPLE = resolve(root, "examples/mnist-vae.vae");

function compile(opts = {}) {
  const r = compileFile(EXAMPLE, opts);
  if (r.ir === undefined) throw new Error(renderCompileDiagnostics(r));
  return r.ir;
}

async function loadData(ir) {
  const r = await resolveDataset(ir.train.dataset, ir.data, { baseDir: dirname(EXAMPLE) });
  if (r.value === undefined) throw new Error(r.diagnostics.map((d) => d.code).join(", "));
  return r.value;
}

function firstRows(ds, rows) {
  return { ...ds, rows, values: ds.values.subarray(0, rows * ds.dim) };
}

/**
 * Training throughput: one run of `warmup + blocks * steps` optimisation steps without
 * evaluation; samples/s of each block of `steps` steps after the warm-up (timestamps from
 * the onStep hook, so data upload and model construction are outside every block), and
 * tf.memory().numTensors at the end of the warm-up and after the last step.
 */
async function train(o) {
  const ir = compile();
  const data = await loadData(ir);
  const tf = await loadTf();
  const config = {
    ...ir.train,
    batch: o.batch,
    epochs: 1e6,
    backend: o.backend ?? "wasm",
    workers: o.workers ?? 1,
  };
  const marks = [];
  let tensorsBefore = null;
  let tensorsAfter = null;
  const total = o.warmup + o.blocks * o.steps;
  let reason = "";
  let cpuStart;
  let cpu;
  const result = await trainModel(
    ir,
    data,
    config,
    {
      log: (m) => {
        if (m.startsWith("backend:")) reason = m.slice("backend:".length).trim();
        process.stderr.write(`${m}\n`);
      },
      onStep: () => {
        marks.push(performance.now());
        if (marks.length === o.warmup) {
          tensorsBefore = tf.memory().numTensors;
          cpuStart = process.cpuUsage();
        }
        if (marks.length === total) {
          cpu = process.cpuUsage(cpuStart);
          tensorsAfter = tf.memory().numTensors;
        }
      },
    },
    { maxSteps: total, evaluate: false },
  );
  const windows = stepWindows(marks, o.warmup, o.steps);
  const sps = windows.map((ms) => (o.steps * o.batch) / (ms / 1000));
  return {
    backend: result.backend,
    backend_reason: reason,
    batch: o.batch,
    warmup: o.warmup,
    steps_per_block: o.steps,
    blocks: sps,
    samples_per_second: median(sps),
    ms_per_step: median(windows) / o.steps,
    // Timed rows per second of CPU time (user + system, all threads of the process): less
    // sensitive than wall time to other processes sharing the machine.
    samples_per_cpu_second: (o.blocks * o.steps * o.batch) / ((cpu.user + cpu.system) / 1e6),
    tensors_before: tensorsBefore,
    tensors_after: tensorsAfter,
    tensors_steps: o.blocks * o.steps,
    peak_rss_mib: peakRssMiB(),
  };
}

/**
 * Kernel time of each kernel kind over `steps` training steps (tf.profile; the wasm
 * backend times every kernel synchronously), after `warmup` unprofiled steps.
 */
async function profile(o) {
  const ir = compile();
  const data = await loadData(ir);
  const tf = await loadTf();
  const config = { ...ir.train, batch: o.batch, epochs: 1e6, backend: "wasm" };
  await trainModel(ir, data, config, {}, { maxSteps: o.warmup, evaluate: false });
  // Otherwise the profiler reads every kernel's output back to look for NaNs, which also
  // evicts caches between kernels and inflates their times.
  tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", false);
  let stepStart = 0;
  let stepMs = 0;
  let counted = 0;
  const info = await tf.profile(async () => {
    await trainModel(
      ir,
      data,
      config,
      {
        onStep: () => {
          const t = performance.now();
          if (stepStart > 0) {
            stepMs += t - stepStart;
            counted++;
          }
          stepStart = t;
        },
      },
      { maxSteps: o.steps + 1, evaluate: false },
    );
  });
  const byKernel = {};
  for (const k of info.kernels) {
    const e = (byKernel[k.name] ??= { calls: 0, ms: 0 });
    e.calls++;
    e.ms += k.kernelTimeMs;
  }
  // The profiled run also uploads the data and builds the model; only kernels count here,
  // and the one-off upload/initialisation kernels are small next to `steps` steps.
  return {
    batch: o.batch,
    steps: o.steps + 1,
    profiled_ms_per_step: stepMs / counted,
    kernels: byKernel,
  };
}

/**
 * tf.matMul of [m,k]·[k,n] on the wasm backend: with the overrides installed, as in
 * training, or with `stock`, tfjs-backend-wasm's own kernel (XNNPACK).
 */
async function matmul(o) {
  await initBackend("wasm");
  if (o.stock) setWasmKernelOverrides(false);
  const tf = await loadTf();
  const out = [];
  for (const [m, k, n] of o.shapes) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    const run = (times) => {
      const t0 = performance.now();
      for (let i = 0; i < times; i++) tf.matMul(a, b).dispose();
      return performance.now() - t0;
    };
    run(o.warmup);
    const perCall = [];
    for (let r = 0; r < o.reps; r++) perCall.push(run(o.calls) / o.calls);
    a.dispose();
    b.dispose();
    const ms = median(perCall);
    out.push({ m, k, n, ms, gflops: (2 * m * k * n) / (ms / 1000) / 1e9 });
  }
  return { backend: tf.getBackend(), shapes: out };
}

/**
 * Importance-weighted evaluation: the model compiled with `objective iwae(k: K)` and
 * evaluated on the first `points` test rows with `evaluateModel`; the reported loss is
 * −iw_bound(K), an estimate of −log p(x).
 */
async function iwae(o) {
  const ir = compile();
  const data = await loadData(ir);
  const test = firstRows(data.test, o.points);
  // Trained weights, so that q(z|x) is a real posterior approximation and the bound means
  // something; the cost of the pass does not depend on the weights.
  const w = await trainedWeights(ir, data, o.trainSteps);
  const out = [];
  for (const k of o.ks) {
    const irK = compile({ objective: `iwae(k: ${k})` });
    const opts = { samples: 1, seed: 0, batch: o.evalBatch, backend: "wasm" };
    await evaluateModel(irK, w, firstRows(test, Math.min(o.points, o.evalBatch)), opts);
    const times = [];
    let metrics;
    for (let r = 0; r < o.reps; r++) {
      const t0 = performance.now();
      metrics = await evaluateModel(irK, w, test, opts);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    out.push({
      k,
      ms,
      runs: times,
      points_per_second: o.points / (ms / 1000),
      nll: metrics.loss,
      elbo: metrics.elbo,
    });
  }
  return {
    points: o.points,
    eval_batch: o.evalBatch,
    train_steps: o.trainSteps,
    results: out,
    peak_rss_mib: peakRssMiB(),
  };
}

async function trainedWeights(ir, data, steps) {
  const config = { ...ir.train, epochs: 1e6, backend: "wasm" };
  const r = await trainModel(ir, data, config, {}, { maxSteps: steps, evaluate: false });
  return r.weights;
}

/** Training time of one full epoch (no evaluation) on the first `rows` training rows. */
async function scaling(o) {
  const ir = compile();
  const data = await loadData(ir);
  const config = { ...ir.train, epochs: 1, backend: "wasm" };
  await trainModel(
    ir,
    { ...data, train: firstRows(data.train, o.rows[0]) },
    config,
    {},
    {
      maxSteps: o.warmup,
      evaluate: false,
    },
  );
  const out = [];
  for (const rows of o.rows) {
    const subset = { ...data, train: firstRows(data.train, rows) };
    const times = [];
    for (let r = 0; r < o.reps; r++) {
      const result = await trainModel(ir, subset, config, {}, { evaluate: false });
      times.push(rows / result.samples_per_second);
    }
    out.push({ rows, seconds: median(times), runs: times });
  }
  return { batch: config.batch, results: out };
}

const tasks = { train, profile, matmul, iwae, scaling };
const [task, json] = process.argv.slice(2);
if (!(task in tasks)) {
  process.stderr.write(`usage: node bench/ours.mjs ${Object.keys(tasks).join("|")} 'JSON'\n`);
  process.exit(2);
}
const result = await tasks[task](JSON.parse(json ?? "{}"));
process.stdout.write(`${JSON.stringify(result)}\n`);
