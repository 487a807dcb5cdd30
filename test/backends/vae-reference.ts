/**
 * The per-row negative ELBO of test/engine/fixtures.ts's mnistVaeIR (tanh mlp encoder with
 * loc/log_scale heads, N(0, 1) prior, tanh mlp Bernoulli decoder) at fixed weights and
 * fixed noise ε, in float64 with a running forward error bound for any float32
 * evaluation of the same formulas.
 *
 * Error model (Higham, Accuracy and Stability of Numerical Algorithms, ch. 3): u = 2^-24;
 * +, −, × round once (|δ| ≤ u); an n-term dot product or sum is off by at most
 * γ_n·Σ|terms| (γ_n = nu/(1 − nu)) whatever the summation order, which covers tiled GPU
 * matMuls and tree reductions alike; an elementary function (exp, tanh, softplus, log) is
 * off by at most K·u·max(|f|, 1) — WGSL allows exp 3 + 2|x| ulp and log 2^-21 absolute near
 * 1, and tfjs builds tanh and softplus from those, so K = 32 holds for |x| ≤ 14. Errors in
 * an input propagate through f with the bound of |f'| over the input's error interval.
 * The result bounds |float32 − float64| for each row; it is worst-case, not a fit.
 */
import { U32 } from "../engine/numeric.js";

/**
 * A value, a bound `e` on the absolute error of any float32 evaluation of it, and the
 * variance `s2` of that error when rounding errors are independent and uniform on their
 * interval (the probabilistic model of Higham & Mary, SIAM J. Sci. Comput. 41(5), 2019).
 */
export interface Approx {
  v: number;
  e: number;
  s2: number;
}

/** Rounding budget of one elementary function, in ulp (see above). */
export const K_ELEMENTARY = 32;

const gamma = (n: number): number => (n * U32) / (1 - n * U32);
/** Variance of an error uniform on [−r, r]. */
const uniformVar = (r: number): number => (r * r) / 3;
const exact = (v: number): Approx => ({ v, e: 0, s2: 0 });
/** A float64 constant the backend holds as the nearest float32 (a fixed offset). */
function constant(c: number): Approx {
  const e = Math.abs(c - Math.fround(c));
  return { v: c, e, s2: e * e };
}

function add(a: Approx, b: Approx): Approx {
  const v = a.v + b.v;
  const r = U32 * Math.abs(v);
  return { v, e: a.e + b.e + r, s2: a.s2 + b.s2 + uniformVar(r) };
}
function sub(a: Approx, b: Approx): Approx {
  return add(a, { ...b, v: -b.v });
}
function mul(a: Approx, b: Approx): Approx {
  const v = a.v * b.v;
  const r = U32 * Math.abs(v);
  return {
    v,
    e: Math.abs(b.v) * a.e + Math.abs(a.v) * b.e + a.e * b.e + r,
    s2: b.v * b.v * a.s2 + a.v * a.v * b.s2 + uniformVar(r),
  };
}
/** The largest |argument| of an elementary function since the last negElboRows call. */
let maxArgument = 0;

/** f(a) with f' bounded by `lipschitz` on [a.v − a.e, a.v + a.e]. */
function elementary(a: Approx, f: (x: number) => number, lipschitz: number): Approx {
  maxArgument = Math.max(maxArgument, Math.abs(a.v) + a.e);
  const v = f(a.v);
  const r = K_ELEMENTARY * U32 * Math.max(Math.abs(v), 1);
  return { v, e: lipschitz * a.e + r, s2: lipschitz * lipschitz * a.s2 + uniformVar(r) };
}
const tanh = (a: Approx): Approx => elementary(a, Math.tanh, 1);
const exp = (a: Approx): Approx => elementary(a, Math.exp, Math.exp(a.v + a.e));
/** softplus' = sigmoid ≤ 1. */
const softplus = (a: Approx): Approx =>
  elementary(a, (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), 1);
const log = (a: Approx): Approx => elementary(a, Math.log, 1 / (a.v - a.e));

