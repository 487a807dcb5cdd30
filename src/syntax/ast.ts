import type { Span } from "../diagnostics/span.js";

/**
 * The abstract syntax tree. Every node carries the span of the source it came from, so
 * later stages can attach diagnostics to nodes instead of raw offsets. Nodes are plain
 * data (no methods, no parent links) and are JSON-serializable (`vae check --emit ast`).
 */
export interface NodeBase {
  span: Span;
}

export interface Ident extends NodeBase {
  kind: "Ident";
  name: string;
}

export interface Program extends NodeBase {
  kind: "Program";
  imports: Import[];
  models: Model[];
  objectives: ObjectiveDef[];
}

/** `import "path.vae"` — brings the imported file's objective definitions into scope. */
export interface Import extends NodeBase {
  kind: "Import";
  path: StringLit;
}

/** `objective name(param, ...) = expr` at top level (stdlib and user files). */
export interface ObjectiveDef extends NodeBase {
  kind: "ObjectiveDef";
  name: Ident;
  params: Ident[];
  body: Expr;
}

export interface Model extends NodeBase {
  kind: "Model";
  name: Ident;
  decls: Decl[];
}

export type Decl =
  VariableDecl | ParamDecl | NetDecl | DistributionDecl | ObjectiveDecl | TrainDecl;

/** `data x: binary[784]` / `latent z: real[20]` */
export interface VariableDecl extends NodeBase {
  kind: "VariableDecl";
  role: "data" | "latent";
  name: Ident;
  type: TypeExpr;
}

/** `real[784]`, `binary[28, 28]`, `unit`, `categorical<30>`, `categorical<10>[3]` */
export interface TypeExpr extends NodeBase {
  kind: "TypeExpr";
  base: Ident;
  /** The K of `categorical<K>`; absent for other bases. */
  categories?: NumberLit;
  /** Empty for scalars. */
  shape: NumberLit[];
}

/** `param log_sigma: real = 0` */
export interface ParamDecl extends NodeBase {
  kind: "ParamDecl";
  name: Ident;
  type: TypeExpr;
  init?: Expr;
}

/** `net enc = mlp(784 -> 400 -> (loc: 20, log_scale: 20), activation: tanh)` */
export interface NetDecl extends NodeBase {
  kind: "NetDecl";
  name: Ident;
  def: Call;
}

/**
 * `prior p(z) = ...`, `encoder q(z|x) = ...`, `decoder p(x|z) = ...`.
 * `label` is the free name before the parentheses (p, q, e, d, m...).
 */
export interface DistributionDecl extends NodeBase {
  kind: "DistributionDecl";
  role: "prior" | "encoder" | "decoder";
  label: Ident;
  target: Ident;
  given?: Ident;
  dist: Call;
  bindings: Binding[];
}

/** One `name = expr` after `where`. */
export interface Binding extends NodeBase {
  kind: "Binding";
  name: Ident;
  value: Expr;
}

/** `objective elbo` / `objective beta_vae(beta: 4)` inside a model. */
export interface ObjectiveDecl extends NodeBase {
  kind: "ObjectiveDecl";
  expr: Expr;
}

/** `train { dataset: "binarized-mnist" optimizer: adam(lr: 0.001) ... }` */
export interface TrainDecl extends NodeBase {
  kind: "TrainDecl";
  entries: TrainEntry[];
}

export interface TrainEntry extends NodeBase {
  kind: "TrainEntry";
  key: Ident;
  value: Expr;
}

export type Expr =
  NumberLit | StringLit | Name | Call | Member | Unary | Binary | Arrow | RecordLit;

export interface NumberLit extends NodeBase {
  kind: "NumberLit";
  value: number;
  /** The literal as written, e.g. "1e-3"; kept for messages. */
  text: string;
}

export interface StringLit extends NodeBase {
  kind: "StringLit";
  value: string;
}

export interface Name extends NodeBase {
  kind: "Name";
  name: string;
}

/** `f(a, name: b)`: arguments may be positional or named. */
export interface Call extends NodeBase {
  kind: "Call";
  callee: Ident;
  args: Arg[];
}

export interface Arg extends NodeBase {
  kind: "Arg";
  name?: Ident;
  value: Expr;
}

/** `h.loc` — a named head of a net output. */
export interface Member extends NodeBase {
  kind: "Member";
  object: Expr;
  member: Ident;
}

export interface Unary extends NodeBase {
  kind: "Unary";
  op: "-";
  operand: Expr;
}

export interface Binary extends NodeBase {
  kind: "Binary";
  op: "+" | "-" | "*" | "/";
  left: Expr;
  right: Expr;
}

/** `784 -> 400 -> (loc: 20, log_scale: 20)`: a net architecture; at least two items. */
export interface Arrow extends NodeBase {
  kind: "Arrow";
  items: Expr[];
}

/** `(loc: 20, log_scale: 20)`: named fields, used for net output heads. */
export interface RecordLit extends NodeBase {
  kind: "RecordLit";
  fields: RecordField[];
}

export interface RecordField extends NodeBase {
  kind: "RecordField";
  name: Ident;
  value: Expr;
}
