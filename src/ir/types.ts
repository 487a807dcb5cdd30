/**
 * The intermediate representation: plain, JSON-serializable data that the frontend
 * (syntax + semantics) produces and the backends (tfjs, TypeScript codegen) and the
 * engine consume. Nothing here imports tfjs. Shapes are *event* shapes: the batch
 * dimension (and the sample dimension) are implicit and always leading.
 */
export const IR_VERSION = 1;

export type Shape = number[];

export type ValueKind = "real" | "binary" | "unit" | "categorical";

/** A declared random variable (`data x: binary[784]`, `latent z: categorical<30>`). */
export interface VariableIR {
  name: string;
  kind: ValueKind;
  /** Event shape; [] for a scalar. For categorical the values are integer indices of this shape. */
  shape: Shape;
  /** K for categorical<K>. */
  categories?: number;
}

/** `param name: real[n] = init` — a free learnable tensor, initialised to a constant. */
export interface ParamIR {
  name: string;
  shape: Shape;
  init: number;
  /** `= normal(loc: init, scale: initScale)`: entries drawn from N(init, initScale²). */
  initScale?: number;
}

export type Activation = "tanh" | "relu" | "sigmoid" | "softplus" | "identity";

/**
 * A parameterized function. `kind` names an entry of the net registry
 * (src/stdlib/nets): "linear", "mlp", "table".
 *  - linear/mlp: input is a real vector of size `inputSize`; `hidden` are hidden-layer
 *    widths (empty for linear); the last layer is affine (no activation) and produces
 *    either one output or several named heads (each an affine map of the last hidden layer).
 *  - table: input is a categorical index in 0..inputSize-1; output is a looked-up row.
 */
export interface NetIR {
  name: string;
  kind: string;
  inputSize: number;
  hidden: number[];
  activation: Activation;
  output: NetOutputIR;
}

export type NetOutputIR =
  { kind: "single"; size: number } | { kind: "heads"; heads: { name: string; size: number }[] };

export type UnaryFn =
  "neg" | "exp" | "log" | "softplus" | "sigmoid" | "tanh" | "relu" | "abs" | "sqrt" | "square";

export type BinaryFn = "add" | "sub" | "mul" | "div";

/**
 * A tensor-valued expression used for distribution parameters. Every node carries its
 * event shape (batch dims excluded); `net` nodes with named heads have shape [] and
 * must be consumed by a `head` node.
 */
export type TensorExpr =
  | { op: "const"; value: number; shape: Shape }
  | { op: "variable"; name: string; role: "data" | "latent"; shape: Shape }
  | { op: "param"; name: string; shape: Shape }
  | { op: "local"; name: string; shape: Shape }
  | { op: "net"; net: string; input: TensorExpr; shape: Shape }
  | { op: "head"; input: TensorExpr; head: string; shape: Shape }
  | { op: "unary"; fn: UnaryFn; input: TensorExpr; shape: Shape }
  | { op: "binary"; fn: BinaryFn; lhs: TensorExpr; rhs: TensorExpr; shape: Shape }
  /**
   * The same values in row-major order under another event shape of equal size (batch axis
   * kept). Lowering inserts it where an image-shaped value meets a vector: before a vector
   * net's input, and on a parameter [n] of a distribution over a variable of n values.
   */
  | { op: "reshape"; input: TensorExpr; shape: Shape };

/**
 * A distribution instance for one role. `dist` names an entry of the distribution
 * registry (src/stdlib/distributions): "Normal", "Bernoulli", "Categorical".
 * `params` uses the parameterization the user wrote (e.g. `log_scale` or `scale`);
 * each parameter's shape broadcasts to the variable's event shape (for Categorical:
 * to shape + [K]). `bindings` (from `where`) are evaluated once, in order, before params.
 */
