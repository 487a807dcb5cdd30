import { linearObjective } from "../objectives/linear.js";
import {
  lookupDistribution,
  parameterNames,
  requiredParamShape,
} from "../stdlib/distributions/index.js";
import { lookupNet } from "../stdlib/nets/index.js";
import { activations } from "../stdlib/nets/index.js";
import { broadcastShapes, elementCount } from "./shapes.js";
import {
  IR_VERSION,
  type DistributionIR,
  type ModelIR,
  type NetIR,
  type ObjectiveExpr,
  type Shape,
  type TensorExpr,
  type VariableIR,
} from "./types.js";

/**
 * Checks the invariants backends rely on: every name resolves, every node's shape is the
 * one its inputs imply, distributions match their variables and the linear form matches
 * the objective tree. Returns one line per violation; [] means valid. A ModelIR built by
 * lowerModel is always valid; this guards IR read back from checkpoints or written by hand.
 */
export function validateModelIR(ir: ModelIR): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string): void => void problems.push(`${where}: ${what}`);
  if (ir.irVersion !== IR_VERSION)
    fail("irVersion", `expected ${IR_VERSION}, found ${ir.irVersion}`);
  verifyVariable(ir.data, "data", fail);
  verifyVariable(ir.latent, "latent", fail);
  const params = new Map<string, Shape>();
  for (const p of ir.params) {
    if (params.has(p.name)) fail(`param ${p.name}`, "declared twice");
    if (!isShape(p.shape)) fail(`param ${p.name}`, `bad shape ${JSON.stringify(p.shape)}`);
    if (!Number.isFinite(p.init)) fail(`param ${p.name}`, "init is not a finite number");
    if (p.initScale !== undefined && !(p.initScale > 0 && Number.isFinite(p.initScale))) {
      fail(`param ${p.name}`, "initScale is not a positive number");
    }
    params.set(p.name, p.shape);
  }
  const nets = new Map<string, NetIR>();
  for (const n of ir.nets) {
    if (nets.has(n.name)) fail(`net ${n.name}`, "declared twice");
    nets.set(n.name, n);
    if (lookupNet(n.kind) === undefined) fail(`net ${n.name}`, `unknown kind ${n.kind}`);
    if (!isSize(n.inputSize) || !n.hidden.every(isSize)) fail(`net ${n.name}`, "bad sizes");
    if (!activations.includes(n.activation))
      fail(`net ${n.name}`, `bad activation ${n.activation}`);
    const outs = n.output.kind === "single" ? [n.output.size] : n.output.heads.map((h) => h.size);
    if (!outs.every(isSize) || outs.length === 0) fail(`net ${n.name}`, "bad output sizes");
  }
  const env: Env = { ir, params, nets, fail };
  verifyDistribution(ir.prior, "prior", ir.latent, null, env);
  verifyDistribution(ir.encoder, "encoder", ir.latent, ir.data, env);
  verifyDistribution(ir.decoder, "decoder", ir.data, ir.latent, env);
  verifyObjective(ir.objective.expr, fail);
  const linear = linearObjective(ir.objective.expr);
  if (JSON.stringify(linear) !== JSON.stringify(ir.objective.linear)) {
    fail("objective.linear", `expected ${JSON.stringify(linear)}`);
  }
  const t = ir.train;
  for (const k of ["batch", "epochs", "samples"] as const) {
    if (!isSize(t[k])) fail(`train.${k}`, "must be a positive integer");
  }
  if (!(Number.isInteger(t.seed) && t.seed >= 0))
    fail("train.seed", "must be a non-negative integer");
  if (!(t.optimizer.lr > 0)) fail("train.optimizer.lr", "must be positive");
  if (t.workers !== undefined && !isSize(t.workers))
    fail("train.workers", "must be a positive integer when present");
  return problems;
}

type Fail = (where: string, what: string) => void;

interface Env {
  ir: ModelIR;
  params: Map<string, Shape>;
  nets: Map<string, NetIR>;
  fail: Fail;
}

