import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import type { EstimatorName, OptimizerName, TrainIR } from "../ir/types.js";
import type { Expr, TrainDecl } from "../syntax/ast.js";
import { BACKEND_NAMES, isBackendName } from "../stdlib/backends.js";

export const OPTIMIZERS: readonly OptimizerName[] = ["adam", "adagrad", "sgd"];
export const ESTIMATORS: readonly EstimatorName[] = ["reparam", "enumerate", "score"];

/**
 * Learning rates used when `optimizer:` names no `lr`: Adam's customary 1e-3 (Kingma &
 * Ba 2015); Adagrad and plain SGD need larger steps, 1e-2 is the usual starting point.
 */
export const DEFAULT_LR: Record<OptimizerName, number> = { adam: 0.001, adagrad: 0.01, sgd: 0.01 };

/**
 * The most data-parallel replicas `workers:` accepts. Each replica is a thread holding its
 * own backend and a copy of every weight, so memory grows with the count while the speed-up
 * is bounded by the cores; no machine this targets gains from more.
 */
export const MAX_WORKERS = 64;

export const TRAIN_DEFAULTS: TrainIR = {
  dataset: null,
  optimizer: { name: "adam", lr: DEFAULT_LR.adam },
  batch: 100,
  epochs: 10,
  samples: 1,
  estimator: "reparam",
  kl: "analytic",
  seed: 0,
  backend: null,
};

const OPTIONS = [
  "dataset",
  "optimizer",
  "batch",
  "epochs",
  "samples",
  "estimator",
  "kl",
  "seed",
  "backend",
  "workers",
  "warmup",
  "free_bits",
  "anneal",
  "weight_prior",
] as const;
type Option = (typeof OPTIONS)[number];

export interface CheckedTrain {
  train: TrainIR;
  /** Where the estimator was written, for estimator-not-applicable; absent: the default. */
  estimatorSpan?: Span;
}

/** The `train { }` block with every default filled in; bad entries keep their default. */
export function checkTrainDecl(
  decl: TrainDecl | undefined,
  diagnostics: Diagnostic[],
): CheckedTrain {
  const train: TrainIR = { ...TRAIN_DEFAULTS, optimizer: { ...TRAIN_DEFAULTS.optimizer } };
  const result: CheckedTrain = { train };
  if (decl === undefined) return result;
  const seen = new Set<string>();
  for (const entry of decl.entries) {
    const key = entry.key.name;
    const option = OPTIONS.find((o) => o === key);
    if (option === undefined) {
      diagnostics.push(
        diagnostic("unknown-train-option", entry.key.span, {
          name: key,
          available: OPTIONS.join(", "),
        }),
      );
      continue;
    }
    if (seen.has(key)) {
      diagnostics.push(diagnostic("duplicate-declaration", entry.key.span, { name: key }));
      continue;
    }
    seen.add(key);
    checkOption(option, entry.value, result, diagnostics);
  }
  return result;
}

