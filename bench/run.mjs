// The benchmark harness: runs every measurement in its own child process, one after the
// other, and writes docs/benchmarks.md (generated; do not edit by hand) plus the raw
// results as JSON under runs/bench/.
//
//   npm run bench                 # build, then the full run (about 10 minutes on 2 cores)
//   node bench/run.mjs --quick    # a fast smoke run with few steps (numbers meaningless)
//   node bench/run.mjs --out FILE # write the report elsewhere
//   node bench/run.mjs --from runs/bench/latest.json  # only rewrite the report
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measureCompare, measureInspect } from "./inspect.mjs";
import { median } from "./stats.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let quick = args.includes("--quick");
const outIdx = args.indexOf("--out");
const outFile = resolve(root, outIdx >= 0 ? args[outIdx + 1] : "docs/benchmarks.md");
const PYTHON = "/usr/bin/python3";
const TORCH = "bench/peers/torch_vae.py";
const WITH_OPENBLAS = "bench/peers/with-openblas.sh";
const NPROC = os.availableParallelism?.() ?? os.cpus().length;

/** Step counts and repetitions; --quick shrinks them to check the harness end to end. */
const plan = quick
  ? {
      rounds: 2,
      tensors: { batch: 100, warmup: 5, steps: 10, blocks: 3 },
      train100: { batch: 100, warmup: 5, steps: 10, blocks: 2 },
      train1000: { batch: 1000, warmup: 2, steps: 3, blocks: 3 },
      profile: { batch: 100, warmup: 5, steps: 10 },
      matmul: { warmup: 2, calls: 3, reps: 3 },
      iwae: { ks: [10, 25, 50], points: 200, evalBatch: 200, reps: 1, trainSteps: 10 },
      scaling: { rows: [1000, 2000, 4000], reps: 1, warmup: 5 },
      naive: { batch: 100, warmup: 3, steps: 5, blocks: 2 },
      torch: { steps: 20, warmup: 5 },
      torch1000: { steps: 5, warmup: 2 },
      torchStock: { steps: 5, warmup: 2 },
      webgpu: { batch: 100, warmup: 2, steps: 3, blocks: 2 },
      check: { reps: 2 },
      compare: {
        file: "examples/broken-elbo-toy.vae",
        objectives: ["elbo", "beta_vae(beta: 0.5)", "beta_vae(beta: 2)", "infomax(lambda: 1)"],
        epochs: 1,
        reps: 1,
      },
      inspect: { reps: 2 },
    }
  : {
      rounds: 3,
      tensors: { batch: 100, warmup: 20, steps: 200, blocks: 5 },
      train100: { batch: 100, warmup: 300, steps: 150, blocks: 2 },
      train1000: { batch: 1000, warmup: 30, steps: 15, blocks: 3 },
      // Warm-ups long enough for V8 to move the generated matmul kernels from its baseline
      // compiler to the optimising one (after their first calls).
      profile: { batch: 100, warmup: 100, steps: 40 },
      matmul: { warmup: 30, calls: 10, reps: 7 },
      iwae: { ks: [10, 25, 50], points: 2000, evalBatch: 200, reps: 3, trainSteps: 200 },
      scaling: { rows: [10000, 20000, 40000], reps: 3, warmup: 20 },
      naive: { batch: 100, warmup: 50, steps: 30, blocks: 2 },
      torch: { steps: 200, warmup: 300 },
      torch1000: { steps: 20, warmup: 30 },
      torchStock: { steps: 30, warmup: 5 },
      webgpu: { batch: 100, warmup: 5, steps: 10, blocks: 3 },
      check: { reps: 5 },
      // Four objectives of the MNIST VAE, one epoch each: the runs a β comparison makes.
      compare: {
        file: "examples/mnist-vae.vae",
        objectives: ["elbo", "beta_vae(beta: 0.5)", "beta_vae(beta: 2)", "infomax(lambda: 1)"],
        epochs: 1,
        reps: 1,
      },
      inspect: { reps: 5 },
    };

/** Matmul FLOPs of one training step, forward + backward (see docs/benchmarks.md). */
const stepFlops = (b) => 3 * 2 * b * (784 * 400 + 400 * 40 + 20 * 400 + 400 * 784);
/** The products a step really computes: no input gradient for the first layer. */
const matmulFlops = (b) => stepFlops(b) - 2 * b * 784 * 400;

const log = (m) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const load = () => os.loadavg()[0].toFixed(2);

