import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  diagnostic,
  hasErrors,
  syntheticSpan,
  type Diagnostic,
  type Result,
} from "../diagnostics/index.js";
import type { Span } from "../diagnostics/span.js";
import { compileSource, COMMAND_LINE } from "../frontend.js";
import type { ModelIR, TrainIR } from "../ir/types.js";
import { packageVersion } from "../package-root.js";
import { runKey, sha256Hex } from "./key.js";
import { flagSpan, parseSweep } from "./sweep.js";
import type { CompareOptions, PlannedRun, RunPlan, SweepPoint } from "./types.js";

export const DEFAULT_SEEDS = 1;
export const DEFAULT_IW = 100;
export const DEFAULT_EVAL_ROWS = 1000;

/** The file name spans use for the i-th of `count` flags of one kind. */
function flagName(flag: string, i: number, count: number): string {
  return count === 1 ? flag : `${flag} #${i + 1}`;
}

/** Diagnostics about the compiler's command-line text, moved into the flag they came from. */
function intoFlag(ds: Diagnostic[], file: string, move: (s: Span) => Span): Diagnostic[] {
  return ds.map((d) =>
    d.span.file === COMMAND_LINE ? { ...d, span: move({ ...d.span, file }) } : d,
  );
}

function countProblem(option: string, value: number | undefined): Diagnostic[] {
  if (value === undefined || (Number.isInteger(value) && value >= 1)) return [];
  return [
    diagnostic("compare-count-invalid", syntheticSpan(COMMAND_LINE), {
      option,
      found: String(value),
    }),
  ];
}

interface CompiledObjective {
  objective: string;
  sweep: SweepPoint | null;
  ir: ModelIR;
}

/**
 * Every run of a compare: each `--objective`, then each value of each `--sweep`, each with
 * seeds 0 … seeds − 1, keyed for the cache. With neither flag, the file's own objective
 * alone. Nothing is trained; all problems are diagnostics (an unknown objective is the
 * compiler's own, pointing into the flag's text).
 */
export function planRuns(
  file: string,
  options: CompareOptions,
  readFile: (p: string) => string | undefined = readText,
): Result<RunPlan> {
  const diagnostics: Diagnostic[] = [
    ...countProblem("--seeds", options.seeds),
    ...countProblem("--jobs", options.jobs),
    ...countProblem("--epochs", options.epochs),
    ...countProblem("--batch", options.batch),
    ...countProblem("--samples", options.samples),
    ...countProblem("--iw", options.iw),
    ...countProblem("--eval-rows", options.evalRows),
  ];
  if (options.lr !== undefined && !(Number.isFinite(options.lr) && options.lr > 0))
    diagnostics.push(
      diagnostic("invalid-option", syntheticSpan(COMMAND_LINE), {
        option: "--lr",
        reason: `expects a positive number, found ${options.lr}`,
      }),
    );
  const source = readFile(file);
  if (source === undefined)
    return {
      diagnostics: [
        ...diagnostics,
        diagnostic("file-not-found", syntheticSpan(file), { path: file }),
      ],
    };
  const sources = new Map<string, string>();
  const compile = (objective?: string) => {
    const r = compileSource(source, file, { model: options.model, objective, readFile });
    for (const [f, t] of r.sources) if (f !== COMMAND_LINE) sources.set(f, t);
    return r;
  };

  const base = compile();
  if (!base.ir) return { diagnostics: [...diagnostics, ...base.diagnostics], value: undefined };
  const compiled: CompiledObjective[] = [];

  options.objectives.forEach((text, i) => {
    const name = flagName("--objective", i, options.objectives.length);
    sources.set(name, text);
    const r = compile(text);
    diagnostics.push(...intoFlag(r.diagnostics.filter(isError), name, (s) => s));
    if (r.ir) compiled.push({ objective: text.trim(), sweep: null, ir: r.ir });
  });

  options.sweeps.forEach((text, i) => {
    const name = flagName("--sweep", i, options.sweeps.length);
    sources.set(name, text);
    const sweep = parseSweep(text, name);
    diagnostics.push(...sweep.diagnostics);
    if (!sweep.value) return;
    const { values, objectives } = sweep.value;
    for (let j = 0; j < values.length; j++) {
      const r = compile(objectives[j]!);
      if (hasErrors(r.diagnostics)) {
        // The generated text shares the flag's `name(` prefix; past it, point at the flag.
        const at = text.indexOf(sweep.value.name);
        const prefix = sweep.value.name.length;
        const whole = flagSpan(name, 0, text.length);
        diagnostics.push(
          ...intoFlag(r.diagnostics.filter(isError), name, (s) =>
            s.end.offset <= prefix ? flagSpan(name, s.start.offset + at, s.end.offset + at) : whole,
          ),
        );
        return;
      }
      compiled.push({
        objective: objectives[j]!,
        sweep: { sweep: text, name: sweep.value.name, param: sweep.value.param, value: values[j]! },
        ir: r.ir!,
      });
    }
  });

  if (options.objectives.length === 0 && options.sweeps.length === 0)
    compiled.push({ objective: base.ir.objective.source, sweep: null, ir: base.ir });

  const t = base.ir.train;
  const dataset = options.data ?? t.dataset;
  if (dataset === null)
    diagnostics.push(
      diagnostic("invalid-option", syntheticSpan(COMMAND_LINE), {
        option: "--data",
        reason: `model '${base.ir.name}' names no dataset; pass --data NAME|PATH (see 'vae datasets')`,
      }),
    );
  if (hasErrors(diagnostics) || dataset === null) return { diagnostics: dedupe(diagnostics) };

  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const iw = options.iw ?? DEFAULT_IW;
  const evalRows = options.evalRows ?? DEFAULT_EVAL_ROWS;
  const out = path.resolve(options.out);
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const version = packageVersion();
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  for (const c of compiled) {
    for (let s = 0; s < seeds; s++) {
      const train: TrainIR = {
        ...c.ir.train,
        dataset,
        epochs: options.epochs ?? t.epochs,
        batch: options.batch ?? t.batch,
        samples: options.samples ?? t.samples,
        seed: t.seed + s,
        backend: options.backend ?? t.backend,
        // Parallelism comes from running several runs at once, one core each.
        workers: 1,
        optimizer: { ...c.ir.train.optimizer, lr: options.lr ?? t.optimizer.lr },
      };
      const key = runKey({
        source,
        model: c.ir.name,
        objective: c.objective,
        seed: train.seed,
        epochs: train.epochs,
        dataset,
        batch: train.batch,
        lr: train.optimizer.lr,
        samples: train.samples,
        iw,
        evalRows,
        version,
      });
      // The same objective given twice is one run, not two processes racing for one directory.
      if (seen.has(key)) continue;
      seen.add(key);
      runs.push({
        key,
        objective: c.objective,
        sweep: c.sweep,
        seedIndex: s,
        ir: c.ir,
        train,
        iw,
        evalRows,
        source,
        file,
        baseDir,
        dir: path.join(out, "runs", key),
      });
    }
  }
  const objectives = [...new Set(runs.map((r) => r.objective))];
  return {
    value: {
      file,
      source,
      sourceHash: sha256Hex(source),
      model: base.ir.name,
      baseSeed: t.seed,
      seeds,
      dataset,
      objectives,
      runs,
      sources,
    },
    diagnostics: dedupe(diagnostics),
  };
}

const isError = (d: Diagnostic) => d.severity === "error";

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code} ${d.span.file} ${d.span.start.offset} ${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}
