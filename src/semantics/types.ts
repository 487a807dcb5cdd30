import type { Span } from "../diagnostics/span.js";
import type {
  BinaryFn,
  NetIR,
  ParamIR,
  Shape,
  TrainIR,
  UnaryFn,
  ValueKind,
  VariableIR,
} from "../ir/types.js";
import type { Expr } from "../syntax/ast.js";

/**
 * The static type of a tensor expression.
 *  - tensor: real-valued numbers of an event shape; `kind` remembers where they came from
 *    (a binary data variable stays "binary" until arithmetic makes it "real"), for messages.
 *  - index: categorical indices in 0..categories-1; only a table net can consume them.
 *  - heads: the output of a net with named heads; only `.name` can consume it.
 *  - error: a subexpression already reported; suppresses follow-on diagnostics.
 */
export type ExprType =
  | { kind: "tensor"; value: Exclude<ValueKind, "categorical">; shape: Shape }
  | { kind: "index"; categories: number; shape: Shape }
  | { kind: "heads"; net: string; heads: { name: string; size: number }[] }
  | { kind: "error" };

/** A type-checked tensor expression: the IR node plus its span and static type. */
export type CheckedExpr = { span: Span; type: ExprType } & (
  | { op: "const"; value: number }
  | { op: "variable"; name: string; role: "data" | "latent" }
  | { op: "param"; name: string }
  | { op: "local"; name: string }
  | { op: "net"; net: string; input: CheckedExpr }
  | { op: "head"; input: CheckedExpr; head: string }
  | { op: "unary"; fn: UnaryFn; input: CheckedExpr }
  | { op: "binary"; fn: BinaryFn; lhs: CheckedExpr; rhs: CheckedExpr }
);

export interface CheckedVariable extends VariableIR {
  role: "data" | "latent";
  span: Span;
}

export interface CheckedParam extends ParamIR {
  span: Span;
}

export interface CheckedNet extends NetIR {
  span: Span;
}

export interface CheckedDistribution {
  role: "prior" | "encoder" | "decoder";
  label: string;
  variable: string;
  given: string | null;
  dist: string;
  params: Record<string, CheckedExpr>;
  bindings: { name: string; value: CheckedExpr }[];
  span: Span;
}

/** A model whose names, roles, types and shapes are consistent; ready for lowering. */
export interface CheckedModel {
  name: string;
  span: Span;
  data: CheckedVariable;
  latent: CheckedVariable;
  params: CheckedParam[];
  nets: CheckedNet[];
  prior: CheckedDistribution;
  encoder: CheckedDistribution;
  decoder: CheckedDistribution;
  /**
   * The model's `objective` expression, unresolved: objective names live in files beyond
   * this model (stdlib, imports), so src/objectives resolves it. null: none declared.
   */
  objective: Expr | null;
  train: TrainIR;
}