/** Runs a child; its last stdout line is JSON. Returns { value } or { error }. */
function child(label, cmd, argv, { timeoutS = 300, env } = {}) {
  log(`${label} … (load ${load()})`);
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd: root,
    encoding: "utf8",
    timeout: timeoutS * 1000,
    maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error?.code === "ETIMEDOUT" || r.signal === "SIGTERM") {
    log(`${label}: timed out after ${timeoutS}s`);
    return { error: `timed out after ${timeoutS} s`, seconds };
  }
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.trim() !== "");
  if (r.status !== 0 || lines.length === 0) {
    const errLines = (r.stderr ?? "").trim().split("\n");
    // The thrown error's message says more than the stack below it.
    const why =
      errLines.find((l) => /^\w*Error: /.test(l)) ??
      (errLines.slice(-3).join(" / ") || `exit ${r.status}`);
    log(`${label}: failed: ${why}`);
    return { error: why, seconds, status: r.status, stderr: r.stderr };
  }
  try {
    const value = JSON.parse(lines[lines.length - 1]);
    log(`${label}: done in ${seconds.toFixed(1)} s`);
    return { value, seconds };
  } catch {
    return { error: `no JSON on the last line: ${lines[lines.length - 1].slice(0, 200)}`, seconds };
  }
}

const ours = (task, opts, extra) =>
  child(`ours ${task}`, process.execPath, ["bench/ours.mjs", task, JSON.stringify(opts)], extra);

// --- machine -----------------------------------------------------------------------------

function readJson(p) {
  return JSON.parse(readFileSync(resolve(root, p), "utf8"));
}

function gitCommit() {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) return null;
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: root,
    encoding: "utf8",
  });
  return r.stdout.trim() + (dirty.stdout?.trim() ? " (with uncommitted changes)" : "");
}

function torchProbe() {
  const r = spawnSync(PYTHON, ["-c", "import torch, numpy; print(torch.__version__)"], {
    encoding: "utf8",
  });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}

function openblasAvailable() {
  const r = spawnSync("sh", [WITH_OPENBLAS, "true"], { cwd: root, encoding: "utf8" });
  return r.status === 0;
}

