import type { CheckedDistribution, CheckedExpr, CheckedModel } from "../semantics/types.js";
import { lookupDistribution } from "../stdlib/distributions/index.js";
import { elementCount, isFlatVectorOf } from "./shapes.js";
import {
  IR_VERSION,
  type DistributionIR,
  type ModelIR,
  type ObjectiveIR,
  type Shape,
  type TensorExpr,
  type VariableIR,
} from "./types.js";

/**
 * A checked model and its resolved objective as plain IR: spans and static types are
 * dropped, every tensor node keeps its event shape. Only a model that checked without
 * errors can be lowered, so anything odd here is a bug and throws.
 */
export function lowerModel(model: CheckedModel, objective: ObjectiveIR): ModelIR {
  return {
    irVersion: IR_VERSION,
    name: model.name,
    data: lowerVariable(model.data),
    latent: lowerVariable(model.latent),
    params: model.params.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      init: p.init,
      ...(p.initScale !== undefined ? { initScale: p.initScale } : {}),
    })),
    nets: model.nets.map((n) => ({
      name: n.name,
      kind: n.kind,
      inputSize: n.inputSize,
      hidden: [...n.hidden],
      activation: n.activation,
      output:
        n.output.kind === "single"
          ? { kind: "single", size: n.output.size }
          : { kind: "heads", heads: n.output.heads.map((h) => ({ name: h.name, size: h.size })) },
    })),
    prior: lowerDistribution(model.prior, model),
    encoder: lowerDistribution(model.encoder, model),
    decoder: lowerDistribution(model.decoder, model),
    objective: structuredClone(objective),
    train: { ...model.train, optimizer: { ...model.train.optimizer } },
  };
}

function lowerVariable(v: CheckedModel["data"]): VariableIR {
  const out: VariableIR = { name: v.name, kind: v.kind, shape: [...v.shape] };
  if (v.categories !== undefined) out.categories = v.categories;
  return out;
}

function lowerDistribution(d: CheckedDistribution, model: CheckedModel): DistributionIR {
  const variable = d.variable === model.data.name ? model.data : model.latent;
  const eventShaped = lookupDistribution(d.dist)?.paramShape === "event";
  const params: Record<string, TensorExpr> = {};
  for (const [name, e] of Object.entries(d.params)) {
    const lowered = lowerTensorExpr(e);
    // The checker let a vector [n] through for a variable of n values (rank ≥ 2).
    params[name] =
      eventShaped && isFlatVectorOf(lowered.shape, variable.shape)
        ? reshaped(lowered, variable.shape)
        : lowered;
  }
  return {
    role: d.role,
    label: d.label,
    variable: d.variable,
    given: d.given,
    dist: d.dist,
    params,
    bindings: d.bindings.map((b) => ({ name: b.name, value: lowerTensorExpr(b.value) })),
  };
}

function reshaped(input: TensorExpr, shape: Shape): TensorExpr {
  return { op: "reshape", input, shape: [...shape] };
}

function shapeOf(e: CheckedExpr): Shape {
  const t = e.type;
  switch (t.kind) {
    case "tensor":
    case "index":
      return [...t.shape];
    case "heads":
      return [];
    case "error":
      throw new Error(`lowerModel: an expression with errors reached lowering (${e.op})`);
  }
}

export function lowerTensorExpr(e: CheckedExpr): TensorExpr {
  const shape = shapeOf(e);
  switch (e.op) {
    case "const":
      return { op: "const", value: e.value, shape };
    case "variable":
      return { op: "variable", name: e.name, role: e.role, shape };
    case "param":
      return { op: "param", name: e.name, shape };
    case "local":
      return { op: "local", name: e.name, shape };
    case "net": {
      const input = lowerTensorExpr(e.input);
      // A vector net takes a tensor of rank ≥ 2 flattened row-major (the checker matched
      // its size); index inputs (tables) keep their shape.
      const flat =
        e.input.type.kind === "tensor" && input.shape.length >= 2
          ? reshaped(input, [elementCount(input.shape)])
          : input;
      return { op: "net", net: e.net, input: flat, shape };
    }
    case "head":
      return { op: "head", input: lowerTensorExpr(e.input), head: e.head, shape };
    case "unary":
      return { op: "unary", fn: e.fn, input: lowerTensorExpr(e.input), shape };
    case "binary":
      return {
        op: "binary",
        fn: e.fn,
        lhs: lowerTensorExpr(e.lhs),
        rhs: lowerTensorExpr(e.rhs),
        shape,
      };
  }
}
