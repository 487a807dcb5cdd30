import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import {
  diagnostic,
  hasErrors,
  renderDiagnostics,
  syntheticSpan,
  type Diagnostic,
  type Span,
} from "./diagnostics/index.js";
import { lowerModel } from "./ir/lower.js";
import type { ModelIR, ObjectiveIR } from "./ir/types.js";
import { validateModelIR } from "./ir/validate.js";
import {
  collectObjectiveDefinitions,
  resolveObjective,
  verifyObjectiveDefinitions,
  type ObjectiveEnv,
} from "./objectives/resolve.js";
import { verifyTrainOptions } from "./objectives/schedule.js";
import { checkModel, verifyModelNames } from "./semantics/check-model.js";
import { STDLIB_OBJECTIVES_NAME, stdlibObjectivesPath } from "./stdlib/paths.js";
import type { Expr, Model, ObjectiveDef, Program, TrainDecl, TrainEntry } from "./syntax/ast.js";
import { parseExpression, parseProgram } from "./syntax/index.js";

export interface CompileOptions {
  /** Which model of the file to compile; default: the first one. */
  model?: string;
  /** An objective expression overriding the model's, e.g. "beta_vae(beta: 0.5)". */
  objective?: string;
  /** How files are read (the compiled file for compileFile, and imports); default: fs. */
  readFile?: (path: string) => string | undefined;
  /**
   * `train { }` entries from the command line, as source text by option name, e.g.
   * `{ estimator: "score" }`. They replace the file's entries and are checked like them;
   * a diagnostic about one points into the flag's text (file name `--estimator`).
   */
  train?: Record<string, string>;
}

export interface CompileResult {
  ir?: ModelIR;
  /** The parsed file, when it parsed. */
  program?: Program;
  diagnostics: Diagnostic[];
  /** Every source text read, by the file name diagnostics use (for rendering carets). */
  sources: Map<string, string>;
}

/** The file name of spans inside an `opts.objective` or `opts.model` from the command line. */
export const COMMAND_LINE = "<command line>";

/** The objective of a model that declares none: the negative ELBO. */
export const DEFAULT_OBJECTIVE = "elbo";

/** The largest source file read: a model is a few kilobytes; this bounds every later stage. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** Diagnostics reported per compilation; the rest are counted in one last diagnostic. */
export const MAX_DIAGNOSTICS = 100;

/**
 * Why the file at `path` must not be read, found without reading it: a device, pipe or
 * directory (reading /dev/zero never ends), or more than MAX_SOURCE_BYTES. A path that
 * does not exist on disk is left to the reader (tests and tools supply virtual files).
 */
function unreadableSource(path: string, span: Span, shown = path): Diagnostic | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return diagnostic("not-a-regular-file", span, { path: shown });
  if (stats.size > MAX_SOURCE_BYTES) {
    return diagnostic("file-too-large", span, { path: shown, limit: "1 MiB" });
  }
  return undefined;
}

/** True when `text` takes more than MAX_SOURCE_BYTES in UTF-8 (a caller's reader gave it). */
function isOverSourceLimit(text: string): boolean {
  // Cheap before exact: UTF-8 takes at least one byte per UTF-16 unit, at most three.
  if (text.length > MAX_SOURCE_BYTES) return true;
  if (text.length * 3 <= MAX_SOURCE_BYTES) return false;
  return Buffer.byteLength(text, "utf8") > MAX_SOURCE_BYTES;
}

