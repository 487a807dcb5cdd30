import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { diagnostic, hasErrors, syntheticSpan } from "../diagnostics/index.js";
import { COMMAND_LINE } from "../frontend.js";
import { resolveDataset } from "../data/index.js";
import type { DatasetSplits } from "../data/types.js";
import { packageVersion } from "../package-root.js";
import { readCachedRecord } from "./cache.js";
import { planRuns } from "./plan.js";
import { forkedLauncher, runAll, type RunLauncher } from "./pool.js";
import { resultsCsv, summarise } from "./results.js";
import type {
  CompareHooks,
  CompareOptions,
  CompareOutcome,
  ObjectiveSummary,
  RunPlan,
  RunRecord,
} from "./types.js";

/** Hooks for the figures and the HTML page, which need the trained runs and the data. */
export type ReportWriter = (args: {
  plan: RunPlan;
  options: CompareOptions;
  records: RunRecord[];
  summaries: ObjectiveSummary[];
  out: string;
  splits: DatasetSplits;
  date: string;
}) => Promise<{ files: string[]; notes: string[] }>;

export interface CompareInternals {
  /** How a run is executed (default: a forked child process); tests inject failures here. */
  launch?: RunLauncher;
  /** Figures and report.html (default: writeCompareReport); null writes neither. */
  writeReport?: ReportWriter | null;
}

/**
 * `vae compare`: plans every run, reads finished ones from DIR/runs/<key>/result.json,
 * trains the others in parallel child processes, and writes results.json, results.csv,
 * the figures and report.html. A run that fails is recorded with its reason; the exit
 * code is 0 when at least one run succeeded.
 */
export async function runCompare(
  file: string,
  options: CompareOptions,
  hooks: CompareHooks = {},
  internals: CompareInternals = {},
): Promise<CompareOutcome> {
  const planned = planRuns(file, options);
  const fail = (p: {
    diagnostics: CompareOutcome["diagnostics"];
    sources?: Map<string, string>;
  }) => ({
    diagnostics: p.diagnostics,
    sources: p.sources ?? new Map(),
    records: [],
    summaries: [],
    cached: 0,
    files: [],
    notes: [],
    exitCode: 1,
  });
  if (!planned.value) return fail(planned);
  const plan = planned.value;
  const first = plan.runs[0]!;
  const data = await resolveDataset(plan.dataset, first.ir.data, { baseDir: first.baseDir });
  if (!data.value || hasErrors(data.diagnostics))
    return fail({ diagnostics: data.diagnostics, sources: plan.sources });

  const out = path.resolve(options.out);
  try {
    await mkdir(path.join(out, "runs"), { recursive: true });
  } catch (e) {
    const reason = `cannot create '${options.out}': ${e instanceof Error ? e.message : String(e)}`;
    return fail({
      diagnostics: [
        diagnostic("invalid-option", syntheticSpan(COMMAND_LINE), { option: "--out", reason }),
      ],
      sources: plan.sources,
    });
  }
  const cached = new Map<string, RunRecord>();
  for (const run of plan.runs) {
    const r = readCachedRecord(run.dir, run.key);
    if (r) cached.set(run.key, r);
  }
  const todo = plan.runs.filter((r) => !cached.has(r.key));
  hooks.onPlan?.(plan, new Set(cached.keys()));
  hooks.log?.(
    `${plan.runs.length} run(s): ${cached.size} cached, ${todo.length} to train` +
      (todo.length > 0 ? ` (${Math.min(jobsOf(options), todo.length)} at a time)` : ""),
  );

  const trained = await runAll(todo, jobsOf(options), internals.launch ?? forkedLauncher, {
    onStart: (run) => hooks.onRunStart?.(run),
    onProgress: (run, p) => hooks.onRunProgress?.(run, p),
    onEnd: (run, r) => hooks.onRunEnd?.(run, r),
  });
  const byKey = new Map([...cached, ...trained.map((r) => [r.key, r] as const)]);
  const records = plan.runs.map((r) => byKey.get(r.key)!);
  const summaries = summarise(records);
  const date = new Date().toISOString();

  const files = ["results.json", "results.csv"];
  await writeFile(
    path.join(out, "results.json"),
    JSON.stringify(
      {
        vaelang: packageVersion(),
        date,
        file: plan.file,
        spec_sha256: plan.sourceHash,
        model: plan.model,
        dataset: plan.dataset,
        entropy: data.value.entropy,
        options: provenanceOptions(options),
        seeds: plan.runs.filter((r) => r.objective === plan.objectives[0]).map((r) => r.train.seed),
        runs: records,
        summary: summaries,
      },
      null,
      1,
    ) + "\n",
  );
  await writeFile(path.join(out, "results.csv"), resultsCsv(records));

  const notes: string[] = [];
  const writeReport =
    internals.writeReport === undefined
      ? (await import("./write-report.js")).writeCompareReport
      : internals.writeReport;
  if (writeReport) {
    const written = await writeReport({
      plan,
      options,
      records,
      summaries,
      out,
      splits: data.value,
      date,
    });
    files.push(...written.files);
    notes.push(...written.notes);
  }
  const ok = records.filter((r) => r.status === "ok").length;
  return {
    diagnostics: planned.diagnostics,
    sources: plan.sources,
    records,
    summaries,
    cached: cached.size,
    files,
    notes,
    exitCode: ok > 0 ? 0 : 1,
  };
}

export function jobsOf(options: CompareOptions): number {
  return options.jobs ?? availableParallelism();
}

/** The options as the user gave them (absent ones omitted), for provenance. */
export function provenanceOptions(o: CompareOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
