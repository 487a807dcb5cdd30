import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import type { ObjectiveExpr, ObjectiveIR } from "../ir/types.js";
import type { Arg, Call, Expr, ObjectiveDef } from "../syntax/ast.js";
import { fitsFloat32, FLOAT32_RANGE } from "../syntax/limits.js";
import { linearObjective } from "./linear.js";
import { isObjectiveTerm, OBJECTIVE_FUNCTIONS, OBJECTIVE_TERMS } from "./terms.js";

/** A named objective from stdlib, the compiled file or a file it imports. */
export interface ObjectiveDefinition {
  name: string;
  params: string[];
  body: Expr;
  def: ObjectiveDef;
  /** Definitions from stdlib may be redefined by user files; user ones may not collide. */
  fromStdlib: boolean;
}

/** Every objective name in scope, and the source texts to quote arguments from. */
export interface ObjectiveEnv {
  definitions: ReadonlyMap<string, ObjectiveDefinition>;
  sources: (file: string) => string | undefined;
}

/**
 * Builds the objective namespace: stdlib first, then user definitions (the compiled file
 * and its imports, in load order). A user definition may shadow a stdlib one of the same
 * name; two user definitions of one name are an error.
 */
export function collectObjectiveDefinitions(
  stdlib: readonly ObjectiveDef[],
  user: readonly ObjectiveDef[],
  diagnostics: Diagnostic[],
): Map<string, ObjectiveDefinition> {
  const defs = new Map<string, ObjectiveDefinition>();
  const add = (def: ObjectiveDef, fromStdlib: boolean): void => {
    const name = def.name.name;
    const prior = defs.get(name);
    if (prior !== undefined && prior.fromStdlib === fromStdlib) {
      diagnostics.push(diagnostic("duplicate-declaration", def.name.span, { name }));
      return;
    }
    const params: string[] = [];
    for (const p of def.params) {
      if (params.includes(p.name)) {
        diagnostics.push(diagnostic("duplicate-declaration", p.span, { name: p.name }));
      }
      params.push(p.name);
    }
    defs.set(name, { name, params, body: def.body, def, fromStdlib });
  };
  for (const d of stdlib) add(d, true);
  for (const d of user) add(d, false);
  return defs;
}

/**
 * What a parameter name stands for while inlining. Definitions are also checked on their
 * own, before any call supplies arguments: then parameters are `unknown`.
 */
type Binding =
  | {
      kind: "value";
      expr: ObjectiveExpr;
      /** Where the value was written: the argument at the outermost call. */
      span: Span;
    }
  | { kind: "unknown" };

/**
 * Nodes of one inlined objective. Named objectives are inlined by copying, so definitions
 * that each use the next twice expand exponentially; past this bound the expansion stops.
 */
export const MAX_OBJECTIVE_NODES = 10_000;

/** Levels of one inlined objective: every later pass over the tree recurses this deep. */
export const MAX_OBJECTIVE_DEPTH = 1_000;

/** How far one resolution has gone, and whether it passed the bounds. */
interface Budget {
  /** Where the expansion is reported: the expression or definition being resolved. */
  span: Span;
  /** resolve() calls under way: the recursion depth. */
  active: number;
  /** Set once a bound is passed: how (for the diagnostic). */
  exceeded: string | undefined;
}

/**
 * What resolutions in one pass share: the tree size and depth of every resolved node,
 * and each definition's result by argument values (compared by identity, through ids),
 * so that a definition used many times is inlined once and its tree shared.
 */
interface Shared {
  sizes: WeakMap<ObjectiveExpr, { nodes: number; depth: number }>;
  ids: WeakMap<ObjectiveExpr, number>;
  nextId: number;
  /** Keyed by definition name and argument ids. */
  inlined: Map<string, Inlined>;
}

/** One definition inlined with some arguments: its tree, or the bound its expansion passed. */
interface Inlined {
  result: ObjectiveExpr | undefined;
  tooLarge: string | undefined;
}

function newShared(): Shared {
  return { sizes: new WeakMap(), ids: new WeakMap(), nextId: 0, inlined: new Map() };
}

function idOf(e: ObjectiveExpr, shared: Shared): number {
  let id = shared.ids.get(e);
  if (id === undefined) {
    id = shared.nextId++;
    shared.ids.set(e, id);
  }
  return id;
}

interface Context {
  budget: Budget;
  shared: Shared;
  env: ObjectiveEnv;
  params: ReadonlyMap<string, Binding>;
  /** Objectives being inlined, outermost first: a name already here is recursion. */
  stack: readonly string[];
  diagnostics: Diagnostic[];
}