function readWithFs(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Reads and compiles a `.vae` file; an unreadable file is a `file-not-found` diagnostic,
 * and a device, directory or file over 1 MiB is refused before it is read.
 */
export function compileFile(path: string, opts: CompileOptions = {}): CompileResult {
  const refused = unreadableSource(path, syntheticSpan(path));
  if (refused !== undefined) return { diagnostics: [refused], sources: new Map() };
  const text = (opts.readFile ?? readWithFs)(path);
  if (text === undefined) {
    return {
      diagnostics: [diagnostic("file-not-found", syntheticSpan(path), { path })],
      sources: new Map(),
    };
  }
  return compileSource(text, path, opts);
}

/**
 * Compiles one model of a `.vae` source to IR: parse, load imports, check the model,
 * resolve its objective, lower. All errors found in any stage are reported together;
 * `ir` is present only when there are none. Without `opts.model` the first model of the
 * file is compiled and later ones are only parsed.
 */
export function compileSource(
  text: string,
  file: string,
  opts: CompileOptions = {},
): CompileResult {
  const sources = new Map<string, string>([[file, text]]);
  const diagnostics: Diagnostic[] = [];
  const done = (extra: Partial<CompileResult> = {}): CompileResult => ({
    ...extra,
    diagnostics: orderDiagnostics(diagnostics, file, sources),
    sources,
  });

  if (isOverSourceLimit(text)) {
    diagnostics.push(
      diagnostic("file-too-large", syntheticSpan(file), { path: file, limit: "1 MiB" }),
    );
    return done();
  }
  const parsed = parseProgram(text, file);
  diagnostics.push(...parsed.diagnostics);
  const program = parsed.value;
  if (program === undefined) return done();

  const readFile = opts.readFile ?? readWithFs;
  const imported = loadImports(program, file, readFile, sources, diagnostics);
  const stdlib = loadStdlib(sources, diagnostics);
  const definitions = collectObjectiveDefinitions(
    stdlib,
    [...program.objectives, ...imported],
    diagnostics,
  );
  const env: ObjectiveEnv = { definitions, sources: (f) => sources.get(f) };
  diagnostics.push(...verifyObjectiveDefinitions(env));

  if (program.models.length === 0) {
    diagnostics.push(diagnostic("no-model", syntheticSpan(file), {}));
    return done({ program });
  }
  diagnostics.push(...verifyModelNames(program));
  const model =
    opts.model === undefined
      ? program.models[0]
      : program.models.find((m) => m.name.name === opts.model);
  if (model === undefined) {
    diagnostics.push(
      diagnostic("unknown-model", syntheticSpan(COMMAND_LINE), {
        name: opts.model!,
        available: program.models.map((m) => m.name.name).join(", "),
      }),
    );
    return done({ program });
  }

  const trained = opts.train ? withTrainOverrides(model, opts.train, sources, diagnostics) : model;
  const checked = checkModel(trained);
  diagnostics.push(...checked.diagnostics);

  let objectiveExpr: Expr | undefined;
  if (opts.objective !== undefined) {
    sources.set(COMMAND_LINE, opts.objective);
    const e = parseExpression(opts.objective, COMMAND_LINE);
    diagnostics.push(...e.diagnostics);
    objectiveExpr = e.value;
  } else {
    objectiveExpr = checked.value?.objective ?? findObjectiveExpr(model.decls);
  }
  let objective: ObjectiveIR | undefined;
  if (objectiveExpr === undefined && opts.objective === undefined) {
    objective = defaultObjective(env, diagnostics);
  } else if (objectiveExpr !== undefined) {
    const r = resolveObjective(objectiveExpr, env);
    diagnostics.push(...r.diagnostics);
    objective = r.value;
  }
  if (objective !== undefined && checked.value !== undefined) {
    // Spans of the model as overridden: a flag's option that has no effect points at the flag.
    diagnostics.push(...verifyTrainOptions(objective, checked.value.train, trainKeySpan(trained)));
  }

  if (hasErrors(diagnostics) || checked.value === undefined || objective === undefined) {
    return done({ program });
  }
  const ir = lowerModel(checked.value, objective);
  const problems = validateModelIR(ir);
  if (problems.length > 0) {
    throw new Error(`compileSource: lowering produced invalid IR:\n${problems.join("\n")}`);
  }
  return done({ ir, program });
}

/**
 * The model with command-line train options spliced into its `train { }` block, so that
 * the checker validates them exactly as if they had been written in the file.
 */
function withTrainOverrides(
  model: Model,
  overrides: Record<string, string>,
  sources: Map<string, string>,
  diagnostics: Diagnostic[],
): Model {
  const entries: TrainEntry[] = [];
  for (const [key, text] of Object.entries(overrides)) {
    // Named as the flag is spelled: free_bits comes from --free-bits.
    const file = `--${key.replace(/_/g, "-")}`;
    sources.set(file, text);
    const parsed = parseExpression(text, file);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.value === undefined) continue;
    const span = parsed.value.span;
    entries.push({
      kind: "TrainEntry",
      key: { kind: "Ident", name: key, span },
      value: parsed.value,
      span,
    });
  }
  const replaced = new Set(entries.map((e) => e.key.name));
  const existing = model.decls.find((d): d is TrainDecl => d.kind === "TrainDecl");
  const train: TrainDecl = existing
    ? {
        ...existing,
        entries: [...existing.entries.filter((e) => !replaced.has(e.key.name)), ...entries],
      }
    : { kind: "TrainDecl", entries, span: model.name.span };
  const decls = existing
    ? model.decls.map((d) => (d === existing ? train : d))
    : [...model.decls, train];
  return { ...model, decls };
}

/** Renders a compile result's diagnostics with the sources it read. */
export function renderCompileDiagnostics(
  result: Pick<CompileResult, "diagnostics" | "sources">,
): string {
  return renderDiagnostics(result.diagnostics, (f) => result.sources.get(f));
}

