import type { DistributionIR, ModelIR, NetIR, TensorExpr, UnaryFn } from "../../ir/types.js";
import { deriveSeed } from "../../engine/rng.js";
import {
  distributionImpl,
  isEnumerable,
  type DistributionImpl,
  type ParamTensors,
} from "./distributions/index.js";
import { modelWeightSpecs, netWeightName, paramWeightName } from "./layout.js";
import { netImpl, type WeightSpec } from "./nets/index.js";
import type { Tensor, Tf, Variable } from "./tf.js";

export type Role = "prior" | "encoder" | "decoder";

/** Values of the model's random variables for one evaluation; both have a leading batch axis. */
export interface RoleInputs {
  /** The data x: float32 [N, ...shape], or int32 indices for a categorical variable. */
  data?: Tensor;
  /** The latent z, same conventions as `data`. */
  latent?: Tensor;
}

/** A distribution of one role, with its parameters evaluated for a batch. */
export interface ParamSet {
  dist: DistributionImpl;
  /** Aligned for broadcasting against [N, ...event] (see ParamTensors). */
  params: ParamTensors;
  /** Which parameters carry the batch axis (the others are shared by all rows). */
  batched: Readonly<Record<string, boolean>>;
}

/**
 * A model lowered to tfjs: its variables, created once, and an interpreter that evaluates
 * the distributions' parameter expressions for any batch. Every method must be called
 * inside tf.tidy (or a gradient scope) by the caller; nothing here disposes its results.
 */
export interface CompiledModel {
  readonly ir: ModelIR;
  readonly tf: Tf;
  /** Variables by stable weight name (`net.<net>.<layer>.W`, `param.<name>`). */
  readonly weights: ReadonlyMap<string, Variable>;
  readonly specs: readonly WeightSpec[];
  /** The trainable variables, in spec order (what the optimiser updates). */
  readonly trainable: readonly Variable[];
  distribution(role: Role, inputs: RoleInputs): ParamSet;
  /** The role's family, without evaluating anything. */
  family(role: Role): DistributionImpl;
  dispose(): void;
}

interface Val {
  t: Tensor;
  batched: boolean;
}

type Evaluated = Val | { heads: Readonly<Record<string, Val>> };

function isHeads(v: Evaluated): v is { heads: Readonly<Record<string, Val>> } {
  return "heads" in v;
}

function eventRank(v: Val): number {
  return v.t.rank - (v.batched ? 1 : 0);
}

/** Inserts singleton axes after the batch axis so a batched value has `rank` event dims. */
function widen(tf: Tf, v: Val, rank: number): Tensor {
  const have = eventRank(v);
  if (!v.batched || have >= rank) return v.t;
  const shape = [v.t.shape[0]!, ...Array<number>(rank - have).fill(1), ...v.t.shape.slice(1)];
  return tf.reshape(v.t, shape);
}

function asFloat(tf: Tf, t: Tensor): Tensor {
  return t.dtype === "float32" ? t : tf.cast(t, "float32");
}