/** Marks an expression built from an unknown parameter; nothing numeric is checked on it. */
const UNKNOWN: ObjectiveExpr = { op: "const", value: Number.NaN };

/**
 * Resolves an objective expression (a model's `objective ...` or a command-line one) to
 * its fully inlined tree, its linear form and the text it was written as.
 */
export function resolveObjective(
  expr: Expr,
  env: ObjectiveEnv,
): {
  value?: ObjectiveIR;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const resolved = resolve(expr, {
    budget: newBudget(expr.span),
    shared: newShared(),
    env,
    params: new Map(),
    stack: [],
    diagnostics,
  });
  if (resolved === undefined || diagnostics.length > 0) return { diagnostics };
  return {
    value: {
      source: sourceText(expr.span, env),
      expr: resolved,
      linear: linearObjective(resolved),
    },
    diagnostics,
  };
}

/**
 * Reports what is wrong inside each user definition, whether or not it is used, so a
 * mistake in an unused objective does not wait for its first caller.
 */
export function verifyObjectiveDefinitions(env: ObjectiveEnv): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const shared = newShared();
  for (const def of env.definitions.values()) {
    const params = new Map<string, Binding>(def.params.map((p) => [p, { kind: "unknown" }]));
    const budget = newBudget(def.def.name.span);
    resolve(def.body, { budget, shared, env, params, stack: [def.name], diagnostics });
  }
  return diagnostics;
}

/** The source text under `span`, or a placeholder when the file is not at hand. */
export function sourceText(span: Span, env: Pick<ObjectiveEnv, "sources">): string {
  const text = env.sources(span.file);
  return text === undefined ? "..." : text.slice(span.start.offset, span.end.offset);
}

function newBudget(span: Span): Budget {
  return { span, active: 0, exceeded: undefined };
}

/**
 * `e` resolved within the budget: once the tree grows past MAX_OBJECTIVE_NODES nodes or
 * MAX_OBJECTIVE_DEPTH levels (or resolution recurses that deep), one `objective-too-large`
 * is reported and everything after resolves to nothing.
 */
function resolve(e: Expr, ctx: Context): ObjectiveExpr | undefined {
  const b = ctx.budget;
  if (b.exceeded !== undefined) return undefined;
  if (b.active >= MAX_OBJECTIVE_DEPTH)
    return overBudget(ctx, `nested more than ${MAX_OBJECTIVE_DEPTH} levels`);
  b.active++;
  try {
    const out = resolveNode(e, ctx);
    if (out === undefined || b.exceeded !== undefined) return undefined;
    const size = measure(out, ctx.shared.sizes);
    if (size.nodes > MAX_OBJECTIVE_NODES) {
      return overBudget(ctx, `more than ${MAX_OBJECTIVE_NODES} nodes`);
    }
    if (size.depth > MAX_OBJECTIVE_DEPTH) {
      return overBudget(ctx, `nested more than ${MAX_OBJECTIVE_DEPTH} levels`);
    }
    return out;
  } finally {
    b.active--;
  }
}

function overBudget(ctx: Context, what: string): undefined {
  ctx.budget.exceeded = what;
  ctx.diagnostics.push(diagnostic("objective-too-large", ctx.budget.span, { what }));
  return undefined;
}

/**
 * Size and depth of a node as a tree (a shared subtree counts each time it appears),
 * from its children's, which were measured when they were resolved.
 */
function measure(e: ObjectiveExpr, sizes: Shared["sizes"]): { nodes: number; depth: number } {
  const known = sizes.get(e);
  if (known !== undefined) return known;
  const children =
    e.op === "unary"
      ? [e.input]
      : e.op === "binary"
        ? [e.lhs, e.rhs]
        : e.op === "call"
          ? e.args
          : [];
  let nodes = 1;
  let depth = 1;
  for (const c of children) {
    const s = sizes.get(c) ?? { nodes: 1, depth: 1 };
    nodes += s.nodes;
    depth = Math.max(depth, s.depth + 1);
  }
  const size = { nodes, depth };
  sizes.set(e, size);
  return size;
}

