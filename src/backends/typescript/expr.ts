import type { DistributionIR, ModelIR, NetIR, Shape, TensorExpr } from "../../ir/types.js";
import { netWeightName, paramWeightName } from "../tfjs/layout.js";
import { identifier, numberLiteral, stringLiteral } from "./escape.js";

/** A generated value: an expression (usually an identifier) with static facts about it. */
export interface Value {
  code: string;
  /** Carries the leading batch axis. */
  batched: boolean;
  /** Event shape (batch axis excluded). */
  shape: Shape;
  /** An int32 tensor of categorical indices (must be cast before arithmetic). */
  indices: boolean;
}

type Emitted = Value | { heads: Readonly<Record<string, Value>> };

const RESERVED = new Set(
  `tf w x z spec break case catch class const continue debugger default delete do else enum
  export extends false finally for function if import in instanceof new null return super
  switch this throw true try typeof var void while with yield let static implements interface
  package private protected public await arguments eval undefined`.split(/\s+/),
);

/** A JavaScript identifier for a user name that cannot clash with generated ones. */
export function localName(name: string): string {
  const id = identifier(name);
  return RESERVED.has(id) || id.startsWith("_") ? `${id}_` : id;
}

export function weightAccess(name: string): string {
  return `w[${stringLiteral(name)}]`;
}

export function netFunctionName(net: string): string {
  return `net_${identifier(net)}`;
}

function shapeLiteral(shape: Shape): string {
  return `[${shape.map(numberLiteral).join(", ")}]`;
}

const UNARY: Record<string, string> = {
  neg: "tf.neg",
  exp: "tf.exp",
  log: "tf.log",
  softplus: "tf.softplus",
  sigmoid: "tf.sigmoid",
  tanh: "tf.tanh",
  relu: "tf.relu",
  abs: "tf.abs",
  sqrt: "tf.sqrt",
  square: "tf.square",
};

const BINARY: Record<string, string> = {
  add: "tf.add",
  sub: "tf.sub",
  mul: "tf.mul",
  div: "tf.div",
};

/**
 * Statements of one parameter function: the distribution's bindings once, in order, then
 * its parameters, each aligned (like the tfjs backend) so that a batched parameter has the
 * full [N, ...event] (or [N, ...event, K]) rank and broadcasts right-aligned.
 */
export interface ParamFunction {
  statements: string[];
  /** Parameter name → returned expression. */
  params: Record<string, string>;
  /** Parameter name → whether it carries the batch axis. */
  batched: Record<string, boolean>;
}

