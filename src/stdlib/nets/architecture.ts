import { diagnostic, type Diagnostic } from "../../diagnostics/index.js";
import type { Activation, NetOutputIR } from "../../ir/types.js";
import type { Arg, Arrow, Call, Expr, NumberLit } from "../../syntax/ast.js";

export const activations: readonly Activation[] = [
  "tanh",
  "relu",
  "sigmoid",
  "softplus",
  "identity",
];

export function isPositiveInteger(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/** The arrow of a net definition, split into layer sizes and the output. */
export interface Architecture {
  /** Input size followed by hidden-layer widths. */
  sizes: number[];
  output: NetOutputIR;
  arrow: Arrow;
}

export interface NetCallParts {
  architecture?: Architecture;
  named: Map<string, Arg>;
}

/**
 * Splits `kind(a -> b -> c, name: value, ...)` into its architecture and named options,
 * reporting every malformed part. `options` lists the named arguments `kind` accepts.
 */
export function splitNetCall(
  kind: string,
  call: Call,
  options: readonly string[],
  diagnostics: Diagnostic[],
): NetCallParts {
  const named = new Map<string, Arg>();
  let architecture: Architecture | undefined;
  let sawArrow = false;
  call.args.forEach((arg, i) => {
    if (arg.name === undefined) {
      if (i === 0 && arg.value.kind === "Arrow") {
        sawArrow = true;
        architecture = checkArrow(kind, arg.value, diagnostics);
      } else if (i === 0) {
        diagnostics.push(
          diagnostic("invalid-architecture", arg.span, {
            net: kind,
            reason: `the first argument must be layer sizes such as ${example(kind)}`,
          }),
        );
        sawArrow = true;
      } else {
        diagnostics.push(diagnostic("positional-argument", arg.span, { callee: kind }));
      }
      return;
    }
    const name = arg.name.name;
    if (!options.includes(name)) {
      diagnostics.push(
        diagnostic("unknown-argument", arg.name.span, {
          name,
          callee: kind,
          allowed: options.length > 0 ? options.join(", ") : "none besides the layer sizes",
        }),
      );
    } else if (named.has(name)) {
      diagnostics.push(diagnostic("duplicate-argument", arg.name.span, { name }));
    } else {
      named.set(name, arg);
    }
  });
  if (!sawArrow) {
    diagnostics.push(
      diagnostic("invalid-architecture", call.span, {
        net: kind,
        reason: `missing layer sizes such as ${example(kind)}`,
      }),
    );
  }
  return { architecture, named };
}

function example(kind: string): string {
  if (kind === "mlp") return "784 -> 400 -> 20";
  if (kind === "table") return "30 -> 30";
  return "64 -> 4";
}

function checkArrow(
  kind: string,
  arrow: Arrow,
  diagnostics: Diagnostic[],
): Architecture | undefined {
  const before = diagnostics.length;
  const sizes: number[] = [];
  const items = arrow.items;
  items.slice(0, -1).forEach((item, i) => {
    const n = checkSize(kind, item, i === 0 ? "input size" : "layer size", diagnostics);
    if (n !== undefined) sizes.push(n);
  });
  const last = items[items.length - 1];
  let output: NetOutputIR | undefined;
  if (last === undefined || items.length < 2) {
    diagnostics.push(
      diagnostic("invalid-architecture", arrow.span, {
        net: kind,
        reason: "an architecture needs an input size and an output",
      }),
    );
  } else if (last.kind === "RecordLit") {
    const heads: { name: string; size: number }[] = [];
    for (const field of last.fields) {
      if (heads.some((h) => h.name === field.name.name)) {
        diagnostics.push(
          diagnostic("duplicate-declaration", field.name.span, { name: field.name.name }),
        );
        continue;
      }
      const n = checkSize(kind, field.value, "head size", diagnostics);
      if (n !== undefined) heads.push({ name: field.name.name, size: n });
    }
    if (last.fields.length === 0) {
      diagnostics.push(
        diagnostic("invalid-architecture", last.span, {
          net: kind,
          reason: "the output record names no heads",
        }),
      );
    }
    output = { kind: "heads", heads };
  } else {
    const n = checkSize(kind, last, "output size", diagnostics);
    if (n !== undefined) output = { kind: "single", size: n };
  }
  if (diagnostics.length > before || output === undefined) return undefined;
  return { sizes, output, arrow };
}

function checkSize(
  kind: string,
  e: Expr,
  what: string,
  diagnostics: Diagnostic[],
): number | undefined {
  if (e.kind === "NumberLit") return checkSizeLiteral(e, diagnostics);
  diagnostics.push(
    diagnostic("invalid-architecture", e.span, {
      net: kind,
      reason:
        e.kind === "RecordLit"
          ? "named heads may only be the last item"
          : `the ${what} must be a positive integer`,
    }),
  );
  return undefined;
}

/** A size written as a literal: a positive integer, else `invalid-size`. */
export function checkSizeLiteral(n: NumberLit, diagnostics: Diagnostic[]): number | undefined {
  if (isPositiveInteger(n.value)) return n.value;
  diagnostics.push(diagnostic("invalid-size", n.span, { value: n.text }));
  return undefined;
}

/** The `activation:` option of `kind`, or `fallback` when absent. */
export function checkActivation(
  kind: string,
  arg: Arg | undefined,
  fallback: Activation,
  diagnostics: Diagnostic[],
): Activation | undefined {
  if (arg === undefined) return fallback;
  const v = arg.value;
  if (v.kind !== "Name") {
    diagnostics.push(
      diagnostic("invalid-architecture", v.span, {
        net: kind,
        reason: `the activation must be one of ${activations.join(", ")}`,
      }),
    );
    return undefined;
  }
  const found = activations.find((a) => a === v.name);
  if (found === undefined) {
    diagnostics.push(
      diagnostic("unknown-activation", v.span, { name: v.name, available: activations.join(", ") }),
    );
  }
  return found;
}