/** Where the model's (first) `train { }` block writes `option`. */
function trainKeySpan(model: Program["models"][number]) {
  const train = model.decls.find((d) => d.kind === "TrainDecl");
  return (option: string) =>
    train?.kind === "TrainDecl"
      ? train.entries.find((e) => e.key.name === option)?.key.span
      : undefined;
}

function findObjectiveExpr(decls: Program["models"][number]["decls"]): Expr | undefined {
  for (const d of decls) if (d.kind === "ObjectiveDecl") return d.expr;
  return undefined;
}

function defaultObjective(env: ObjectiveEnv, diagnostics: Diagnostic[]): ObjectiveIR | undefined {
  const span = syntheticSpan(STDLIB_OBJECTIVES_NAME);
  const r = resolveObjective({ kind: "Name", name: DEFAULT_OBJECTIVE, span }, env);
  diagnostics.push(...r.diagnostics);
  return r.value && { ...r.value, source: DEFAULT_OBJECTIVE };
}

/**
 * Objective definitions of every file `program` imports, transitively, each file once.
 * Import paths are relative to the importing file.
 */
function loadImports(
  program: Program,
  file: string,
  readFile: (path: string) => string | undefined,
  sources: Map<string, string>,
  diagnostics: Diagnostic[],
): ObjectiveDef[] {
  const loaded = new Set<string>([normalize(file)]);
  const defs: ObjectiveDef[] = [];
  const visit = (p: Program, from: string, stack: string[]): void => {
    for (const imp of p.imports) {
      const raw = imp.path.value;
      const target = normalize(isAbsolute(raw) ? raw : join(dirname(from), raw));
      if (stack.includes(target)) {
        diagnostics.push(diagnostic("import-cycle", imp.path.span, { path: raw }));
        continue;
      }
      if (loaded.has(target)) continue;
      const refused = unreadableSource(target, imp.path.span, raw);
      if (refused !== undefined) {
        diagnostics.push(refused);
        continue;
      }
      const text = readFile(target);
      if (text === undefined) {
        diagnostics.push(diagnostic("import-not-found", imp.path.span, { path: raw }));
        continue;
      }
      loaded.add(target);
      if (isOverSourceLimit(text)) {
        diagnostics.push(
          diagnostic("file-too-large", imp.path.span, { path: raw, limit: "1 MiB" }),
        );
        continue;
      }
      sources.set(target, text);
      const parsed = parseProgram(text, target);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.value === undefined) continue;
      defs.push(...parsed.value.objectives);
      visit(parsed.value, target, [...stack, target]);
    }
  };
  visit(program, file, [normalize(file)]);
  return defs;
}

let stdlibCache: { text: string; defs: ObjectiveDef[]; diagnostics: Diagnostic[] } | undefined;

/** stdlib/objectives.vae, parsed once per process. */
function loadStdlib(sources: Map<string, string>, diagnostics: Diagnostic[]): ObjectiveDef[] {
  if (stdlibCache === undefined) {
    const text = readWithFs(stdlibObjectivesPath());
    if (text === undefined) {
      throw new Error(
        `compileSource: the standard library is missing at ${stdlibObjectivesPath()}`,
      );
    }
    const parsed = parseProgram(text, STDLIB_OBJECTIVES_NAME);
    stdlibCache = { text, defs: parsed.value?.objectives ?? [], diagnostics: parsed.diagnostics };
  }
  sources.set(STDLIB_OBJECTIVES_NAME, stdlibCache.text);
  diagnostics.push(...stdlibCache.diagnostics);
  return stdlibCache.defs;
}

/**
 * Diagnostics in reading order: the compiled file first, then other files in the order
 * they were read, each by position; repeats (one mistake reached along two paths, e.g. a
 * definition checked alone and again where it is used) are dropped.
 */
function orderDiagnostics(
  ds: readonly Diagnostic[],
  file: string,
  sources: Map<string, string>,
): Diagnostic[] {
  const seen = new Set<string>();
  const unique = ds.filter((d) => {
    const key = `${d.code}|${d.span.file}|${d.span.start.offset}|${d.span.end.offset}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const files = [COMMAND_LINE, file, ...sources.keys()];
  const rank = (f: string): number => {
    const i = files.indexOf(f);
    return i < 0 ? files.length : i;
  };
  const ordered = unique
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank(a.d.span.file) - rank(b.d.span.file) ||
        a.d.span.start.offset - b.d.span.start.offset ||
        a.i - b.i,
    )
    .map((x) => x.d);
  if (ordered.length <= MAX_DIAGNOSTICS) return ordered;
  const rest = ordered.length - MAX_DIAGNOSTICS;
  return [
    ...ordered.slice(0, MAX_DIAGNOSTICS),
    diagnostic("too-many-diagnostics", ordered[MAX_DIAGNOSTICS]!.span, {
      count: rest,
      limit: MAX_DIAGNOSTICS,
    }),
  ];
}