export function paramFunction(ir: ModelIR, d: DistributionIR): ParamFunction {
  const statements: string[] = [];
  const nets = new Map<string, NetIR>(ir.nets.map((n) => [n.name, n]));
  const locals = new Map<string, Emitted>();
  const memo = new Map<string, Emitted>();
  let temps = 0;
  const temp = (): string => `_t${++temps}`;

  const bind = (code: string, name = temp()): string => {
    statements.push(`const ${name} = ${code};`);
    return name;
  };

  const asFloat = (v: Value): string => (v.indices ? `tf.cast(${v.code}, "float32")` : v.code);

  /** Inserts singleton axes after the batch axis so a batched value has `rank` event dims. */
  const widen = (v: Value, rank: number): string => {
    if (!v.batched || v.shape.length >= rank) return v.code;
    const ones = Array<number>(rank - v.shape.length).fill(1);
    return `tf.reshape(${v.code}, [-1, ${[...ones, ...v.shape].map(numberLiteral).join(", ")}])`;
  };

  const emit = (e: TensorExpr): Emitted => {
    switch (e.op) {
      case "const":
        return {
          code:
            e.shape.length === 0
              ? `tf.scalar(${numberLiteral(e.value)})`
              : `tf.fill(${shapeLiteral(e.shape)}, ${numberLiteral(e.value)})`,
          batched: false,
          shape: e.shape,
          indices: false,
        };
      case "variable": {
        const v = e.name === ir.data.name ? ir.data : ir.latent;
        return {
          code: e.role === "data" ? "x" : "z",
          batched: true,
          shape: e.shape,
          indices: v.kind === "categorical",
        };
      }
      case "param":
        return {
          code: weightAccess(paramWeightName(e.name)),
          batched: false,
          shape: e.shape,
          indices: false,
        };
      case "local": {
        const v = locals.get(e.name);
        if (v === undefined) throw new Error(`codegen: local '${e.name}' used before binding`);
        return v;
      }
      case "net": {
        const key = `${e.net}(${JSON.stringify(e.input)})`;
        const hit = memo.get(key);
        if (hit !== undefined) return hit;
        const net = nets.get(e.net);
        if (net === undefined) throw new Error(`codegen: unknown net '${e.net}'`);
        const input = value(e.input);
        const out = bind(`${netFunctionName(net.name)}(w, ${input.code})`);
        let result: Emitted;
        if (net.output.kind === "single") {
          result = { code: out, batched: input.batched, shape: e.shape, indices: false };
        } else {
          const heads = net.output.heads;
          const names = heads.map((h) => `${out}_${identifier(h.name)}`);
          statements.push(
            `const [${names.join(", ")}] = tf.split(${out}, [${heads.map((h) => numberLiteral(h.size)).join(", ")}], -1);`,
          );
          result = {
            heads: Object.fromEntries(
              heads.map((h, i) => [
                h.name,
                { code: names[i]!, batched: input.batched, shape: [h.size], indices: false },
              ]),
            ),
          };
        }
        memo.set(key, result);
        return result;
      }
      case "head": {
        const v = emit(e.input);
        if (!("heads" in v)) throw new Error(`codegen: .${e.head} of a net without heads`);
        const h = v.heads[e.head];
        if (h === undefined) throw new Error(`codegen: no head '${e.head}'`);
        return h;
      }
      case "unary": {
        const x = value(e.input);
        return {
          code: bind(`${UNARY[e.fn]!}(${asFloat(x)})`),
          batched: x.batched,
          shape: e.shape,
          indices: false,
        };
      }
      case "binary": {
        const a = value(e.lhs);
        const b = value(e.rhs);
        const rank = Math.max(a.shape.length, b.shape.length);
        const ca = widen({ ...a, code: asFloat(a) }, rank);
        const cb = widen({ ...b, code: asFloat(b) }, rank);
        return {
          code: bind(`${BINARY[e.fn]!}(${ca}, ${cb})`),
          batched: a.batched || b.batched,
          shape: e.shape,
          indices: false,
        };
      }
      case "reshape": {
        const x = value(e.input);
        const lead = x.batched ? "-1, " : "";
        return {
          code: bind(`tf.reshape(${x.code}, [${lead}${e.shape.map(numberLiteral).join(", ")}])`),
          batched: x.batched,
          shape: e.shape,
          indices: x.indices,
        };
      }
    }
  };

  const value = (e: TensorExpr): Value => {
    const v = emit(e);
    if ("heads" in v) throw new Error("codegen: a net with heads used without selecting one");
    return v;
  };

  for (const b of d.bindings) {
    const v = emit(b.value);
    if ("heads" in v) {
      locals.set(b.name, v);
    } else {
      locals.set(b.name, { ...v, code: bind(v.code, localName(b.name)) });
    }
  }

  const variable = d.variable === ir.data.name ? ir.data : ir.latent;
  const rank = variable.shape.length + (d.dist === "Categorical" ? 1 : 0);
  const params: Record<string, string> = {};
  const batched: Record<string, boolean> = {};
  // A categorical parameter without the K axis (`logits: 0`, the uniform prior) gets it,
  // as in the tfjs backend: the family reads K from the last axis; adding zero is exact.
  const k = d.dist === "Categorical" ? variable.categories : undefined;
  for (const [name, expr] of Object.entries(d.params)) {
    const v = value(expr);
    const code = widen({ ...v, code: asFloat(v) }, rank);
    params[name] =
      k !== undefined && v.shape[v.shape.length - 1] !== k
        ? `tf.add(${code}, tf.zeros([${numberLiteral(k)}]))`
        : code;
    batched[name] = v.batched;
  }
  return { statements, params, batched };
}

/** The body of `net_<name>(w, input)`: straight-line layers with this net's weights. */
export function netStatements(net: NetIR): string[] {
  const W = (local: string): string => weightAccess(netWeightName(net.name, local));
  const outSize =
    net.output.kind === "single"
      ? net.output.size
      : net.output.heads.reduce((s, h) => s + h.size, 0);
  if (net.kind === "table") {
    return [`return tf.gather(${W("table")}, tf.cast(input, "int32"));`];
  }
  const lines = [
    "const lead = input.shape.slice(0, -1);",
    // matMul wants rank 2: fold any leading dims (batch, or none for an unbatched input).
    `let h = tf.reshape(tf.cast(input, "float32"), [-1, ${numberLiteral(net.inputSize)}]);`,
  ];
  const layers = net.hidden.length + 1;
  for (let i = 0; i < layers; i++) {
    const affine = `tf.add(tf.matMul(h, ${W(`${i}.W`)}), ${W(`${i}.b`)})`;
    const last = i + 1 === layers;
    const act =
      last || net.activation === "identity"
        ? affine
        : `tf.${identifier(net.activation)}(${affine})`;
    lines.push(`h = ${act};`);
  }
  lines.push(`return tf.reshape(h, [...lead, ${numberLiteral(outSize)}]);`);
  return lines;
}