function applyUnary(tf: Tf, fn: UnaryFn, x: Tensor): Tensor {
  switch (fn) {
    case "neg":
      return tf.neg(x);
    case "exp":
      return tf.exp(x);
    case "log":
      return tf.log(x);
    case "softplus":
      return tf.softplus(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    case "relu":
      return tf.relu(x);
    case "abs":
      return tf.abs(x);
    case "sqrt":
      return tf.sqrt(x);
    case "square":
      return tf.square(x);
  }
}

function createVariable(tf: Tf, spec: WeightSpec, seed: number): Variable {
  const s = deriveSeed(seed, "init", spec.name);
  const init = spec.init;
  const value =
    init.kind === "uniform"
      ? tf.randomUniform(spec.shape, -init.bound, init.bound, "float32", s)
      : init.kind === "normal"
        ? tf.randomNormal(spec.shape, init.mean ?? 0, init.std, "float32", s)
        : tf.fill(spec.shape, init.value, "float32");
  // Unnamed: tfjs variable names are global, and a model may be compiled more than once.
  const v = tf.variable(value, true);
  value.dispose();
  return v;
}

/**
 * Lowers `ir` to tfjs once: creates its variables (seeded from `seed`) and returns the
 * evaluator. Throws only for IRs the frontend should never produce.
 */
/**
 * A categorical parameter whose last axis is not the K categories (`logits: 0`, the
 * uniform prior) broadcast to carry it: the family reads K from that axis. Adding an
 * exact zero changes no value.
 */
function withCategoryAxis(
  tf: Tf,
  t: Tensor,
  dist: DistributionImpl,
  variable: { categories?: number },
): Tensor {
  const k = variable.categories;
  if (!isEnumerable(dist) || k === undefined || t.shape[t.shape.length - 1] === k) return t;
  return tf.add(t, tf.zeros([k]));
}

export function compileModel(ir: ModelIR, tf: Tf, seed: number): CompiledModel {
  const specs = modelWeightSpecs(ir);
  const weights = new Map<string, Variable>();
  for (const spec of specs) weights.set(spec.name, createVariable(tf, spec, seed));
  const nets = new Map<string, NetIR>(ir.nets.map((n) => [n.name, n]));
  const roles: Record<Role, DistributionIR> = {
    prior: ir.prior,
    encoder: ir.encoder,
    decoder: ir.decoder,
  };
  const families: Record<Role, DistributionImpl> = {
    prior: distributionImpl(ir.prior.dist),
    encoder: distributionImpl(ir.encoder.dist),
    decoder: distributionImpl(ir.decoder.dist),
  };
  const variables = new Map([ir.data, ir.latent].map((v) => [v.name, v]));

  function weight(name: string): Variable {
    const w = weights.get(name);
    if (w === undefined) throw new Error(`compileModel: no weight '${name}'`);
    return w;
  }

  function distribution(role: Role, inputs: RoleInputs): ParamSet {
    const d = roles[role];
    const locals = new Map<string, Evaluated>();
    // A net applied twice to the same input (e.g. enc(x).loc and enc(x).log_scale written
    // without `where`) is evaluated once per call.
    const netMemo = new Map<string, Evaluated>();

    const evaluate = (e: TensorExpr): Evaluated => {
      switch (e.op) {
        case "const":
          return {
            t: e.shape.length === 0 ? tf.scalar(e.value) : tf.fill(e.shape, e.value, "float32"),
            batched: false,
          };
        case "variable": {
          const t = e.role === "data" ? inputs.data : inputs.latent;
          if (t === undefined) throw new Error(`${role}: '${e.name}' is not available here`);
          return { t, batched: true };
        }
        case "param":
          return { t: weight(paramWeightName(e.name)), batched: false };
        case "local": {
          const v = locals.get(e.name);
          if (v === undefined) throw new Error(`${role}: local '${e.name}' used before binding`);
          return v;
        }
        case "net": {
          const key = `${e.net}(${JSON.stringify(e.input)})`;
          const memo = netMemo.get(key);
          if (memo !== undefined) return memo;
          const net = nets.get(e.net);
          if (net === undefined) throw new Error(`${role}: unknown net '${e.net}'`);
          const input = value(e.input);
          const out = netImpl(net).apply(
            tf,
            net,
            (local) => weight(netWeightName(net.name, local)),
            input.t,
          );
          const result: Evaluated =
            out instanceof tf.Tensor
              ? { t: out, batched: input.batched }
              : {
                  heads: Object.fromEntries(
                    Object.entries(out).map(([k, t]) => [k, { t, batched: input.batched }]),
                  ),
                };
          netMemo.set(key, result);
          return result;
        }
        case "head": {
          const v = evaluate(e.input);
          if (!isHeads(v)) throw new Error(`${role}: .${e.head} of a net without heads`);
          const h = v.heads[e.head];
          if (h === undefined) throw new Error(`${role}: no head '${e.head}'`);
          return h;
        }
        case "unary": {
          const x = value(e.input);
          return { t: applyUnary(tf, e.fn, asFloat(tf, x.t)), batched: x.batched };
        }
        case "binary": {
          const a = value(e.lhs);
          const b = value(e.rhs);
          const rank = Math.max(eventRank(a), eventRank(b));
          const ta = asFloat(tf, widen(tf, a, rank));
          const tb = asFloat(tf, widen(tf, b, rank));
          const t =
            e.fn === "add"
              ? tf.add(ta, tb)
              : e.fn === "sub"
                ? tf.sub(ta, tb)
                : e.fn === "mul"
                  ? tf.mul(ta, tb)
                  : tf.div(ta, tb);
          return { t, batched: a.batched || b.batched };
        }
        case "reshape": {
          // Row-major, as the values of an image are laid out in its data rows.
          const x = value(e.input);
          const shape = x.batched ? [x.t.shape[0]!, ...e.shape] : e.shape;
          return { t: tf.reshape(x.t, shape), batched: x.batched };
        }
      }
    };

    const value = (e: TensorExpr): Val => {
      const v = evaluate(e);
      if (isHeads(v)) throw new Error(`${role}: a net with heads used without selecting one`);
      return v;
    };

    for (const b of d.bindings) locals.set(b.name, evaluate(b.value));

    const variable = variables.get(d.variable);
    if (variable === undefined) throw new Error(`${role}: unknown variable '${d.variable}'`);
    const dist = families[role];
    const rank = variable.shape.length + (isEnumerable(dist) || dist.componentAxis ? 1 : 0);
    const params: Record<string, Tensor> = {};
    const batched: Record<string, boolean> = {};
    for (const [name, expr] of Object.entries(d.params)) {
      const v = value(expr);
      const t = withCategoryAxis(tf, widen(tf, v, rank), dist, variable);
      params[name] = t.dtype === "float32" ? t : tf.cast(t, "float32");
      batched[name] = v.batched;
    }
    return { dist, params, batched };
  }

  return {
    ir,
    tf,
    weights,
    specs,
    trainable: specs.map((s) => weight(s.name)),
    distribution,
    family: (role) => families[role],
    dispose() {
      for (const v of weights.values()) v.dispose();
      weights.clear();
    },
  };
}