function resolveNode(e: Expr, ctx: Context): ObjectiveExpr | undefined {
  const fail = (d: Diagnostic): undefined => {
    ctx.diagnostics.push(d);
    return undefined;
  };
  switch (e.kind) {
    case "NumberLit":
      // The objective is evaluated in float32 tensors.
      if (!fitsFloat32(e.value)) {
        return fail(
          diagnostic("number-out-of-range", e.span, { text: e.text, range: FLOAT32_RANGE }),
        );
      }
      return { op: "const", value: e.value };
    case "StringLit":
    case "Arrow":
    case "RecordLit":
    case "Member":
      return fail(
        diagnostic("invalid-expression", e.span, {
          reason:
            "an objective is built from numbers, terms, objectives, + - * / and abs, max, min",
        }),
      );
    case "Unary": {
      const input = resolve(e.operand, ctx);
      return input && { op: "unary", fn: "neg", input };
    }
    case "Binary": {
      const lhs = resolve(e.left, ctx);
      const rhs = resolve(e.right, ctx);
      if (lhs === undefined || rhs === undefined) return undefined;
      const fn = ({ "+": "add", "-": "sub", "*": "mul", "/": "div" } as const)[e.op];
      if (fn === "div" && constantValue(rhs) === 0) {
        return fail(
          diagnostic("invalid-expression", originSpan(e.right, ctx), {
            reason: "division by zero",
          }),
        );
      }
      return { op: "binary", fn, lhs, rhs };
    }
    case "Name":
      return resolveName(e.name, e.span, ctx);
    case "Call":
      return resolveCall(e, ctx);
  }
}

function resolveName(name: string, span: Span, ctx: Context): ObjectiveExpr | undefined {
  const bound = ctx.params.get(name);
  if (bound !== undefined) return bound.kind === "value" ? bound.expr : UNKNOWN;
  if (isObjectiveTerm(name)) return { op: "term", term: name };
  const def = ctx.env.definitions.get(name);
  if (def !== undefined) return inline(def, [], span, span, ctx);
  if ((OBJECTIVE_FUNCTIONS as readonly string[]).includes(name)) {
    ctx.diagnostics.push(
      diagnostic("invalid-expression", span, {
        reason: `'${name}' is a function and needs arguments, as in ${name}(...)`,
      }),
    );
    return undefined;
  }
  ctx.diagnostics.push(
    diagnostic("unknown-term", span, { name, available: OBJECTIVE_TERMS.join(", ") }),
  );
  return undefined;
}

function resolveCall(call: Call, ctx: Context): ObjectiveExpr | undefined {
  const name = call.callee.name;
  if ((OBJECTIVE_FUNCTIONS as readonly string[]).includes(name) && !ctx.params.has(name)) {
    return resolveBuiltin(call, ctx);
  }
  const def = ctx.env.definitions.get(name);
  if (def !== undefined) return inline(def, call.args, call.span, call.callee.span, ctx);
  // Arguments are resolved anyway so that their own mistakes are reported.
  for (const a of call.args) resolve(a.value, ctx);
  if (isObjectiveTerm(name) || ctx.params.has(name)) {
    ctx.diagnostics.push(
      diagnostic("invalid-expression", call.callee.span, {
        reason: `'${name}' is a number, not an objective or function, and cannot be called`,
      }),
    );
    return undefined;
  }
  ctx.diagnostics.push(
    diagnostic("unknown-objective", call.callee.span, {
      name,
      available: [...ctx.env.definitions.keys()].join(", "),
    }),
  );
  return undefined;
}

function resolveBuiltin(call: Call, ctx: Context): ObjectiveExpr | undefined {
  const name = call.callee.name as (typeof OBJECTIVE_FUNCTIONS)[number];
  const allowedName = name === "iw_bound" ? "k" : undefined;
  let ok = true;
  for (const a of call.args) {
    if (a.name !== undefined && a.name.name !== allowedName) {
      ctx.diagnostics.push(
        diagnostic("unknown-argument", a.name.span, {
          name: a.name.name,
          callee: name,
          allowed: allowedName ?? "none; pass values without names",
        }),
      );
      ok = false;
    }
  }
  const args = call.args.map((a) => resolve(a.value, ctx));
  const n = call.args.length;
  const found = n === 0 ? "none" : n === 1 ? "1 argument" : `${n} arguments`;
  const arity = name === "abs" || name === "iw_bound" || name === "anneal" ? n === 1 : n >= 2;
  if (!arity) {
    const expected =
      name === "abs" || name === "anneal"
        ? "one argument"
        : name === "iw_bound"
          ? "one argument k"
          : "two or more arguments";
    ctx.diagnostics.push(
      diagnostic("argument-count", call.span, { callee: name, expected, found }),
    );
    return undefined;
  }
  if (!ok || args.some((a) => a === undefined)) return undefined;
  const values = args as ObjectiveExpr[];
  if (name === "abs") return { op: "unary", fn: "abs", input: values[0]! };
  if (name === "anneal") return { op: "unary", fn: "anneal", input: values[0]! };
  if (name === "max" || name === "min") return { op: "call", fn: name, args: values };
  const k = constantValue(values[0]!);
  if (k !== undefined && Number.isNaN(k)) return { op: "iw_bound", k: 1 };
  if (k === undefined || !Number.isInteger(k) || k < 1) {
    ctx.diagnostics.push(
      diagnostic("invalid-expression", originSpan(call.args[0]!.value, ctx), {
        reason: "iw_bound(k) needs a constant positive integer number of samples k",
      }),
    );
    return undefined;
  }
  return { op: "iw_bound", k };
}

