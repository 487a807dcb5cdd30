import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { syntheticSpan, type Span } from "../diagnostics/span.js";
import type { VariableIR } from "../ir/types.js";
import { ensureDataFile, type DataLocationOptions, type RemoteDataFile } from "./download.js";
import { loadDataFile } from "./load.js";
import {
  BINARIZED_MNIST_FILES,
  MNIST_IMAGE_VARIABLE,
  MNIST_LABEL_VARIABLE,
  MNIST_TEST_FILES,
  MNIST_TRAIN_ROWS,
  downsampleTo8x8,
  sliceRows,
} from "./mnist.js";
import { BROKEN_ELBO_TOY, brokenElboEntropy, brokenElboSamples } from "./toy.js";
import type { DataResult, Dataset, DatasetSplits, ImageShape } from "./types.js";
import { formatValueType, kindFits, variableWidth } from "./values.js";

export type SplitName = "train" | "valid" | "test";

const SPLIT_NAMES: readonly SplitName[] = ["train", "valid", "test"];

export interface ResolveDatasetOptions extends DataLocationOptions {
  /** Directory that relative file paths are resolved against (default: the working directory). */
  baseDir?: string;
  /**
   * Read only this split. It is returned under its own name and also as `train` (the one
   * set of points the caller asked for), so the result stays a DatasetSplits.
   */
  split?: SplitName;
}

type SplitData = Partial<Record<SplitName, Dataset>>;

interface NamedDataset {
  name: string;
  description: string;
  /** The kind and shape of every point, checked against the data variable before loading. */
  provides: Pick<VariableIR, "kind" | "shape" | "categories">;
  splits: readonly SplitName[];
  /** Set when each point is a grayscale image (rows carry it as `Dataset.image`). */
  image?: ImageShape;
  /** Loads one class label per point, aligned with `load`'s rows. */
  labels?(wanted: readonly SplitName[], options: ResolveDatasetOptions): Promise<DataResult<SplitData>>;
  /** Exact entropy of the data distribution in nats, when known. */
  entropy(): number | null;
  load(wanted: readonly SplitName[], options: ResolveDatasetOptions): Promise<DataResult<SplitData>>;
}

/** Loads each wanted split of binarized MNIST from its own file. */
async function loadBinarizedMnist(
  wanted: readonly SplitName[],
  options: ResolveDatasetOptions,
): Promise<DataResult<SplitData>> {
  const variable: VariableIR = { name: "x", kind: "binary", shape: [784] };
  const out: SplitData = {};
  for (const split of wanted) {
    const file = await loadRemote(BINARIZED_MNIST_FILES[split], variable, options);
    if (file.value === undefined) return { diagnostics: file.diagnostics };
    out[split] = { ...file.value, source: `binarized-mnist/${split}` };
  }
  return { value: out, diagnostics: [] };
}

async function loadRemote(
  file: RemoteDataFile,
  variable: VariableIR,
  options: DataLocationOptions,
): Promise<DataResult<Dataset>> {
  const path = await ensureDataFile(file, options);
  if (path.value === undefined) return { diagnostics: path.diagnostics };
  return loadDataFile(path.value, variable);
}

/** The MNIST test set split in order into train (first 8,000) and test (last 2,000). */
async function loadMnistSplits(
  file: RemoteDataFile,
  variable: VariableIR,
  name: string,
  wanted: readonly SplitName[],
  options: DataLocationOptions,
  transform: (d: Dataset) => Dataset = (d) => d,
): Promise<DataResult<SplitData>> {
  const all = await loadRemote(file, variable, options);
  if (all.value === undefined) return { diagnostics: all.diagnostics };
  const data = all.value;
  const out: SplitData = {};
  if (wanted.includes("train"))
    out.train = transform(sliceRows(data, 0, MNIST_TRAIN_ROWS, `${name}/train`));
  if (wanted.includes("test"))
    out.test = transform(sliceRows(data, MNIST_TRAIN_ROWS, data.rows, `${name}/test`));
  return { value: out, diagnostics: [] };
}

/** MNIST's digit labels, in the row order of `mnist` and `mnist-8x8`. */
function loadMnistLabels(
  wanted: readonly SplitName[],
  options: ResolveDatasetOptions,
): Promise<DataResult<SplitData>> {
  return loadMnistSplits(MNIST_TEST_FILES.labels, MNIST_LABEL_VARIABLE, "mnist-labels", wanted, options);
}