function sum(terms: readonly Approx[]): Approx {
  let v = 0;
  let e = 0;
  let s2 = 0;
  let abs = 0;
  let sq = 0;
  for (const t of terms) {
    v += t.v;
    e += t.e;
    s2 += t.s2;
    abs += Math.abs(t.v);
    sq += t.v * t.v;
  }
  // Each term passes through at most n additions, each rounding it by at most u.
  return { v, e: e + gamma(terms.length) * abs, s2: s2 + terms.length * uniformVar(U32) * sq };
}

/** x·W + b for one row: W [in, out] row-major, exact float32 weights. */
function dense(x: readonly Approx[], w: Float32Array, b: Float32Array): Approx[] {
  const n = x.length;
  const out: Approx[] = [];
  for (let j = 0; j < b.length; j++) {
    let v = b[j]!;
    let abs = Math.abs(b[j]!);
    let sq = b[j]! * b[j]!;
    let propagated = 0;
    let propagatedVar = 0;
    for (let i = 0; i < n; i++) {
      const wij = w[i * b.length + j]!;
      const t = x[i]!.v * wij;
      v += t;
      abs += Math.abs(t);
      sq += t * t;
      propagated += Math.abs(wij) * x[i]!.e;
      propagatedVar += wij * wij * x[i]!.s2;
    }
    out.push({
      v,
      e: propagated + gamma(n + 1) * abs,
      s2: propagatedVar + (n + 1) * uniformVar(U32) * sq,
    });
  }
  return out;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Σ_j log N(value_j; loc_j, exp(logScale_j)) written as the backend writes it. */
function normalLogProb(value: Approx[], loc: Approx[], logScale: Approx[]): Approx {
  return sum(
    value.map((z, j) => {
      const u = mul(sub(z, loc[j]!), exp({ ...logScale[j]!, v: -logScale[j]!.v }));
      return sub(mul(mul(u, u), exact(-0.5)), add(logScale[j]!, constant(HALF_LOG_2PI)));
    }),
  );
}

export interface VaeWeights {
  get(name: string): Float32Array;
}

/**
 * −(log p(x|z) + log p(z) − log q(z|x)) per row with z = loc + exp(log_scale)·ε, for
 * mnistVaeIR(d, h, k): x [rows, d] in {0, 1}, eps [rows, k]. `maxArgument` is the largest
 * |x| passed to an elementary function, which the K-ulp budget assumes to be ≤ 14.
 */
export function negElboRows(
  w: VaeWeights,
  x: Float32Array,
  eps: Float32Array,
  d: number,
  k: number,
): { rows: Approx[]; maxArgument: number } {
  maxArgument = 0;
  const rows = x.length / d;
  const out: Approx[] = [];
  const enc = (n: string) => w.get(`net.encoder_net.${n}`);
  const dec = (n: string) => w.get(`net.decoder_net.${n}`);
  for (let r = 0; r < rows; r++) {
    const xr = Array.from(x.subarray(r * d, (r + 1) * d), exact);
    const h = dense(xr, enc("0.W"), enc("0.b")).map(tanh);
    const heads = dense(h, enc("1.W"), enc("1.b"));
    const loc = heads.slice(0, k);
    const logScale = heads.slice(k, 2 * k);
    const z = loc.map((l, j) => add(l, mul(exp(logScale[j]!), exact(eps[r * k + j]!))));
    const logQ = normalLogProb(z, loc, logScale);
    // Prior N(0, 1) on the scale path: (z − 0) / 1 is exact, log(1) is an elementary call.
    const logOne = log(exact(1));
    const logP = sum(
      z.map((zj) => sub(mul(mul(zj, zj), exact(-0.5)), add(logOne, constant(HALF_LOG_2PI)))),
    );
    const g = dense(z, dec("0.W"), dec("0.b")).map(tanh);
    const logits = dense(g, dec("1.W"), dec("1.b"));
    const logPx = sum(logits.map((l, i) => sub(mul(xr[i]!, l), softplus(l))));
    const total = sub(add(logPx, logP), logQ);
    out.push({ ...total, v: -total.v });
  }
  return { rows: out, maxArgument };
}