/** Runs every measurement; returns what the report needs. */
async function measure() {
  const machine = {
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown",
    cores: NPROC,
    ramGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    tfjs: readJson("node_modules/@tensorflow/tfjs/package.json").version,
    tfjsWasm: readJson("node_modules/@tensorflow/tfjs-backend-wasm/package.json").version,
    torch: torchProbe(),
    commit: gitCommit(),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    loadStart: os.loadavg(),
  };
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, torch ${machine.torch ?? "absent"}`,
  );
  const useOpenblas = machine.torch !== null && openblasAvailable();

  // --- measurements ------------------------------------------------------------------------

  const t0 = performance.now();
  const R = {};

  function torchRun(label, { threads, batch = 100, steps, warmup, openblas }) {
    const argv = [
      TORCH,
      "--json",
      "--no-eval",
      "--threads",
      String(threads),
      "--batch",
      String(batch),
    ];
    argv.push("--steps", String(steps), "--warmup-steps", String(warmup));
    const r = openblas
      ? child(label, "sh", [WITH_OPENBLAS, PYTHON, ...argv], { timeoutS: 180 })
      : child(label, PYTHON, argv, { timeoutS: 180 });
    if (r.value)
      r.value.samples_per_cpu_second = (r.value.steps * r.value.batch) / r.value.train_cpu_seconds;
    return r;
  }

  /**
   * Per-process results of one configuration gathered over the rounds: the median of the
   * per-process samples/s, the first failure if any.
   */
  function collect(runs) {
    const ok = runs.filter((r) => r.error === undefined).map((r) => r.value);
    if (ok.length === 0) return { error: runs[0]?.error ?? "no runs" };
    return {
      ...ok[0],
      runs: ok,
      samples_per_second: median(ok.map((x) => x.samples_per_second)),
      samples_per_cpu_second: median(ok.map((x) => x.samples_per_cpu_second)),
      blocks: ok.flatMap((x) => x.blocks ?? []),
      peak_rss_mib: Math.max(...ok.map((x) => x.peak_rss_mib ?? 0)),
    };
  }

  // The batch-100 comparison runs in rounds, every trainer once per round, so that a burst of
  // outside load on a shared machine hits all of them rather than one.
  const rounds = {
    ours: [],
    oursWorkers: [],
    naive: [],
    naiveOverrides: [],
    torch1: [],
    torchN: [],
  };
  for (let round = 1; round <= plan.rounds; round++) {
    log(`round ${round} of ${plan.rounds}`);
    rounds.ours.push(ours("train", plan.train100));
    if (NPROC > 1) rounds.oursWorkers.push(ours("train", { ...plan.train100, workers: NPROC }));
    rounds.naive.push(
      child("tfjs naive", process.execPath, [
        "bench/peers/tfjs_naive.mjs",
        JSON.stringify(plan.naive),
      ]),
    );
    rounds.naiveOverrides.push(
      child("tfjs naive + overrides", process.execPath, [
        "bench/peers/tfjs_naive.mjs",
        JSON.stringify({ ...plan.naive, overrides: true }),
      ]),
    );
    if (machine.torch !== null) {
      rounds.torch1.push(
        torchRun("torch 1 thread", { threads: 1, ...plan.torch, openblas: useOpenblas }),
      );
      rounds.torchN.push(
        torchRun(`torch ${NPROC} threads`, {
          threads: NPROC,
          ...plan.torch,
          openblas: useOpenblas,
        }),
      );
    }
  }
  R.train100 = collect(rounds.ours);
  R.train100Workers = NPROC > 1 ? collect(rounds.oursWorkers) : { skipped: "one core" };
  R.naive = collect(rounds.naive);
  R.naiveOverrides = collect(rounds.naiveOverrides);
  const torchMissing = { missing: true };
  R.torch1 = machine.torch === null ? torchMissing : collect(rounds.torch1);
  R.torchN = machine.torch === null ? torchMissing : collect(rounds.torchN);

  // numTensors over 1,000 steps of one training run (and its throughput, for the record).
  R.tensors = ours("train", plan.tensors);
  R.train1000 = ours("train", plan.train1000);
  R.torch1b1000 =
    machine.torch === null
      ? torchMissing
      : collect(
          Array.from({ length: plan.rounds }, () =>
            torchRun("torch 1 thread batch 1000", {
              threads: 1,
              batch: 1000,
              ...plan.torch1000,
              openblas: useOpenblas,
            }),
          ),
        );
  R.torchStock = !useOpenblas
    ? { skipped: true }
    : collect(
        Array.from({ length: plan.rounds }, () =>
          torchRun("torch 1 thread stock BLAS", {
            threads: 1,
            ...plan.torchStock,
            openblas: false,
          }),
        ),
      );
  R.profile = ours("profile", plan.profile);
  R.matmul = ours("matmul", {
    shapes: [
      [100, 784, 400],
      [1000, 784, 400],
    ],
    ...plan.matmul,
  });
  R.matmulStock = ours("matmul", {
    shapes: [
      [100, 784, 400],
      [1000, 784, 400],
    ],
    stock: true,
    ...plan.matmul,
  });
  R.iwae = ours("iwae", plan.iwae, { timeoutS: 600 });
  R.scaling = ours("scaling", plan.scaling, { timeoutS: 600 });

  // An optional GPU row: only when the backend knows the name and an adapter exists.
  {
    const { isBackendName } = await import(resolve(root, "dist/src/backends/tfjs/backend.js"));
    if (!isBackendName("webgpu")) {
      R.webgpu = { skipped: "this build has no webgpu backend" };
    } else {
      const r = ours("train", { ...plan.webgpu, backend: "webgpu" }, { timeoutS: 300 });
      R.webgpu = r.error !== undefined ? { skipped: r.error } : r;
    }
  }

  function checkTimes() {
    const files = readdirSync(resolve(root, "examples"))
      .filter((f) => f.endsWith(".vae"))
      .sort();
    log(`vae check × ${files.length} examples … (load ${load()})`);
    return files.map((f) => {
      const file = `examples/${f}`;
      const once = () => {
        const s = performance.now();
        const r = spawnSync(process.execPath, ["bin/vae.js", "check", file], { cwd: root });
        return { ms: performance.now() - s, status: r.status };
      };
      once();
      const runs = Array.from({ length: plan.check.reps }, once);
      return { file, ms: median(runs.map((r) => r.ms)), status: runs[0].status };
    });
  }
  R.check = checkTimes();
  {
    const c = measureCompare(root, plan.compare, NPROC, log);
    R.compare = c.result;
    R.inspect = c.checkpoint
      ? measureInspect(root, c.checkpoint, plan.inspect.reps, log)
      : { error: "no trained model (vae compare failed)" };
  }
  machine.loadEnd = os.loadavg();
  const totalSeconds = (performance.now() - t0) / 1000;
  log(`measurements done in ${totalSeconds.toFixed(0)} s`);
  return { machine, results: R, totalSeconds };
}

const fromIdx = args.indexOf("--from");
// --from FILE rewrites the report from the raw results of an earlier run.
const saved =
  fromIdx >= 0
    ? JSON.parse(readFileSync(resolve(root, args[fromIdx + 1]), "utf8"))
    : await measure();
const { machine, results: R, totalSeconds } = saved;
if (saved.plan !== undefined) Object.assign(plan, saved.plan);
if (saved.quick) quick = true;
const rawDir = resolve(root, "runs/bench");
if (fromIdx < 0) {
  mkdirSync(rawDir, { recursive: true });
  writeFileSync(
    resolve(rawDir, quick ? "quick.json" : "latest.json"),
    JSON.stringify({ machine, plan, quick, results: R, totalSeconds }, null, 2),
  );
}

// --- report ------------------------------------------------------------------------------

const v = (r) => (r && r.error === undefined && !r.missing && !r.skipped ? (r.value ?? r) : null);
const fmt = (x, d = 0) =>
  x === null || x === undefined || Number.isNaN(x)
    ? "—"
    : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const ratio = (a, b) => (a && b ? a / b : null);
const pf = (ok) => (ok === null ? "n/a" : ok ? "**pass**" : "**FAIL**");
const why = (r) =>
  r?.missing
    ? "not installed (apt-get install python3-torch)"
    : r?.skipped
      ? typeof r.skipped === "string"
        ? `skipped: ${r.skipped}`
        : "skipped"
      : r?.error
        ? `failed: ${String(r.error).slice(0, 120)}`
        : "—";
const blasName = (r) => {
  const b = (r?.blas ?? []).join(" ");
  if (b.includes("openblas")) return "OpenBLAS";
  if (b.includes("mkl")) return "MKL";
  if (b.includes("blas")) return "reference BLAS";
  return "unknown BLAS";
};

const t100 = v(R.train100);
const t100w = v(R.train100Workers);
const tens = v(R.tensors);
const t1000 = v(R.train1000);
const naive = v(R.naive);
const naiveO = v(R.naiveOverrides);
const torch1 = v(R.torch1);
const torchN = v(R.torchN);
const torch1k = v(R.torch1b1000);
const torchStock = v(R.torchStock);
const prof = v(R.profile);
const mm = v(R.matmul);
const iw = v(R.iwae);
const sc = v(R.scaling);

const peak100 = mm?.shapes.find((s) => s.m === 100);
const peak1000 = mm?.shapes.find((s) => s.m === 1000);
const mmStock = v(R.matmulStock);
const stock100 = mmStock?.shapes.find((s) => s.m === 100);
const stock1000 = mmStock?.shapes.find((s) => s.m === 1000);
/** Achieved GFLOP/s of the whole step: FLOPs(B) over the step time B / (samples/s). */
const gflops = (t, b) => (t ? (stepFlops(b) * t.samples_per_second) / b / 1e9 : null);
const g100 = gflops(t100, 100);
const gflopsCpu = t100?.samples_per_cpu_second
  ? (stepFlops(100) * t100.samples_per_cpu_second) / 100 / 1e9
  : null;
const g1000 = gflops(t1000, 1000);
const matmulKernelMs = prof
  ? Object.entries(prof.kernels)
      .filter(([k]) => /MatMul/.test(k))
      .reduce((s, [, e]) => s + e.ms, 0) / prof.steps
  : null;
const allKernelMs = prof
  ? Object.values(prof.kernels).reduce((s, e) => s + e.ms, 0) / prof.steps
  : null;
const matmulGflopsBound = matmulKernelMs ? stepFlops(100) / (matmulKernelMs / 1000) / 1e9 : null;
const matmulGflops = matmulKernelMs ? matmulFlops(100) / (matmulKernelMs / 1000) / 1e9 : null;
const matmulShare = ratio(matmulGflops, peak100?.gflops);
const matmulShareBound = ratio(matmulGflopsBound, peak100?.gflops);

const rOursNaive = ratio(t100?.samples_per_second, naive?.samples_per_second);
const rOursTorch1 = ratio(t100?.samples_per_second, torch1?.samples_per_second);
const rWorkersTorch1 = ratio(t100w?.samples_per_second, torch1?.samples_per_second);
const rWorkersOurs = ratio(t100w?.samples_per_second, t100?.samples_per_second);
const rOursTorchN = ratio(t100?.samples_per_second, torchN?.samples_per_second);
const tensorsFlat = tens ? tens.tensors_after === tens.tensors_before : null;

// Linearity: epoch time proportional to rows (per-row cost within 15 % across sizes);
// IWAE cost affine in k (a k-independent encoder pass plus k decoder passes): the middle
// point within 10 % of the straight line through the ends.
const perRow = sc?.results.map((r) => r.seconds / r.rows) ?? [];
const rowsLinear = perRow.length ? Math.max(...perRow) / Math.min(...perRow) <= 1.15 : null;
function affineDeviation(pts) {
  if (pts.length < 3) return null;
  const [a, m, b] = [pts[0], pts[Math.floor(pts.length / 2)], pts[pts.length - 1]];
  const line = a.y + ((b.y - a.y) * (m.x - a.x)) / (b.x - a.x);
  return Math.abs(m.y - line) / line;
}
const iwPts = iw?.results.map((r) => ({ x: r.k, y: r.ms })) ?? [];
const iwDev = affineDeviation(iwPts);
const iwLinear = iwDev === null ? null : iwDev <= 0.1;
const compareRatio =
  R.compare && R.compare.error === undefined
    ? R.compare.parallel_seconds / R.compare.sequential_seconds
    : null;
const inspectTimes = [R.inspect?.sample?.seconds, R.inspect?.reconstruct?.seconds];
const inspectMax = inspectTimes.every((t) => typeof t === "number")
  ? Math.max(...inspectTimes)
  : null;
const checkOk = R.check.length ? R.check.every((c) => c.ms < 300 && c.status === 0) : null;

const rel = (p) => relative(root, p);
const torchRow = (name, r, res) => {
  const x = v(r);
  return x
    ? `| ${name} | ${blasName(x)}, ${x.threads} thread${x.threads > 1 ? "s" : ""} | ${fmt(x.samples_per_second)} | ${fmt(ratio(res?.samples_per_second, x.samples_per_second), 2)}× | ${cpuCols(x, res)} |`
    : `| ${name} | | ${why(r)} | | | |`;
};
const cpuCols = (x, res) =>
  `${fmt(x?.samples_per_cpu_second)} | ${fmt(ratio(res?.samples_per_cpu_second, x?.samples_per_cpu_second), 2)}×`;
const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(" / ");

const md = [];
md.push(
  "# Benchmarks",
  "",
  "<!-- Generated by `npm run bench` (bench/run.mjs); edits are overwritten. -->",
  "",
  "Training throughput, kernel efficiency, memory and scaling of the trainer on the reference",
  "workload `examples/mnist-vae.vae` (784-400-20 tanh MLPs, Bernoulli decoder, analytic KL,",
  "Adam, L = 1) on the bundled binarized MNIST (50,000 training rows), next to peers run in",
  "the same session. Every measurement runs in its own process, one after the other.",
  "",
  "## Machine",
  "",
  "| | |",
  "|---|---|",
  `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
  `| RAM | ${fmt(machine.ramGiB, 1)} GiB |`,
  `| OS | ${machine.platform} |`,
  `| Node | ${machine.node} |`,
  `| tfjs | ${machine.tfjs} (backend-wasm ${machine.tfjsWasm}; single-threaded SIMD under Node) |`,
  `| PyTorch | ${machine.torch ?? "not installed (apt-get install python3-torch)"}${torch1 ? ` (${blasName(torch1)})` : ""} |`,
  `| Date | ${machine.date} |`,
  `| Commit | ${machine.commit ?? "unknown"} |`,
  `| Command | \`npm run bench\`${quick ? " (`--quick`: smoke run, numbers not meaningful)" : ""} |`,
  `| Load average (1 min) at start / end | ${fmtLoad([machine.loadStart[0], machine.loadEnd[0]])} |`,
  `| Wall time of the measurements | ${fmt(totalSeconds)} s |`,
  "",
  "All figures are medians. Every throughput process runs a warm-up, then times blocks of",
  "consecutive steps (PyTorch: `--warmup-steps`, then one block); a process's figure is the",
  "median of its blocks, a configuration's the median over its processes. Warm-up:",
  `${plan.train100.warmup} steps at batch 100 and ${plan.train1000.warmup} at batch 1000 for Vaelang and PyTorch alike,`,
  `${plan.naive.warmup} for the hand-written tfjs VAE. Vaelang's rate climbs over its first few`,
  "hundred steps while V8 optimises the hot code, its generated matmul kernels included (the",
  `numTensors run below times blocks from step ${plan.tensors.warmup} on); a training epoch is 500 steps. The batch-100`,
  `comparison runs in ${plan.rounds} rounds, each trainer once per round, so that outside load`,
  "hits all of them alike. Data loading, model construction and evaluation are never timed.",
  "Samples per CPU-second divide the timed rows by the process's CPU time (user + system,",
  "all threads): for single-threaded trainers it is what the wall-clock figure would be on",
  "an otherwise idle core, so it is the better comparison when the load average is high.",
  "A load average above the core count means other work shared the machine: the ratios",
  "are more trustworthy than the absolute numbers.",
  "",
  "## Targets",
  "",
  "| Target | Measured | |",
  "|---|---|---|",
  `| ≥ 4× the hand-written tfjs VAE (wasm, stock kernels), batch 100 | ${fmt(rOursNaive, 2)}× | ${pf(rOursNaive === null ? null : rOursNaive >= 4)} |`,
  `| ≥ 0.5× PyTorch CPU, 1 thread (stretch ≥ 1.0×), batch 100, \`workers: ${NPROC}\` (all cores) | ${rWorkersTorch1 === null ? why(t100w ? R.torch1 : R.train100Workers) : `${fmt(rWorkersTorch1, 2)}×`} | ${pf(rWorkersTorch1 === null ? null : rWorkersTorch1 >= 0.5)}${rWorkersTorch1 !== null ? (rWorkersTorch1 >= 1 ? " (stretch met)" : " (stretch not met)") : ""} |`,
  `| (the same, one thread: \`workers: 1\`) | ${rOursTorch1 === null ? why(R.torch1) : `${fmt(rOursTorch1, 2)}×`} | ${pf(rOursTorch1 === null ? null : rOursTorch1 >= 0.5)} |`,
  `| matmul part ≥ 70 % of the wasm matMul roofline | ${fmt(matmulShare === null ? null : 100 * matmulShare, 0)} % | ${pf(matmulShare === null ? null : matmulShare >= 0.7)} |`,
  `| \`tf.memory().numTensors\` flat over ${tens?.tensors_steps ?? "—"} steps | ${tens?.tensors_before ?? "—"} → ${tens?.tensors_after ?? "—"} | ${pf(tensorsFlat)} |`,
  `| epoch time linear in rows (per-row cost within 15 %) | max/min ${fmt(perRow.length ? Math.max(...perRow) / Math.min(...perRow) : null, 2)} | ${pf(rowsLinear)} |`,
  `| IWAE cost linear in k (middle k within 10 % of the line through the ends) | ${fmt(iwDev === null ? null : 100 * iwDev, 1)} % off | ${pf(iwLinear)} |`,
  `| \`vae compare\` of ${plan.compare.objectives.length} runs ≤ 0.6× the same runs one after another | ${compareRatio === null ? (R.compare?.error ?? "—") : `${fmt(compareRatio, 2)}×`} | ${pf(compareRatio === null ? null : compareRatio <= 0.6)} |`,
  `| \`vae sample\` and \`vae reconstruct\` on a trained MNIST model < 2 s | ${inspectMax === null ? (R.inspect?.error ?? "—") : `max ${fmt(inspectMax, 2)} s`} | ${pf(inspectMax === null ? null : inspectMax < 2)} |`,
  `| \`vae check\` < 300 ms for every example | max ${fmt(R.check.length ? Math.max(...R.check.map((c) => c.ms)) : null)} ms | ${pf(checkOk)} |`,
  "",
  "## Training throughput (samples/s, evaluation excluded)",
  "",
  "Batch 100 (the reference configuration):",
  "",
  "| Trainer | Configuration | samples/s | ours ÷ this | samples per CPU-second | ours ÷ this |",
  "|---|---|---:|---:|---:|---:|",
  `| **Vaelang** (\`trainModel\`) | tfjs wasm + kernel overrides | **${fmt(t100?.samples_per_second)}** | 1.00× | ${fmt(t100?.samples_per_cpu_second)} | 1.00× |`,
  t100w
    ? `| **Vaelang**, \`workers: ${NPROC}\` | ${NPROC} data-parallel replicas (worker threads), 100 rows a step in all | **${fmt(t100w.samples_per_second)}** | ${fmt(ratio(t100?.samples_per_second, t100w.samples_per_second), 2)}× | ${cpuCols(t100w, t100)} |`
    : `| Vaelang, \`workers: ${NPROC}\` | | ${why(R.train100Workers)} | | | |`,
  naive
    ? `| hand-written tfjs VAE (\`bench/peers/tfjs_naive.mjs\`) | tfjs wasm, stock kernels | ${fmt(naive.samples_per_second)} | ${fmt(rOursNaive, 2)}× | ${cpuCols(naive, t100)} |`
    : `| hand-written tfjs VAE | | ${why(R.naive)} | | | |`,
  naiveO
    ? `| same, with Vaelang's wasm kernel overrides | tfjs wasm + overrides | ${fmt(naiveO.samples_per_second)} | ${fmt(ratio(t100?.samples_per_second, naiveO.samples_per_second), 2)}× | ${cpuCols(naiveO, t100)} |`
    : `| same, with Vaelang's wasm kernel overrides | | ${why(R.naiveOverrides)} | | | |`,
  torchRow("PyTorch twin (`bench/peers/torch_vae.py`)", R.torch1, t100),
  torchRow("PyTorch twin", R.torchN, t100),
  ...(R.torchStock.skipped
    ? []
    : [torchRow("PyTorch twin, stock Debian BLAS", R.torchStock, t100)]),
  v(R.webgpu)
    ? `| Vaelang | tfjs webgpu: ${v(R.webgpu).backend_reason} | ${fmt(v(R.webgpu).samples_per_second)} | ${fmt(ratio(t100?.samples_per_second, v(R.webgpu).samples_per_second), 2)}× | ${cpuCols(v(R.webgpu), t100)} |`
    : `| Vaelang | tfjs webgpu | ${why(R.webgpu)} | | | |`,
  "",
  `With \`workers: ${NPROC}\` each step's 100 rows are split between ${NPROC} replicas (this thread`,
  "and worker threads, each with its own wasm backend); their gradients are summed through",
  "shared memory, and each replica runs Adam on the weights it owns and sends the new",
  "values to the others (src/engine/parallel/).",
  `Speed-up over one thread: ${fmt(rWorkersOurs, 2)}×. The single-thread wasm matmul peaks far`,
  "below a native BLAS (no FMA in wasm SIMD), so beating PyTorch on one core from wasm",
  "would need several cores per PyTorch core.",
  "",
  "Batch 1000:",
  "",
  "| Trainer | Configuration | samples/s | ours ÷ this | samples per CPU-second | ours ÷ this |",
  "|---|---|---:|---:|---:|---:|",
  `| **Vaelang** | tfjs wasm + kernel overrides | **${fmt(t1000?.samples_per_second)}** | 1.00× | ${fmt(t1000?.samples_per_cpu_second)} | 1.00× |`,
  torchRow("PyTorch twin", R.torch1b1000, t1000),
  "",
  `Per process (samples/s, batch 100): ${[
    ["ours", t100],
    [`ours, workers: ${NPROC}`, t100w],
    ["tfjs naive", naive],
    ["tfjs naive + overrides", naiveO],
    ["PyTorch 1 thread", torch1],
    [`PyTorch ${NPROC} threads`, torchN],
  ]
    .map(
      ([n, x]) => `${n} ${x?.runs ? x.runs.map((r) => fmt(r.samples_per_second)).join(", ") : "—"}`,
    )
    .join(
      "; ",
    )}. Ours over ${tens?.tensors_steps ?? "—"} steps in one process (the numTensors run): ${fmt(tens?.samples_per_second)} (blocks ${tens ? tens.blocks.map((x) => fmt(x)).join(", ") : "—"}).`,
  "",
  "## Kernel efficiency (wasm)",
  "",
  "Matmul FLOPs of one training step with batch B, forward and backward, counting each of",
  "the four weight matrices (784×400 encoder hidden, 400×40 for the two encoder heads,",
  "20×400 decoder hidden, 400×784 decoder output) three times (forward product, gradient",
  "with respect to the input, gradient with respect to the weight):",
  "",
  "    FLOPs(B) = 3 · 2 · B · (784·400 + 400·40 + 20·400 + 400·784) = 3,907,200 · B",
  "",
  "(the input gradient of the first layer is never needed, so the real count is",
  "2·B·784·400 lower; the formula is the conventional upper bound, used for the whole-step",
  "rows; the matmul-only share, which the target reads, counts the products really",
  "computed). The roofline is a plain `tf.matMul` of the shapes below on the same backend,",
  "best case for the kernel;",
  "on wasm, float32 products run Vaelang's generated SIMD kernels (src/backends/tfjs/simd-gemm.ts).",
  "",
  "| Measurement | Value |",
  "|---|---:|",
  `| wasm matMul peak, 100×784 · 784×400 | ${fmt(peak100?.gflops, 1)} GFLOP/s (${fmt(peak100?.ms, 2)} ms) |`,
  `| wasm matMul peak, 1000×784 · 784×400 | ${fmt(peak1000?.gflops, 1)} GFLOP/s (${fmt(peak1000?.ms, 2)} ms) |`,
  `| for comparison: tfjs-backend-wasm's own matMul (XNNPACK), 100×784 · 784×400 | ${fmt(stock100?.gflops, 1)} GFLOP/s (${fmt(stock100?.ms, 2)} ms) |`,
  `| for comparison: tfjs-backend-wasm's own matMul (XNNPACK), 1000×784 · 784×400 | ${fmt(stock1000?.gflops, 1)} GFLOP/s (${fmt(stock1000?.ms, 2)} ms) |`,
  `| training step, batch 100: FLOPs(100) ÷ step time | ${fmt(g100, 1)} GFLOP/s = ${fmt(g100 && peak100 ? (100 * g100) / peak100.gflops : null, 0)} % of peak |`,
  `| training step, batch 100, per CPU-second: FLOPs(100) × (samples per CPU-second) ÷ 100 | ${fmt(gflopsCpu, 1)} GFLOP/s = ${fmt(gflopsCpu && peak100 ? (100 * gflopsCpu) / peak100.gflops : null, 0)} % of peak |`,
  `| training step, batch 1000: FLOPs(1000) ÷ step time | ${fmt(g1000, 1)} GFLOP/s = ${fmt(g1000 && peak1000 ? (100 * g1000) / peak1000.gflops : null, 0)} % of peak |`,
  `| matmul kernels only, batch 100 (tf.profile): products computed (FLOPs(100) − 2·100·784·400) ÷ matmul kernel time | ${fmt(matmulGflops, 1)} GFLOP/s = **${fmt(matmulShare === null ? null : 100 * matmulShare, 0)} %** of peak |`,
  `| the same with the upper bound FLOPs(100) | ${fmt(matmulGflopsBound, 1)} GFLOP/s = ${fmt(matmulShareBound === null ? null : 100 * matmulShareBound, 0)} % of peak |`,
  `| matmul kernel time per step ÷ all kernel time per step (profiled) | ${fmt(matmulKernelMs, 2)} ms ÷ ${fmt(allKernelMs, 2)} ms = ${fmt(matmulKernelMs && allKernelMs ? (100 * matmulKernelMs) / allKernelMs : null, 0)} % |`,
  "",
  prof
    ? `Kernel time per step under tf.profile (batch 100, ${prof.steps} steps; calls per step in brackets): ${Object.entries(
        prof.kernels,
      )
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 8)
        .map(([k, e]) => `${k} ${fmt(e.ms / prof.steps, 2)} ms (${fmt(e.calls / prof.steps, 0)})`)
        .join(", ")}.`
    : `Profile: ${why(R.profile)}.`,
  "",
  "## Memory",
  "",
  "| Process | peak RSS (VmHWM) | numTensors after warm-up → after the timed steps |",
  "|---|---:|---|",
  `| Vaelang training, batch 100 (${tens?.tensors_steps ?? "—"} steps) | ${fmt(tens?.peak_rss_mib)} MiB | ${tens?.tensors_before ?? "—"} → ${tens?.tensors_after ?? "—"} |`,
  `| Vaelang training, batch 1000 (${t1000?.tensors_steps ?? "—"} steps) | ${fmt(t1000?.peak_rss_mib)} MiB | ${t1000?.tensors_before ?? "—"} → ${t1000?.tensors_after ?? "—"} |`,
  `| Vaelang IWAE evaluation (k up to ${iw ? Math.max(...iw.results.map((r) => r.k)) : "—"}) | ${fmt(iw?.peak_rss_mib)} MiB | |`,
  `| hand-written tfjs VAE, batch 100 | ${fmt(naive?.peak_rss_mib)} MiB | ${naive?.tensors_before ?? "—"} → ${naive?.tensors_after ?? "—"} |`,
  "",
  "Each process holds the whole training split (50,000 × 784 float32 = 150 MiB) in the wasm",
  "heap as well as in JavaScript memory.",
  "",
  "## IWAE evaluation",
  "",
  iw
    ? `\`evaluateModel\` with the model compiled under \`objective iwae(k: K)\` (log-mean-exp of K importance weights per point) on the first ${fmt(iw.points)} test points, evaluation batches of ${iw.eval_batch} points, weights after ${iw.train_steps} training steps.`
    : `IWAE: ${why(R.iwae)}.`,
  "",
  "| k | time | points/s | ms per point per k | −iw_bound(k) (nats) |",
  "|---:|---:|---:|---:|---:|",
  ...(iw?.results ?? []).map(
    (r) =>
      `| ${r.k} | ${fmt(r.ms / 1000, 2)} s | ${fmt(r.points_per_second)} | ${fmt(r.ms / iw.points / r.k, 4)} | ${fmt(r.nll, 2)} |`,
  ),
  "",
  "## Scaling with the number of rows",
  "",
  sc
    ? `One epoch (no evaluation) of batch ${sc.batch} on the first N training rows; median of ${plan.scaling.reps}.`
    : `Scaling: ${why(R.scaling)}.`,
  "",
  "| rows | epoch time | µs per row |",
  "|---:|---:|---:|",
  ...(sc?.results ?? []).map(
    (r) => `| ${fmt(r.rows)} | ${fmt(r.seconds, 2)} s | ${fmt((1e6 * r.seconds) / r.rows, 1)} |`,
  ),
  "",
  "## Looking at models",
  "",
  `Wall time of whole \`node bin/vae.js …\` processes. \`vae compare ${R.compare?.runs ?? ""} runs\`: ${plan.compare.objectives.map((o) => `\`${o}\``).join(", ")} on \`${plan.compare.file}\`, ${plan.compare.epochs} epoch(s) each, into a fresh folder (nothing cached), with \`--jobs ${NPROC}\` and with \`--jobs 1\` (the same runs one after another); median of ${plan.compare.reps}. \`vae sample -n 64\` and \`vae reconstruct -n 16\` on one of the trained models, PNG out; median of ${plan.inspect.reps} after one warm-up.`,
  "",
  "| command | wall time |",
  "|---|---:|",
  `| \`vae compare\`, --jobs ${NPROC} | ${R.compare?.error ?? `${fmt(R.compare?.parallel_seconds, 1)} s`} |`,
  `| \`vae compare\`, --jobs 1 | ${R.compare?.error ?? `${fmt(R.compare?.sequential_seconds, 1)} s`} |`,
  `| \`vae sample\` | ${R.inspect?.sample?.error ?? R.inspect?.error ?? `${fmt(R.inspect?.sample?.seconds, 2)} s`} |`,
  `| \`vae reconstruct\` | ${R.inspect?.reconstruct?.error ?? R.inspect?.error ?? `${fmt(R.inspect?.reconstruct?.seconds, 2)} s`} |`,
  "",
  "## `vae check`",
  "",
  `Wall time of \`node bin/vae.js check FILE\` (process start to exit), median of ${plan.check.reps} after one warm-up.`,
  "",
  "| file | time | exit |",
  "|---|---:|---:|",
  ...R.check.map((c) => `| \`${c.file}\` | ${fmt(c.ms)} ms | ${c.status} |`),
  "",
  "## Running it",
  "",
  "```sh",
  "npm ci",
  "npm run bench            # writes docs/benchmarks.md and runs/bench/latest.json",
  "node bench/run.mjs --quick   # smoke run of the harness (after npm run build)",
  "```",
  "",
  "PyTorch rows use Debian's `python3-torch` through `/usr/bin/python3`; when OpenBLAS is",
  "available (`bench/peers/with-openblas.sh`) the PyTorch rows use it, since a pip-installed",
  "PyTorch links an optimised BLAS (MKL), and a row with the stock (reference) BLAS is added.",
  "Without `python3-torch` those rows read “not installed”.",
  "",
  "### On a GPU",
  "",
  "Training on a GPU goes through tfjs's WebGPU backend:",
  "",
  "```sh",
  "vae train examples/mnist-vae.vae --backend webgpu",
  "```",
  "",
  "The harness adds a WebGPU row (same workload, batch 100) when the build knows the",
  "`webgpu` backend and a WebGPU adapter is present; otherwise the row says why it was",
  "skipped.",
  "",
);

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, md.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n"));
log(
  `wrote ${rel(outFile)}${fromIdx < 0 ? ` and runs/bench/${quick ? "quick" : "latest"}.json` : ""}`,
);
if (!existsSync(outFile)) process.exit(1);