export interface DistributionIR {
  role: "prior" | "encoder" | "decoder";
  /** The label the user wrote (p, q, e, d, m, ...), for messages and codegen. */
  label: string;
  variable: string;
  given: string | null;
  dist: string;
  params: Record<string, TensorExpr>;
  bindings: { name: string; value: TensorExpr }[];
}

export type ObjectiveTerm = "distortion" | "rate" | "mutual_info" | "marginal_kl" | "entropy";

/**
 * An objective after every named objective has been inlined: a tree over terms.
 * `anneal` scales its input by the training schedule factor min(1, t / train.anneal).
 */
export type ObjectiveExpr =
  | { op: "const"; value: number }
  | { op: "term"; term: ObjectiveTerm }
  | { op: "iw_bound"; k: number }
  | { op: "unary"; fn: "neg" | "abs" | "anneal"; input: ObjectiveExpr }
  | { op: "binary"; fn: BinaryFn; lhs: ObjectiveExpr; rhs: ObjectiveExpr }
  | { op: "call"; fn: "max" | "min"; args: ObjectiveExpr[] };

/**
 * When the objective is linear in the terms, its canonical form after substituting
 * mutual_info -> entropy - distortion (Barber–Agakov) and
 * marginal_kl -> rate - mutual_info (ELBO surgery):
 *   loss = distortion * D + rate * R + entropy * H + constant.
 * `null` when the objective is not linear (e.g. target_rate's |sigma - rate|).
 */
export interface LinearObjectiveIR {
  distortion: number;
  rate: number;
  entropy: number;
  constant: number;
}

export interface ObjectiveIR {
  /** As written, e.g. "beta_vae(beta: 4)". */
  source: string;
  expr: ObjectiveExpr;
  linear: LinearObjectiveIR | null;
}

export type OptimizerName = "adam" | "adagrad" | "sgd";
export type EstimatorName = "reparam" | "enumerate" | "score";

/** Training defaults from the `train { }` block, with every default filled in. */
export interface TrainIR {
  /** Dataset name or path; null when the file names none (then `--data` is required). */
  dataset: string | null;
  optimizer: { name: OptimizerName; lr: number };
  batch: number;
  epochs: number;
  /** L: Monte Carlo samples of z per data point. */
  samples: number;
  estimator: EstimatorName;
  /** SGVB estimator B ("analytic", where the pair has a closed form) or A ("monte_carlo"). */
  kl: "analytic" | "monte_carlo";
  seed: number;
  backend: string | null;
  /**
   * Data-parallel replicas of the training step (worker threads, each with its own CPU
   * backend; gradients are summed each step). Absent: 1.
   */
  workers?: number;
  /**
   * KL warm-up (Bowman et al. 2016; Sønderby et al. 2016): the rate is weighted by
   * min(1, t / warmup) in the training loss, t = epochs completed (fractional). Absent: off.
   */
  warmup?: number;
  /**
   * Free bits (Kingma et al. 2016): in the training loss the rate is Σ_j max(λ, KL_j),
   * KL_j the minibatch mean of latent dimension j's KL, in nats. Absent: off.
   */
  freeBits?: number;
  /**
   * Epochs over which every anneal(v) in the objective grows linearly from 0 to v
   * (v·min(1, t / anneal)). Absent: anneal(v) is v from the start.
   */
  anneal?: number;
  /**
   * MAP training (Kingma & Welling 2014, §5): an isotropic Gaussian prior N(0, scale²) on
   * every learned tensor; the per-point loss gains −log p(θ)/N, N the training rows.
   * Absent: maximum likelihood.
   */
  weightPrior?: { kind: "normal"; scale: number };
}

export interface ModelIR {
  irVersion: typeof IR_VERSION;
  name: string;
  data: VariableIR;
  latent: VariableIR;
  params: ParamIR[];
  nets: NetIR[];
  prior: DistributionIR;
  encoder: DistributionIR;
  decoder: DistributionIR;
  objective: ObjectiveIR;
  train: TrainIR;
}
