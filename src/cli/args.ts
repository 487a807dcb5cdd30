import { parseArgs } from "node:util";
import { MAX_WORKERS } from "../semantics/check-train.js";

/** What a command line says, before any file is read. */
export type Command =
  | { kind: "help"; topic?: string }
  | { kind: "version" }
  | { kind: "check"; file: string; emit: "ir" | "ast" | null; model?: string; objective?: string }
  | { kind: "explain"; file: string; model?: string; objective?: string }
  | { kind: "codegen"; file: string; out?: string; model?: string; objective?: string }
  | { kind: "train"; file: string; options: TrainOptions }
  | { kind: "eval"; file: string; options: EvalOptions }
  | { kind: "datasets" };

export interface TrainOptions {
  model?: string;
  data?: string;
  objective?: string;
  epochs?: number;
  batch?: number;
  lr?: number;
  samples?: number;
  seed?: number;
  backend?: string;
  /** Data-parallel replicas of each training step (`--workers N`); unset: the file's. */
  workers?: number;
  estimator?: string;
  kl?: string;
  out?: string;
  json: boolean;
  quiet: boolean;
}

export interface EvalOptions {
  model?: string;
  checkpoint: string;
  data?: string;
  split: "train" | "valid" | "test";
  samples?: number;
  seed?: number;
  backend?: string;
  json: boolean;
  /** k of the importance-sampled log p(x) (`--iw K`); unset: not estimated. */
  iw?: number;
  /** Evaluate only the first N rows of the split (`--rows N`). */
  rows?: number;
  /** Estimator of log q(z) for I_q(X;Z) and KL[q(z)‖p(z)] (`--mi`). */
  mi?: "stratified" | "mws";
  /** Threads for the importance-sampled log p(x) (`--workers N`); unset: 1. */
  workers?: number;
}

/** A command-line mistake: which option and why, rendered as an `invalid-option` diagnostic. */
export interface UsageError {
  option: string;
  reason: string;
}

export type ParsedArgs = { command: Command } | { error: UsageError };

export const USAGE = `Usage:
  vae check FILE [--emit ir|ast] [--model NAME] [--objective EXPR]
  vae train FILE [--data NAME|PATH] [--objective EXPR] [--epochs N] [--batch N] [--lr X]
                 [--samples L] [--seed N] [--backend NAME] [--workers N]
                 [--estimator reparam|enumerate|score] [--kl analytic|monte_carlo]
                 [--out DIR] [--json] [--quiet]
  vae eval  FILE --checkpoint DIR [--data NAME|PATH] [--split train|valid|test]
                 [--samples L] [--seed N] [--backend NAME] [--json]
                 [--iw K] [--rows N] [--mi stratified|mws] [--workers N]
  vae explain FILE [--model NAME] [--objective EXPR]
                          how the objective reduces to distortion, rate and entropy
  vae codegen FILE [--out FILE] [--model NAME] [--objective EXPR]
                          the model as a standalone TypeScript module (stdout without --out)
  vae datasets            list the named datasets
  vae --help | --version

FILE is a .vae model. --objective takes an objective expression, e.g. "beta_vae(beta: 0.5)",
and overrides the file's. Progress goes to stderr; with --json the last stdout line is one
JSON object with the final metrics.`;

const positiveInt = (
  name: string,
  v: string | undefined,
  min = 1,
): number | UsageError | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min)
    return { option: name, reason: `expects an integer ≥ ${min}, got '${v}'` };
  return n;
};

const positiveNumber = (name: string, v: string | undefined): number | UsageError | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0)
    return { option: name, reason: `expects a positive number, got '${v}'` };
  return n;
};

function isError(x: unknown): x is UsageError {
  return typeof x === "object" && x !== null && "reason" in x;
}