/**
 * The body of `def` with its parameters replaced by the (already resolved) arguments.
 * `span` is the whole reference, `nameSpan` the objective's name in it.
 */
function inline(
  def: ObjectiveDefinition,
  args: readonly Arg[],
  span: Span,
  nameSpan: Span,
  ctx: Context,
): ObjectiveExpr | undefined {
  if (ctx.stack.includes(def.name)) {
    ctx.diagnostics.push(diagnostic("objective-recursion", nameSpan, { name: def.name }));
    return undefined;
  }
  const values = args.map((a) => resolve(a.value, ctx));
  const bound = new Map<string, Binding>();
  let mismatch = false;
  let position = 0;
  for (const [i, a] of args.entries()) {
    const target = a.name === undefined ? def.params[position++] : a.name.name;
    if (target === undefined || !def.params.includes(target) || bound.has(target)) {
      mismatch = true;
      continue;
    }
    const v = values[i];
    bound.set(
      target,
      v === undefined
        ? { kind: "unknown" }
        : { kind: "value", expr: v, span: originSpan(a.value, ctx) },
    );
  }
  if (mismatch || bound.size !== def.params.length) {
    ctx.diagnostics.push(
      diagnostic("objective-argument-mismatch", span, {
        objective: def.name,
        expected: def.params.join(", "),
        found: args.map((a) => sourceText(a.span, ctx.env)).join(", "),
      }),
    );
    return undefined;
  }
  if (values.some((v) => v === undefined)) return undefined;
  const ids = def.params.map((p) => {
    const b = bound.get(p)!;
    return idOf(b.kind === "value" ? b.expr : UNKNOWN, ctx.shared);
  });
  const key = `${def.name}(${ids.join(",")})`;
  const hit = ctx.shared.inlined.get(key);
  // A definition too large to inline is too large wherever it is used: say so here too.
  if (hit !== undefined) return hit.tooLarge ? overBudget(ctx, hit.tooLarge) : hit.result;
  const result = resolve(def.body, {
    budget: ctx.budget,
    shared: ctx.shared,
    env: ctx.env,
    params: bound,
    stack: [...ctx.stack, def.name],
    diagnostics: ctx.diagnostics,
  });
  ctx.shared.inlined.set(key, { result, tooLarge: ctx.budget.exceeded });
  return result;
}

/**
 * Where a value was written: for a parameter of an inlined objective, the argument the
 * user passed (so a bad value is reported at the call, not inside stdlib).
 */
function originSpan(e: Expr, ctx: Context): Span {
  const bound = e.kind === "Name" ? ctx.params.get(e.name) : undefined;
  return bound?.kind === "value" ? bound.span : e.span;
}

/**
 * The value of an expression without terms, or undefined when it has terms. NaN means it
 * depends on a parameter whose value is not known yet.
 */
export function constantValue(e: ObjectiveExpr): number | undefined {
  switch (e.op) {
    case "const":
      return e.value;
    case "term":
    case "iw_bound":
      return undefined;
    case "unary": {
      // anneal(v) changes during training, so it is never a constant.
      const v = e.fn === "anneal" ? undefined : constantValue(e.input);
      return v === undefined ? undefined : e.fn === "neg" ? -v : Math.abs(v);
    }
    case "call": {
      const vs = e.args.map(constantValue);
      if (vs.some((v) => v === undefined)) return undefined;
      return e.fn === "max" ? Math.max(...(vs as number[])) : Math.min(...(vs as number[]));
    }
    case "binary": {
      const a = constantValue(e.lhs);
      const b = constantValue(e.rhs);
      if (a === undefined || b === undefined) return undefined;
      return e.fn === "add" ? a + b : e.fn === "sub" ? a - b : e.fn === "mul" ? a * b : a / b;
    }
  }
}
