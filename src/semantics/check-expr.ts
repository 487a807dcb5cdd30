import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import { elementwiseFunctions, lookupElementwiseFunction } from "../stdlib/functions.js";
import type { NetSignature } from "../stdlib/nets/index.js";
import type { Call, Expr, Member } from "../syntax/ast.js";
import type { Shape } from "../ir/types.js";
import { fitsFloat32, FLOAT32_RANGE } from "../syntax/limits.js";
import { broadcastShapes, elementCount, formatShape, formatType } from "./shapes.js";
import type { CheckedExpr, CheckedNet, CheckedParam, CheckedVariable, ExprType } from "./types.js";

/** What a distribution's parameter expressions can see. */
export interface ExprScope {
  role: "prior" | "encoder" | "decoder";
  /** The variable this role may read: none for the prior, the data for the encoder, ... */
  visible: CheckedVariable | undefined;
  /** Declared variables the role may not read (reported as variable-out-of-scope). */
  hidden: CheckedVariable[];
  params: ReadonlyMap<string, CheckedParam>;
  nets: ReadonlyMap<string, { net: CheckedNet; signature: NetSignature }>;
  /** Model-level names whose declarations were already reported as invalid. */
  invalid: ReadonlySet<string>;
  /** `where` bindings seen so far, in order. */
  locals: Map<string, CheckedExpr>;
  diagnostics: Diagnostic[];
}

const ERROR: ExprType = { kind: "error" };

function node(span: Span, type: ExprType, rest: Record<string, unknown>): CheckedExpr {
  return { span, type, ...rest } as CheckedExpr;
}

function variableType(v: CheckedVariable): ExprType {
  if (v.kind === "categorical") {
    return { kind: "index", categories: v.categories!, shape: [...v.shape] };
  }
  return { kind: "tensor", value: v.kind, shape: [...v.shape] };
}

function allowedNames(scope: ExprScope): string {
  const names = [
    ...(scope.visible ? [`'${scope.visible.name}'`] : []),
    "params",
    "nets",
    "where-bindings",
  ];
  return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
}

/** A type-checked tensor expression; every problem found is reported, none thrown. */
export function checkTensorExpr(e: Expr, scope: ExprScope): CheckedExpr {
  const report = (d: Diagnostic): CheckedExpr => {
    scope.diagnostics.push(d);
    return node(e.span, ERROR, { op: "const", value: 0 });
  };
  switch (e.kind) {
    case "NumberLit":
      if (!fitsFloat32(e.value)) {
        return report(
          diagnostic("number-out-of-range", e.span, { text: e.text, range: FLOAT32_RANGE }),
        );
      }
      return node(
        e.span,
        { kind: "tensor", value: "real", shape: [] },
        {
          op: "const",
          value: e.value,
        },
      );
    case "StringLit":
      return report(
        diagnostic("invalid-expression", e.span, { reason: "a string is not a tensor" }),
      );
    case "Arrow":
      return report(
        diagnostic("invalid-expression", e.span, {
          reason: "layer sizes (a -> b) belong in a net declaration",
        }),
      );
    case "RecordLit":
      return report(
        diagnostic("invalid-expression", e.span, {
          reason: "named fields (name: value) belong in a net's output layer",
        }),
      );
    case "Name":
      return checkName(e.name, e.span, scope, report);
    case "Call":
      return checkCall(e, scope, report);
    case "Member":
      return checkMember(e, scope, report);
    case "Unary": {
      const input = checkTensorExpr(e.operand, scope);
      const t = tensorOperand(input, scope);
      return node(e.span, t ? { kind: "tensor", value: "real", shape: t } : ERROR, {
        op: "unary",
        fn: "neg",
        input,
      });
    }
    case "Binary": {
      const lhs = checkTensorExpr(e.left, scope);
      const rhs = checkTensorExpr(e.right, scope);
      const a = tensorOperand(lhs, scope);
      const b = tensorOperand(rhs, scope);
      const fn = ({ "+": "add", "-": "sub", "*": "mul", "/": "div" } as const)[e.op];
      let type: ExprType = ERROR;
      if (a !== undefined && b !== undefined) {
        const shape = broadcastShapes(a, b);
        if (shape === undefined) {
          scope.diagnostics.push(
            diagnostic("shape-mismatch", e.span, {
              what: `the operands of '${e.op}'`,
              expected: `a shape that broadcasts with ${formatShape(a)}`,
              found: formatShape(b),
            }),
          );
        } else {
          type = { kind: "tensor", value: "real", shape };
        }
      }
      return node(e.span, type, { op: "binary", fn, lhs, rhs });
    }
  }
}