/** Parses argv (without `node` and the script). Never throws for user mistakes. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help")
    return { command: { kind: "help", topic: rest[0] } };
  if (sub === "--version" || sub === "-v") return { command: { kind: "version" } };
  if (sub === "datasets") return { command: { kind: "datasets" } };
  if (
    sub !== "check" &&
    sub !== "train" &&
    sub !== "eval" &&
    sub !== "explain" &&
    sub !== "codegen"
  )
    return {
      error: {
        option: sub,
        reason: "unknown command (expected check, train, eval, explain, codegen or datasets)",
      },
    };

  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: {
        emit: { type: "string" },
        model: { type: "string" },
        objective: { type: "string" },
        data: { type: "string" },
        epochs: { type: "string" },
        batch: { type: "string" },
        lr: { type: "string" },
        samples: { type: "string" },
        iw: { type: "string" },
        rows: { type: "string" },
        mi: { type: "string" },
        seed: { type: "string" },
        backend: { type: "string" },
        workers: { type: "string" },
        estimator: { type: "string" },
        kl: { type: "string" },
        out: { type: "string" },
        checkpoint: { type: "string" },
        split: { type: "string" },
        json: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    // node:util reports unknown or malformed options by throwing; that is a user mistake.
    const msg = e instanceof Error ? e.message : String(e);
    const m = /'(--?[\w-]+)/.exec(msg);
    return { error: { option: m?.[1] ?? sub, reason: msg.replace(/\. To specify.*$/s, "") } };
  }
  const v = parsed.values;
  if (v.help) return { command: { kind: "help", topic: sub } };
  if (parsed.positionals.length !== 1)
    return {
      error: {
        option: sub,
        reason:
          parsed.positionals.length === 0
            ? "expects a .vae file"
            : `expects one file, got ${parsed.positionals.length}: ${parsed.positionals.join(" ")}`,
      },
    };
  const file = parsed.positionals[0]!;
  const allowed: Record<string, string[]> = {
    check: ["emit", "model", "objective"],
    explain: ["model", "objective"],
    codegen: ["model", "objective", "out"],
    train: [
      "model",
      "data",
      "objective",
      "epochs",
      "batch",
      "lr",
      "samples",
      "seed",
      "backend",
      "workers",
      "estimator",
      "kl",
      "out",
      "json",
      "quiet",
    ],
    eval: [
      "model",
      "data",
      "checkpoint",
      "split",
      "samples",
      "seed",
      "backend",
      "json",
      "iw",
      "rows",
      "mi",
      "workers",
    ],
  };
  for (const [k, val] of Object.entries(v)) {
    if (k === "help" || val === undefined || val === false) continue;
    if (!allowed[sub]!.includes(k))
      return { error: { option: `--${k}`, reason: `is not an option of 'vae ${sub}'` } };
  }

  if (sub === "codegen")
    return {
      command: { kind: "codegen", file, out: v.out, model: v.model, objective: v.objective },
    };
  if (sub === "explain")
    return { command: { kind: "explain", file, model: v.model, objective: v.objective } };
  if (sub === "check") {
    if (v.emit !== undefined && v.emit !== "ir" && v.emit !== "ast")
      return { error: { option: "--emit", reason: `expects 'ir' or 'ast', got '${v.emit}'` } };
    return {
      command: {
        kind: "check",
        file,
        emit: (v.emit as "ir" | "ast" | undefined) ?? null,
        model: v.model,
        objective: v.objective,
      },
    };
  }

  const samples = positiveInt("--samples", v.samples);
  const seed = positiveInt("--seed", v.seed, 0);
  for (const x of [samples, seed]) if (isError(x)) return { error: x };

  const workers = positiveInt("--workers", v.workers);
  if (isError(workers)) return { error: workers };
  if (typeof workers === "number" && workers > MAX_WORKERS)
    return {
      error: {
        option: "--workers",
        reason: `expects an integer ≤ ${MAX_WORKERS}, got '${v.workers}'`,
      },
    };

  if (sub === "train") {
    const epochs = positiveInt("--epochs", v.epochs);
    const batch = positiveInt("--batch", v.batch);
    const lr = positiveNumber("--lr", v.lr);
    for (const x of [epochs, batch, lr]) if (isError(x)) return { error: x };
    return {
      command: {
        kind: "train",
        file,
        options: {
          model: v.model,
          data: v.data,
          objective: v.objective,
          epochs: epochs as number | undefined,
          batch: batch as number | undefined,
          lr: lr as number | undefined,
          samples: samples as number | undefined,
          seed: seed as number | undefined,
          backend: v.backend,
          workers: workers as number | undefined,
          estimator: v.estimator,
          kl: v.kl,
          out: v.out,
          json: v.json ?? false,
          quiet: v.quiet ?? false,
        },
      },
    };
  }

  if (v.checkpoint === undefined)
    return {
      error: {
        option: "--checkpoint",
        reason: "is required: the directory written by 'vae train --out DIR'",
      },
    };
  const split = v.split ?? "test";
  if (split !== "train" && split !== "valid" && split !== "test")
    return { error: { option: "--split", reason: `expects train, valid or test, got '${split}'` } };
  const iw = positiveInt("--iw", v.iw);
  const evalRows = positiveInt("--rows", v.rows);
  for (const x of [iw, evalRows]) if (isError(x)) return { error: x };
  if (v.mi !== undefined && v.mi !== "stratified" && v.mi !== "mws")
    return { error: { option: "--mi", reason: `expects stratified or mws, got '${v.mi}'` } };
  return {
    command: {
      kind: "eval",
      file,
      options: {
        model: v.model,
        checkpoint: v.checkpoint,
        data: v.data,
        split,
        samples: samples as number | undefined,
        seed: seed as number | undefined,
        backend: v.backend,
        json: v.json ?? false,
        ...(iw !== undefined && { iw: iw as number }),
        ...(evalRows !== undefined && { rows: evalRows as number }),
        ...(v.mi !== undefined && { mi: v.mi as "stratified" | "mws" }),
        ...(workers !== undefined && { workers: workers as number }),
      },
    },
  };
}
