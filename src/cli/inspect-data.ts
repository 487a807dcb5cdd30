import { resolveDataset, type Dataset, type ModelIR } from "../index.js";
import type { CheckpointModel } from "./checkpoint-model.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "./io.js";

export type SplitName = "train" | "valid" | "test";

export interface SplitChoice {
  /** --data; absent: the dataset the checkpoint was trained on, else the file's. */
  data?: string;
  /** --split; absent: test, or train for a dataset that has no test split. */
  split?: SplitName;
  command: string;
}

export interface LoadedSplit {
  data: Dataset;
  /** The dataset as named on the command line or in the checkpoint. */
  spec: string;
  split: SplitName;
}

/** The dataset a checkpoint's model is inspected on. */
export function datasetSpec(model: CheckpointModel, data?: string): string | null {
  return data ?? model.checkpoint.config.train.dataset ?? model.ir.train.dataset;
}

/**
 * One split of the data, printing any problem (unknown dataset, missing split, bad file).
 * Without --split the test split is used, or the training data of a dataset that has no
 * test split (a single CSV file), which is said on stderr.
 */
export async function loadInspectSplit(
  io: CliIO,
  model: CheckpointModel,
  o: SplitChoice,
): Promise<LoadedSplit | null> {
  const spec = datasetSpec(model, o.data);
  if (spec === null) {
    reportUsageError(io, {
      option: "--data",
      reason: `model '${model.ir.name}' names no dataset; pass --data NAME|PATH`,
      command: o.command,
    });
    return null;
  }
  const first = await readSplit(model.ir, spec, o.split ?? "test");
  const fallBack =
    o.split === undefined &&
    first.diagnostics.length > 0 &&
    first.diagnostics.every((d) => d.code === "dataset-split-missing");
  const chosen = fallBack ? await readSplit(model.ir, spec, "train") : first;
  reportDiagnostics(io, chosen.diagnostics);
  if (!chosen.value) return null;
  if (fallBack) io.stderr.write(`dataset '${spec}' has no test split; using its training data\n`);
  return { data: chosen.value, spec, split: fallBack ? "train" : (o.split ?? "test") };
}

async function readSplit(ir: ModelIR, spec: string, split: SplitName) {
  const r = await resolveDataset(spec, ir.data, { baseDir: process.cwd(), split });
  const value = r.value ? (r.value[split] ?? r.value.train) : undefined;
  return { value, diagnostics: r.diagnostics };
}