/**
 * The shape of a real-valued operand, or undefined (reported unless already reported):
 * indices and net heads are not numbers that arithmetic may touch.
 */
export function tensorOperand(e: CheckedExpr, scope: ExprScope): number[] | undefined {
  const t = e.type;
  if (t.kind === "tensor") return t.shape;
  if (t.kind === "index") {
    const what = e.op === "variable" || e.op === "local" ? `'${e.name}'` : "this";
    scope.diagnostics.push(
      diagnostic("invalid-expression", e.span, {
        reason: `${what} is a ${formatType(t)} index, which only a table net can take as input`,
      }),
    );
  } else if (t.kind === "heads") {
    scope.diagnostics.push(
      diagnostic("heads-not-selected", e.span, {
        net: t.net,
        available: t.heads.map((h) => h.name).join(", "),
      }),
    );
  }
  return undefined;
}

function checkName(
  name: string,
  span: Span,
  scope: ExprScope,
  report: (d: Diagnostic) => CheckedExpr,
): CheckedExpr {
  const local = scope.locals.get(name);
  if (local !== undefined) return node(span, local.type, { op: "local", name });
  if (scope.visible?.name === name) {
    return node(span, variableType(scope.visible), {
      op: "variable",
      name,
      role: scope.visible.role,
    });
  }
  if (scope.hidden.some((v) => v.name === name)) {
    return report(
      diagnostic("variable-out-of-scope", span, {
        name,
        role: scope.role,
        allowed: allowedNames(scope),
      }),
    );
  }
  const param = scope.params.get(name);
  if (param !== undefined) {
    return node(
      span,
      { kind: "tensor", value: "real", shape: [...param.shape] },
      {
        op: "param",
        name,
      },
    );
  }
  if (scope.nets.has(name)) {
    return report(
      diagnostic("invalid-expression", span, {
        reason: `net '${name}' must be applied to an input, as in ${name}(...)`,
      }),
    );
  }
  if (scope.invalid.has(name)) return node(span, ERROR, { op: "const", value: 0 });
  if (elementwiseFunctions.has(name)) {
    return report(
      diagnostic("invalid-expression", span, {
        reason: `function '${name}' must be applied to an argument, as in ${name}(...)`,
      }),
    );
  }
  return report(diagnostic("undefined-name", span, { name }));
}

/** The single positional input of a net or function call, or undefined after reporting. */
function singleInput(call: Call, scope: ExprScope): Expr | undefined {
  const callee = call.callee.name;
  let ok = true;
  for (const arg of call.args) {
    if (arg.name !== undefined) {
      scope.diagnostics.push(
        diagnostic("unknown-argument", arg.name.span, {
          name: arg.name.name,
          callee,
          allowed: "none; pass the input without a name",
        }),
      );
      ok = false;
    }
  }
  if (call.args.length !== 1) {
    const n = call.args.length;
    scope.diagnostics.push(
      diagnostic("argument-count", call.span, {
        callee,
        expected: "one input",
        found: n === 0 ? "none" : `${n} arguments`,
      }),
    );
    ok = false;
  }
  return ok ? call.args[0]!.value : undefined;
}