const REGISTRY: readonly NamedDataset[] = [
  {
    name: "binarized-mnist",
    description:
      "static binarized MNIST (Larochelle & Murray 2011): binary[784], 50,000 train / 10,000 valid / 10,000 test",
    provides: { kind: "binary", shape: [784] },
    splits: ["train", "valid", "test"],
    image: { height: 28, width: 28 },
    entropy: () => null,
    load: loadBinarizedMnist,
  },
  {
    name: "mnist",
    description:
      "MNIST test set as grayscale unit[784] (pixel / 255): first 8,000 train / last 2,000 test",
    provides: { kind: "unit", shape: [784] },
    splits: ["train", "test"],
    image: { height: 28, width: 28 },
    labels: loadMnistLabels,
    entropy: () => null,
    load: (wanted, options) =>
      loadMnistSplits(MNIST_TEST_FILES.images, MNIST_IMAGE_VARIABLE, "mnist", wanted, options),
  },
  {
    name: "mnist-8x8",
    description:
      "MNIST test set padded to 32×32 and 4×4 average-pooled: real[64] in [0, 1], 8,000 train / 2,000 test",
    provides: { kind: "unit", shape: [64] },
    splits: ["train", "test"],
    image: { height: 8, width: 8 },
    labels: loadMnistLabels,
    entropy: () => null,
    load: (wanted, options) =>
      loadMnistSplits(
        MNIST_TEST_FILES.images,
        MNIST_IMAGE_VARIABLE,
        "mnist-8x8",
        wanted,
        options,
        downsampleTo8x8,
      ),
  },
  {
    name: "mnist-labels",
    description: "MNIST test-set digit labels: categorical<10>, 8,000 train / 2,000 test (same order as mnist)",
    provides: { kind: "categorical", shape: [], categories: 10 },
    splits: ["train", "test"],
    entropy: () => null,
    load: (wanted, options) =>
      loadMnistSplits(MNIST_TEST_FILES.labels, MNIST_LABEL_VARIABLE, "mnist-labels", wanted, options),
  },
  {
    name: "toy:broken-elbo",
    description: `Alemi et al. toy: categorical<${BROKEN_ELBO_TOY.bins}>, a discretized two-Gaussian mixture, 50,000 train / 10,000 test, exact entropy`,
    provides: { kind: "categorical", shape: [], categories: BROKEN_ELBO_TOY.bins },
    splits: ["train", "test"],
    entropy: brokenElboEntropy,
    load: async (wanted) => {
      const samples = brokenElboSamples();
      const out: SplitData = {};
      if (wanted.includes("train")) out.train = samples.train;
      if (wanted.includes("test")) out.test = samples.test;
      return { value: out, diagnostics: [] };
    },
  },
];

/** The named datasets with a one-line description each. */
export function listDatasets(): { name: string; description: string }[] {
  return REGISTRY.map(({ name, description }) => ({ name, description }));
}

/**
 * The data a `dataset:` entry or `--data` flag names, checked against the data variable:
 * a named dataset (see listDatasets), a data file (its points are the train split), or a
 * directory holding files whose names contain train / valid / test. Relative paths are
 * resolved against `baseDir` (default: the working directory).
 * Diagnostics about the name itself (unknown name, missing file, a dataset that does not
 * fit the variable) point at `span` (default: a span in a file named after `spec`);
 * problems inside a data file point at the offending line and column of that file.
 */
export async function resolveDataset(
  spec: string,
  variable: VariableIR,
  options: ResolveDatasetOptions = {},
): Promise<DataResult<DatasetSplits>> {
  const span = options.span ?? syntheticSpan(spec);
  const named = REGISTRY.find((d) => d.name === spec);
  if (named !== undefined) return resolveNamed(named, variable, span, options);

  const path = isAbsolute(spec) ? spec : resolve(options.baseDir ?? process.cwd(), spec);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    if (looksLikePath(spec))
      return { diagnostics: [diagnostic("data-file-not-found", span, { path: spec })] };
    const available = REGISTRY.map((d) => d.name).join(", ");
    return { diagnostics: [diagnostic("unknown-dataset", span, { name: spec, available })] };
  }
  const display = displayPath(spec, path);
  if (info.isDirectory()) return resolveDirectory(path, display, variable, span, options);

  if (options.split !== undefined && options.split !== "train") return splitMissing(spec, options.split, ["train"], span);
  const train = await loadDataFile(path, variable, { displayPath: display });
  if (train.value === undefined) return { diagnostics: train.diagnostics };
  return { value: { train: train.value, entropy: null }, diagnostics: [] };
}

/** One split of a dataset: what `resolveDataset(spec, variable, { split })` returns as that split. */
export async function resolveDatasetSplit(
  spec: string,
  variable: VariableIR,
  split: SplitName,
  options: Omit<ResolveDatasetOptions, "split"> = {},
): Promise<DataResult<Dataset>> {
  const result = await resolveDataset(spec, variable, { ...options, split });
  if (result.value === undefined) return { diagnostics: result.diagnostics };
  return { value: result.value[split] ?? result.value.train, diagnostics: result.diagnostics };
}

