// A hand-written tfjs twin of examples/mnist-vae.vae: the model written the way a tfjs
// user would write it (tf.variable weights, tf.layers-style dense layers as matMul + add,
// optimizer.minimize with tfjs's default gradients), on the stock wasm backend.
//
//   node bench/peers/tfjs_naive.mjs '{"batch":100,"warmup":10,"steps":40,"blocks":5}'
//
// It imports only @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm, so none of
// Vaelang's wasm kernel overrides (registered process-wide by its initBackend) are active.
// With "overrides": true it starts the backend through Vaelang's initBackend instead
// (needs `npm run build`), to show what the overrides alone change.
// Prints one JSON object on the last stdout line.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as tfns from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { median, peakRssMiB, stepWindows } from "../stats.mjs";

const tf = tfns.default ?? tfns;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const o = { batch: 100, warmup: 10, steps: 40, blocks: 5, overrides: false, seed: 0 };
Object.assign(o, JSON.parse(process.argv[2] ?? "{}"));

if (o.overrides) {
  const { initBackend } = await import(resolve(root, "dist/src/backends/tfjs/backend.js"));
  await initBackend("wasm");
} else {
  await tf.setBackend("wasm");
  await tf.ready();
}

/** Binarized MNIST in the .amat layout: one row per line, 784 digits 0/1 separated by spaces. */
function loadAmat(path) {
  const raw = gunzipSync(readFileSync(path));
  const values = new Float32Array(raw.length >> 1);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 48 || c === 49) values[n++] = c - 48;
  }
  return { rows: n / 784, values: values.subarray(0, n) };
}

const train = loadAmat(resolve(root, "data/binarized-mnist/binarized_mnist_train.amat.gz"));

// Glorot-uniform weights and zero biases, as tf.layers.dense would create them.
function dense(inputs, units, name) {
  const limit = Math.sqrt(6 / (inputs + units));
  return {
    w: tf.variable(
      tf.randomUniform([inputs, units], -limit, limit, "float32", o.seed),
      true,
      `${name}/w`,
    ),
    b: tf.variable(tf.zeros([units]), true, `${name}/b`),
  };
}
const apply = (l, x) => tf.add(tf.matMul(x, l.w), l.b);

const encHidden = dense(784, 400, "enc_hidden");
const encLoc = dense(400, 20, "enc_loc");
const encLogScale = dense(400, 20, "enc_log_scale");
const decHidden = dense(20, 400, "dec_hidden");
const decLogits = dense(400, 784, "dec_logits");

/** Minibatch mean of −ELBO: Bernoulli negative log-likelihood + analytic KL to N(0, I). */
function loss(x) {
  const h = tf.tanh(apply(encHidden, x));
  const loc = apply(encLoc, h);
  const logScale = apply(encLogScale, h);
  const scale = tf.exp(logScale);
  const eps = tf.randomNormal(loc.shape);
  const z = tf.add(loc, tf.mul(scale, eps));
  const logits = apply(decLogits, tf.tanh(apply(decHidden, z)));
  // −log p(x|z) = softplus(logits) − x·logits, summed over pixels.
  const nll = tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1);
  const kl = tf.sum(
    tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.square(loc), tf.square(scale)), 1)), logScale),
    1,
  );
  return tf.mean(tf.add(nll, kl));
}

const optimizer = tf.train.adam(0.001);
const xTrain = tf.tensor2d(train.values, [train.rows, 784]);

function permutation(n, seed) {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

const total = o.warmup + o.blocks * o.steps;
const stepsPerEpoch = Math.ceil(train.rows / o.batch);
const marks = [];
let tensorsBefore = null;
let cpuStart;
let lastLoss = Number.NaN;
let order = null;
for (let step = 0; step < total; step++) {
  const inEpoch = step % stepsPerEpoch;
  if (inEpoch === 0) {
    order?.dispose();
    order = tf.tensor1d(permutation(train.rows, o.seed + step + 1), "int32");
  }
  const start = inEpoch * o.batch;
  const size = Math.min(o.batch, train.rows - start);
  const xb = tf.tidy(() => tf.gather(xTrain, order.slice(start, size)));
  const cost = optimizer.minimize(() => loss(xb), true);
  xb.dispose();
  if (step % 10 === 0 || step === total - 1) lastLoss = (await cost.data())[0];
  cost.dispose();
  marks.push(performance.now());
  if (marks.length === o.warmup) {
    tensorsBefore = tf.memory().numTensors;
    cpuStart = process.cpuUsage();
  }
}
const cpu = process.cpuUsage(cpuStart);
const tensorsAfter = tf.memory().numTensors;
const windows = stepWindows(marks, o.warmup, o.steps);
const sps = windows.map((ms) => (o.steps * o.batch) / (ms / 1000));
process.stdout.write(
  `${JSON.stringify({
    framework: "tfjs",
    version: tf.version.tfjs,
    backend: tf.getBackend(),
    overrides: o.overrides,
    batch: o.batch,
    warmup: o.warmup,
    steps_per_block: o.steps,
    blocks: sps,
    samples_per_second: median(sps),
    samples_per_cpu_second: (o.blocks * o.steps * o.batch) / ((cpu.user + cpu.system) / 1e6),
    last_loss: lastLoss,
    tensors_before: tensorsBefore,
    tensors_after: tensorsAfter,
    peak_rss_mib: peakRssMiB(),
  })}\n`,
);