function checkOption(
  option: Option,
  v: Expr,
  result: CheckedTrain,
  diagnostics: Diagnostic[],
): void {
  const train = result.train;
  const invalid = (expected: string): void => {
    diagnostics.push(diagnostic("invalid-train-value", v.span, { name: option, expected }));
  };
  switch (option) {
    case "dataset":
      if (v.kind === "StringLit") train.dataset = v.value;
      else invalid('a string, such as "binarized-mnist" or a file path');
      return;
    case "backend": {
      const name = v.kind === "StringLit" ? v.value : v.kind === "Name" ? v.name : null;
      if (name === null) return invalid(BACKEND_NAMES.join(", ").replace(/, (?=[^,]*$)/, " or "));
      if (!isBackendName(name)) {
        diagnostics.push(
          diagnostic("unknown-backend", v.span, { name, available: BACKEND_NAMES.join(", ") }),
        );
        return;
      }
      train.backend = name;
      return;
    }
    case "workers":
      if (v.kind !== "NumberLit" || !Number.isInteger(v.value) || v.value < 1) {
        invalid("a positive integer number of worker threads");
      } else if (v.value > MAX_WORKERS) invalid(`a positive integer up to ${MAX_WORKERS}`);
      else train.workers = v.value;
      return;
    case "batch":
    case "epochs":
    case "samples":
      if (v.kind === "NumberLit" && Number.isInteger(v.value) && v.value > 0) {
        train[option] = v.value;
      } else invalid("a positive integer");
      return;
    case "seed":
      if (v.kind === "NumberLit" && Number.isInteger(v.value) && v.value >= 0) {
        train.seed = v.value;
      } else invalid("a non-negative integer");
      return;
    case "kl":
      if (v.kind === "Name" && (v.name === "analytic" || v.name === "monte_carlo")) {
        train.kl = v.name;
      } else invalid("analytic or monte_carlo");
      return;
    case "estimator": {
      if (v.kind !== "Name") return invalid(ESTIMATORS.join(", ").replace(/, (?=[^,]*$)/, " or "));
      const estimator = ESTIMATORS.find((e) => e === v.name);
      if (estimator === undefined) {
        diagnostics.push(
          diagnostic("unknown-estimator", v.span, {
            name: v.name,
            available: ESTIMATORS.join(", "),
          }),
        );
        return;
      }
      train.estimator = estimator;
      result.estimatorSpan = v.span;
      return;
    }
    case "optimizer":
      checkOptimizer(v, train, diagnostics);
      return;
    case "warmup":
    case "anneal":
      // Epochs may be fractional: the schedules advance every step.
      if (v.kind === "NumberLit" && v.value > 0 && Number.isFinite(v.value)) {
        train[option] = v.value;
      } else invalid("a positive number of epochs");
      return;
    case "free_bits":
      if (v.kind === "NumberLit" && v.value > 0 && Number.isFinite(v.value)) {
        train.freeBits = v.value;
      } else invalid("a positive number of nats per latent dimension");
      return;
    case "weight_prior": {
      const scale = weightPriorScale(v);
      if (scale !== undefined) train.weightPrior = { kind: "normal", scale };
      else invalid("normal(scale: s) with s > 0, a Gaussian prior on every weight");
      return;
    }
  }
}

/** s of `normal(scale: s)`, or undefined when the value is anything else. */
function weightPriorScale(v: Expr): number | undefined {
  if (v.kind !== "Call" || v.callee.name !== "normal" || v.args.length !== 1) return undefined;
  const arg = v.args[0]!;
  const value = arg.value;
  if (arg.name?.name !== "scale" || value.kind !== "NumberLit") return undefined;
  return value.value > 0 && Number.isFinite(value.value) ? value.value : undefined;
}

function checkOptimizer(v: Expr, train: TrainIR, diagnostics: Diagnostic[]): void {
  const ident =
    v.kind === "Name" ? { name: v.name, span: v.span } : v.kind === "Call" ? v.callee : null;
  if (ident === null) {
    diagnostics.push(
      diagnostic("invalid-train-value", v.span, {
        name: "optimizer",
        expected: "adam, adagrad or sgd, optionally with a learning rate as in adam(lr: 0.001)",
      }),
    );
    return;
  }
  const name = OPTIMIZERS.find((o) => o === ident.name);
  if (name === undefined) {
    diagnostics.push(
      diagnostic("unknown-optimizer", ident.span, {
        name: ident.name,
        available: OPTIMIZERS.join(", "),
      }),
    );
    return;
  }
  let lr = DEFAULT_LR[name];
  if (v.kind === "Call") {
    let seenLr = false;
    for (const arg of v.args) {
      if (arg.name === undefined) {
        diagnostics.push(diagnostic("positional-argument", arg.span, { callee: name }));
      } else if (arg.name.name !== "lr") {
        diagnostics.push(
          diagnostic("unknown-argument", arg.name.span, {
            name: arg.name.name,
            callee: name,
            allowed: "lr",
          }),
        );
      } else if (seenLr) {
        diagnostics.push(diagnostic("duplicate-argument", arg.name.span, { name: "lr" }));
      } else {
        seenLr = true;
        const value = arg.value;
        if (value.kind === "NumberLit" && value.value > 0 && Number.isFinite(value.value)) {
          lr = value.value;
        } else {
          diagnostics.push(
            diagnostic("invalid-train-value", value.span, {
              name: "optimizer",
              expected: "a positive number as its learning rate lr",
            }),
          );
        }
      }
    }
  }
  train.optimizer = { name, lr };
}