async function resolveNamed(
  dataset: NamedDataset,
  variable: VariableIR,
  span: Span,
  options: ResolveDatasetOptions,
): Promise<DataResult<DatasetSplits>> {
  const fits =
    variableWidth(dataset.provides) === variableWidth(variable) && kindFits(dataset.provides, variable);
  if (!fits) {
    const params = {
      dataset: dataset.name,
      provides: formatValueType(dataset.provides),
      variable: variable.name,
      type: formatValueType(variable),
    };
    return { diagnostics: [diagnostic("dataset-mismatch", span, params)] };
  }
  const wanted = options.split === undefined ? dataset.splits : [options.split];
  if (options.split !== undefined && !dataset.splits.includes(options.split))
    return splitMissing(dataset.name, options.split, dataset.splits, span);
  const loaded = await dataset.load(wanted, { ...options, span });
  if (loaded.value === undefined) return { diagnostics: loaded.diagnostics };
  const labels = dataset.labels ? await dataset.labels(wanted, { ...options, span }) : undefined;
  if (labels !== undefined && labels.value === undefined) return { diagnostics: labels.diagnostics };
  for (const split of wanted) {
    const d = loaded.value[split];
    if (d === undefined) continue;
    if (dataset.image !== undefined) d.image = dataset.image;
    const l = labels?.value?.[split];
    if (l !== undefined && l.rows === d.rows) d.labels = Int32Array.from(l.values);
  }
  return { value: assemble(loaded.value, options.split, dataset.entropy()), diagnostics: [] };
}

function assemble(data: SplitData, split: SplitName | undefined, entropy: number | null): DatasetSplits {
  const train = split === undefined ? data.train : data[split];
  if (train === undefined) throw new Error("assemble: the train split was not loaded");
  const out: DatasetSplits = { train, entropy };
  if (data.valid !== undefined) out.valid = data.valid;
  if (data.test !== undefined) out.test = data.test;
  return out;
}

function splitMissing(
  dataset: string,
  split: SplitName,
  available: readonly SplitName[],
  span: Span,
): DataResult<DatasetSplits> {
  const params = { dataset, split, available: available.join(", ") };
  return { diagnostics: [diagnostic("dataset-split-missing", span, params)] };
}

/** A name with a separator or an extension is meant as a path, not a dataset name. */
function looksLikePath(spec: string): boolean {
  return /[/\\]/.test(spec) || /\.[a-z0-9]+$/i.test(spec);
}

/** The path as diagnostics show it: relative to the working directory when inside it. */
function displayPath(spec: string, absolute: string): string {
  if (isAbsolute(spec)) return spec;
  const rel = relative(process.cwd(), absolute);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? absolute : rel;
}

const SPLIT_PATTERNS: Record<SplitName, RegExp> = {
  train: /(^|[^a-z])(train|training)([^a-z]|$)/,
  valid: /(^|[^a-z])(valid|validation|val|dev)([^a-z]|$)/,
  test: /(^|[^a-z])(test|t10k)([^a-z]|$)/,
};

/**
 * A directory of split files: each regular file whose name contains train, valid
 * (validation, val, dev) or test (t10k) as a word is that split. When a split matches
 * several files (MNIST's images and labels), label files are chosen for a categorical
 * variable and skipped otherwise.
 */
async function resolveDirectory(
  dir: string,
  display: string,
  variable: VariableIR,
  span: Span,
  options: ResolveDatasetOptions,
): Promise<DataResult<DatasetSplits>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith(".") && !/\.md$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    const reason = (e as Error).message;
    return { diagnostics: [diagnostic("data-unreadable", span, { path: display, reason })] };
  }
  const wantsLabels = variable.kind === "categorical";
  const files: Partial<Record<SplitName, string>> = {};
  const diagnostics: Diagnostic[] = [];
  for (const split of SPLIT_NAMES) {
    let matches = names.filter((n) => SPLIT_PATTERNS[split].test(n.toLowerCase()));
    if (matches.length > 1) matches = matches.filter((n) => /label/i.test(n) === wantsLabels);
    if (matches.length > 1) {
      const reason = `several ${split} files: ${matches.join(", ")}`;
      diagnostics.push(diagnostic("data-unreadable", span, { path: display, reason }));
    } else if (matches.length === 1) files[split] = matches[0];
  }
  if (diagnostics.length > 0) return { diagnostics };
  const present = SPLIT_NAMES.filter((s) => files[s] !== undefined);
  if (options.split !== undefined) {
    if (files[options.split] === undefined) return splitMissing(display, options.split, present, span);
  } else if (files.train === undefined) {
    const reason = "no file whose name contains 'train'";
    return { diagnostics: [diagnostic("data-unreadable", span, { path: display, reason })] };
  }
  const data: SplitData = {};
  for (const split of options.split === undefined ? present : [options.split]) {
    const name = files[split] as string;
    const loaded = await loadDataFile(join(dir, name), variable, {
      displayPath: join(display, name),
    });
    if (loaded.value === undefined) diagnostics.push(...loaded.diagnostics);
    else data[split] = loaded.value;
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: assemble(data, options.split, null), diagnostics: [] };
}