function checkCall(
  call: Call,
  scope: ExprScope,
  report: (d: Diagnostic) => CheckedExpr,
): CheckedExpr {
  const name = call.callee.name;
  const net = scope.nets.get(name);
  const fn = lookupElementwiseFunction(name);
  const isValue =
    scope.locals.has(name) ||
    scope.params.has(name) ||
    scope.visible?.name === name ||
    scope.hidden.some((v) => v.name === name);
  if (net === undefined && fn === undefined) {
    // Arguments are still checked so that their own mistakes are reported too.
    for (const arg of call.args) checkTensorExpr(arg.value, scope);
    if (isValue) return report(diagnostic("not-a-net", call.callee.span, { name }));
    if (scope.invalid.has(name)) return node(call.span, ERROR, { op: "const", value: 0 });
    const available = [...scope.nets.keys(), ...elementwiseFunctions.keys()].join(", ");
    return report(diagnostic("unknown-function", call.callee.span, { name, available }));
  }
  const arg = singleInput(call, scope);
  if (arg === undefined) {
    for (const a of call.args) checkTensorExpr(a.value, scope);
    return node(call.span, ERROR, { op: "const", value: 0 });
  }
  const input = checkTensorExpr(arg, scope);
  if (net !== undefined) {
    return node(call.span, netOutputType(net.net, net.signature, input, scope), {
      op: "net",
      net: name,
      input,
    });
  }
  const shape = tensorOperand(input, scope);
  return node(call.span, shape ? { kind: "tensor", value: "real", shape } : ERROR, {
    op: "unary",
    fn: fn!,
    input,
  });
}

function netOutputType(
  net: CheckedNet,
  signature: NetSignature,
  input: CheckedExpr,
  scope: ExprScope,
): ExprType {
  const t = input.type;
  if (t.kind === "error") return ERROR;
  const mismatch = (expected: string): ExprType => {
    if (t.kind === "heads") {
      tensorOperand(input, scope);
      return ERROR;
    }
    scope.diagnostics.push(
      diagnostic("net-input-mismatch", input.span, {
        net: net.name,
        expected,
        found: formatType(t),
      }),
    );
    return ERROR;
  };
  const outShape = (prefix: number[]): ExprType =>
    net.output.kind === "single"
      ? { kind: "tensor", value: "real", shape: [...prefix, net.output.size] }
      : { kind: "heads", net: net.name, heads: net.output.heads.map((h) => ({ ...h })) };
  if (signature.input === "index") {
    if (t.kind !== "index" || t.categories !== net.inputSize) {
      return mismatch(`categorical<${net.inputSize}>`);
    }
    return outShape(t.shape);
  }
  if (t.kind !== "tensor" || !fitsVectorInput(t.shape, net.inputSize)) {
    // Named only where flattening was on offer, so a plain size mismatch reads as before.
    const n = net.inputSize;
    const flat = t.kind === "tensor" && t.shape.length >= 2;
    return mismatch(`real[${n}]` + (flat ? ` (or any shape of ${n} values)` : ""));
  }
  return outShape([]);
}

/**
 * True when a tensor of event shape `shape` can be a vector net's input of `size` values:
 * a vector of exactly that size, or a tensor of rank 2 or more holding that many values,
 * which lowering flattens row-major.
 */
function fitsVectorInput(shape: Shape, size: number): boolean {
  if (shape.length === 1) return shape[0] === size;
  return shape.length >= 2 && elementCount(shape) === size;
}

/** The expression a name stands for, seeing through `where` bindings. */
function definition(e: CheckedExpr, scope: ExprScope): CheckedExpr {
  if (e.op === "local") {
    const v = scope.locals.get(e.name);
    if (v !== undefined) return definition(v, scope);
  }
  return e;
}

function checkMember(
  m: Member,
  scope: ExprScope,
  report: (d: Diagnostic) => CheckedExpr,
): CheckedExpr {
  const input = checkTensorExpr(m.object, scope);
  const t = input.type;
  const head = m.member.name;
  if (t.kind === "error") return node(m.span, ERROR, { op: "head", input, head });
  if (t.kind === "heads") {
    const found = t.heads.find((h) => h.name === head);
    if (found === undefined) {
      return report(
        diagnostic("unknown-head", m.member.span, {
          name: head,
          net: t.net,
          available: t.heads.map((h) => h.name).join(", "),
        }),
      );
    }
    return node(
      m.span,
      { kind: "tensor", value: "real", shape: [found.size] },
      {
        op: "head",
        input,
        head,
      },
    );
  }
  const def = definition(input, scope);
  if (def.op === "net") return report(diagnostic("no-heads", m.member.span, { net: def.net }));
  return report(
    diagnostic("invalid-expression", m.member.span, {
      reason: `only the output of a net with named heads has fields such as '.${head}'`,
    }),
  );
}
