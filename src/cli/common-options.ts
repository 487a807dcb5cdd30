import { Option } from "commander";
import { BACKEND_NAMES } from "../index.js";
import { integerAtLeast, integerBetween, nonEmpty, oneOf } from "./flags.js";
import type { SplitName } from "./inspect-data.js";
import { MAX_WORKERS } from "../semantics/check-train.js";

/** Options several commands share, worded once. */

export const modelOption = (): Option =>
  new Option("--model <name>", "which model of FILE to use (default: the first in the file)");

export const objectiveOption = (): Option =>
  new Option(
    "--objective <expr>",
    `an objective expression replacing the file's, e.g. "beta_vae(beta: 0.5)"`,
  );

export const dataOption = (): Option =>
  new Option(
    "--data <name|path>",
    "a named dataset (see 'vae datasets') or a data file or directory " +
      "(default: the file's train { dataset })",
  );

export const seedOption = (what: string, fallback: string): Option =>
  new Option("--seed <N>", `seed of ${what}, an integer ≥ 0 (default: ${fallback})`).argParser(
    integerAtLeast(0),
  );

export const backendOption = (): Option =>
  new Option(
    "--backend <name>",
    `the tfjs backend: ${BACKEND_NAMES.join(", ")} (default: the file's train { backend }, else auto)`,
  );

export const workersOption = (what: string, fallback: string): Option =>
  new Option(
    "--workers <N>",
    `threads for ${what}, 1 to ${MAX_WORKERS} (default: ${fallback})`,
  ).argParser(integerBetween(1, MAX_WORKERS));

export const inspectCheckpointOption = (): Option =>
  new Option(
    "--checkpoint <dir>",
    "the run folder written by 'vae train' (spec.vae, ir.json, weights.json, config.json)",
  )
    .argParser(nonEmpty)
    .makeOptionMandatory();

export const inspectSplitOption = (): Option =>
  new Option(
    "--split <name>",
    "which split of the data: train, valid or test (default: test, or train when the dataset has no test split)",
  ).argParser(oneOf("train", "valid", "test"));

export const inspectFileArgument =
  "the .vae model; it must describe the checkpoint's model (default: the checkpoint's spec.vae)";

/** The flags every inspection command shares, as commander parsed them (already validated). */
export interface InspectFlags {
  checkpoint: string;
  data?: string;
  split?: SplitName;
  seed: number;
  out?: string;
  model?: string;
  backend?: string;
}

export function inspectFlags(o: Record<string, unknown>): InspectFlags {
  return {
    checkpoint: o.checkpoint as string,
    data: o.data as string | undefined,
    split: o.split as SplitName | undefined,
    seed: (o.seed as number | undefined) ?? 0,
    out: o.out as string | undefined,
    model: o.model as string | undefined,
    backend: o.backend as string | undefined,
  };
}