function isSize(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

function isShape(s: unknown): s is Shape {
  return Array.isArray(s) && s.every((n) => typeof n === "number" && isSize(n));
}

function same(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function verifyVariable(v: VariableIR, where: string, fail: Fail): void {
  if (!isShape(v.shape)) fail(where, `bad shape ${JSON.stringify(v.shape)}`);
  if ((v.kind === "categorical") !== (v.categories !== undefined)) {
    fail(where, "categories must be given exactly for categorical variables");
  }
  if (v.categories !== undefined && !isSize(v.categories)) fail(where, "bad category count");
}

function verifyDistribution(
  d: DistributionIR,
  role: DistributionIR["role"],
  variable: VariableIR,
  given: VariableIR | null,
  env: Env,
): void {
  const where = role;
  const { fail } = env;
  if (d.role !== role) fail(where, `role is ${d.role}`);
  if (d.variable !== variable.name) fail(where, `is over ${d.variable}, expected ${variable.name}`);
  if (d.given !== (given?.name ?? null)) fail(where, `is given ${d.given}`);
  const sig = lookupDistribution(d.dist);
  if (sig === undefined) return fail(where, `unknown distribution ${d.dist}`);
  if (!sig.support.includes(variable.kind)) fail(where, `${d.dist} cannot model ${variable.kind}`);
  const names = Object.keys(d.params);
  for (const n of names) {
    if (!parameterNames(sig).includes(n)) fail(where, `${d.dist} has no parameter ${n}`);
  }
  for (const group of sig.paramGroups) {
    if (group.filter((g) => names.includes(g)).length !== 1) {
      fail(where, `needs exactly one of ${group.join(", ")}`);
    }
  }
  const visible = role === "encoder" ? env.ir.data : role === "decoder" ? env.ir.latent : null;
  const locals = new Map<string, TensorExpr>();
  for (const b of d.bindings) {
    if (locals.has(b.name)) fail(where, `binding ${b.name} appears twice`);
    verifyTensorExpr(b.value, `${where}.${b.name}`, visible, locals, env);
    locals.set(b.name, b.value);
  }
  const required =
    sig.support.includes(variable.kind) && (sig.paramShape === "event" || variable.categories)
      ? requiredParamShape(sig, variable)
      : undefined;
  for (const [name, e] of Object.entries(d.params)) {
    verifyTensorExpr(e, `${where}.${name}`, visible, locals, env);
    if (required && broadcastShapes(e.shape, required)?.join() !== required.join()) {
      fail(`${where}.${name}`, `shape [${e.shape}] does not broadcast to [${required}]`);
    }
  }
}

/** Recomputes a node's shape from its inputs and compares it with the annotated one. */
function verifyTensorExpr(
  e: TensorExpr,
  where: string,
  visible: VariableIR | null,
  locals: Map<string, TensorExpr>,
  env: Env,
): void {
  const expect = (shape: Shape | undefined, why: string): void => {
    if (shape === undefined) env.fail(where, why);
    else if (!same(shape, e.shape))
      env.fail(where, `${e.op} has shape [${e.shape}], expected [${shape}]`);
  };
  switch (e.op) {
    case "const":
      return expect(Number.isFinite(e.value) ? [] : undefined, "constant is not finite");
    case "variable":
      if (visible === null || visible.name !== e.name)
        return env.fail(where, `${e.name} is not visible`);
      return expect(visible.shape, "");
    case "param":
      return expect(env.params.get(e.name), `unknown param ${e.name}`);
    case "local":
      return expect(locals.get(e.name)?.shape, `unknown binding ${e.name}`);
    case "net": {
      verifyTensorExpr(e.input, where, visible, locals, env);
      const net = env.nets.get(e.net);
      if (net === undefined) return env.fail(where, `unknown net ${e.net}`);
      const index = lookupNet(net.kind)?.input === "index";
      if (!index && !same(e.input.shape, [net.inputSize])) {
        env.fail(where, `net ${e.net} needs input [${net.inputSize}], found [${e.input.shape}]`);
      }
      if (net.output.kind === "heads") return expect([], "");
      return expect([...(index ? e.input.shape : []), net.output.size], "");
    }
    case "head": {
      verifyTensorExpr(e.input, where, visible, locals, env);
      const netName = headSource(e.input, locals);
      const net = netName === undefined ? undefined : env.nets.get(netName);
      const head =
        net?.output.kind === "heads" ? net.output.heads.find((h) => h.name === e.head) : undefined;
      return expect(head && [head.size], `no head ${e.head} on this input`);
    }
    case "unary":
      verifyTensorExpr(e.input, where, visible, locals, env);
      return expect(e.input.shape, "");
    case "binary":
      verifyTensorExpr(e.lhs, where, visible, locals, env);
      verifyTensorExpr(e.rhs, where, visible, locals, env);
      return expect(broadcastShapes(e.lhs.shape, e.rhs.shape), "operands do not broadcast");
    case "reshape":
      verifyTensorExpr(e.input, where, visible, locals, env);
      if (!isShape(e.shape)) return env.fail(where, `bad shape ${JSON.stringify(e.shape)}`);
      if (elementCount(e.shape) !== elementCount(e.input.shape)) {
        env.fail(where, `reshape of [${e.input.shape}] to [${e.shape}] changes the value count`);
      }
      return;
  }
}

/** The net whose heads a `head` node selects from, through `where` bindings. */
function headSource(e: TensorExpr, locals: Map<string, TensorExpr>): string | undefined {
  if (e.op === "net") return e.net;
  const bound = e.op === "local" ? locals.get(e.name) : undefined;
  return bound === undefined ? undefined : headSource(bound, locals);
}

function verifyObjective(e: ObjectiveExpr, fail: Fail): void {
  switch (e.op) {
    case "const":
      if (!Number.isFinite(e.value)) fail("objective", "constant is not finite");
      return;
    case "term":
      return;
    case "iw_bound":
      if (!isSize(e.k)) fail("objective", `iw_bound k must be a positive integer, found ${e.k}`);
      return;
    case "unary":
      return verifyObjective(e.input, fail);
    case "binary":
      verifyObjective(e.lhs, fail);
      return verifyObjective(e.rhs, fail);
    case "call":
      if (e.args.length < 2) fail("objective", `${e.fn} needs two or more arguments`);
      for (const a of e.args) verifyObjective(a, fail);
      return;
  }
}
