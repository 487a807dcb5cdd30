import { mkdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { diagnostic, syntheticSpan, type Diagnostic, type Result } from "../diagnostics/index.js";
import { IR_VERSION, type ModelIR, type TrainIR } from "../ir/types.js";
import type { NamedWeights } from "./types.js";
import { weightMismatches } from "./weights.js";
import {
  MANIFEST_FILE,
  readManifest,
  replaceCheckpointFiles,
  verifiedBytes,
  type Manifest,
} from "./checkpoint-files.js";

/**
 * A checkpoint directory holds four files:
 *   spec.vae     the model source the run was compiled from
 *   ir.json      the ModelIR
 *   weights.json {format, weights: [{name, shape, dtype: "float32", data: base64}]}
 *                (little-endian float32 bytes)
 *   config.json  {train: resolved TrainIR, backend, vaelang: version}
 * and manifest.json, each file's SHA-256, written last (see checkpoint-files.ts): a save
 * replaces the four files atomically, and a load verifies them against it.
 */
export const CHECKPOINT_FILES = {
  source: "spec.vae",
  ir: "ir.json",
  weights: "weights.json",
  config: "config.json",
} as const;

export const WEIGHTS_FORMAT = 1;

export interface CheckpointConfig {
  train: TrainIR;
  backend: string;
  vaelang: string;
}

export interface Checkpoint {
  source: string;
  ir: ModelIR;
  weights: NamedWeights;
  config: CheckpointConfig;
}

interface WeightsFile {
  format: number;
  weights: { name: string; shape: number[]; dtype: "float32"; data: string }[];
}

let versionCache: string | undefined;

/** The vaelang package version, from the nearest package.json named "vaelang". */
export async function vaelangVersion(): Promise<string> {
  if (versionCache !== undefined) return versionCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "vaelang" && typeof pkg.version === "string") {
        versionCache = pkg.version;
        return versionCache;
      }
    } catch {
      // not here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  versionCache = "unknown";
  return versionCache;
}

function encodeWeights(weights: NamedWeights): WeightsFile {
  return {
    format: WEIGHTS_FORMAT,
    weights: Object.entries(weights).map(([name, w]) => ({
      name,
      shape: [...w.shape],
      dtype: "float32",
      data: Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength).toString(
        "base64",
      ),
    })),
  };
}

function invalid(path: string, reason: string): Diagnostic {
  return diagnostic("checkpoint-invalid", syntheticSpan(path), { path, reason });
}

/**
 * Writes a checkpoint into `dir` (created if needed), replacing one that is there
 * atomically: a reader, or a process killed mid-save, sees the previous checkpoint or
 * the new one, never a mix. Other files in `dir` are left alone. Returns
 * `checkpoint-invalid` diagnostics when the directory cannot be written.
 */
export async function saveCheckpoint(
  dir: string,
  ckpt: { source: string; ir: ModelIR; weights: NamedWeights; train: TrainIR; backend: string },
): Promise<Diagnostic[]> {
  const config: CheckpointConfig = {
    train: ckpt.train,
    backend: ckpt.backend,
    vaelang: await vaelangVersion(),
  };
  try {
    await mkdir(dir, { recursive: true });
    const text = (s: string) => Buffer.from(s, "utf8");
    await replaceCheckpointFiles(dir, {
      [CHECKPOINT_FILES.source]: text(ckpt.source),
      [CHECKPOINT_FILES.ir]: text(JSON.stringify(ckpt.ir, null, 2) + "\n"),
      [CHECKPOINT_FILES.weights]: text(JSON.stringify(encodeWeights(ckpt.weights)) + "\n"),
      [CHECKPOINT_FILES.config]: text(JSON.stringify(config, null, 2) + "\n"),
    });
    return [];
  } catch (e) {
    return [invalid(dir, `cannot write: ${e instanceof Error ? e.message : String(e)}`)];
  }
}

type Read<T> = { value: T } | { error: string };

/** Reads a checkpoint file: as it is, or (with a manifest) the bytes the manifest records. */
type FileReader = (path: string) => Promise<Read<string>>;

async function readPlain(path: string): Promise<Read<string>> {
  try {
    return { value: await readFile(path, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? "file is missing" : `cannot read (${code ?? String(e)})` };
  }
}

/**
 * Reads files through `manifest`: each file's recorded bytes (see verifiedBytes). A file
 * that matches neither is read as it is so that its own problems are reported, and its
 * path goes into `unverified`: such a checkpoint never loads.
 */
function manifestReader(dir: string, manifest: Manifest, unverified: string[]): FileReader {
  return async (path) => {
    const name = basename(path);
    const hash = manifest.files[name];
    const bytes = hash === undefined ? null : await verifiedBytes(dir, name, hash);
    if (bytes !== null) return { value: bytes.toString("utf8") };
    unverified.push(path);
    return readPlain(path);
  };
}

async function readJson(path: string, readText: FileReader): Promise<Read<unknown>> {
  const text = await readText(path);
  if ("error" in text) return text;
  try {
    return { value: JSON.parse(text.value) as unknown };
  } catch (e) {
    return { error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isInteger(d) && (d as number) >= 0);
}

function decodeWeights(raw: unknown): Read<NamedWeights> {
  if (!isObject(raw) || raw["format"] !== WEIGHTS_FORMAT || !Array.isArray(raw["weights"])) {
    return { error: `expected {format: ${WEIGHTS_FORMAT}, weights: [...]}` };
  }
  const out: NamedWeights = {};
  for (const entry of raw["weights"] as unknown[]) {
    if (
      !isObject(entry) ||
      typeof entry["name"] !== "string" ||
      !isShape(entry["shape"]) ||
      entry["dtype"] !== "float32" ||
      typeof entry["data"] !== "string"
    ) {
      return { error: 'a weight entry needs name, shape, dtype "float32" and base64 data' };
    }
    const bytes = Buffer.from(entry["data"], "base64");
    if (bytes.byteLength % 4 !== 0) {
      return { error: `weight '${entry["name"]}' does not hold whole float32 values` };
    }
    // Copy into a fresh, aligned buffer: Buffer slices may start at any byte offset.
    const values = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(values.buffer).set(bytes);
    out[entry["name"]] = { shape: entry["shape"], values };
  }
  return { value: out };
}

function looksLikeIr(v: unknown): v is ModelIR {
  return (
    isObject(v) &&
    Array.isArray(v["nets"]) &&
    Array.isArray(v["params"]) &&
    isObject(v["data"]) &&
    isObject(v["latent"]) &&
    isObject(v["objective"])
  );
}

/**
 * Reads and validates a checkpoint directory: every file present and well-formed, the IR
 * of the supported version, and the weights exactly those the IR needs, with the right
 * shapes. Problems come back as `checkpoint-invalid` diagnostics; nothing is thrown.
 */
export async function loadCheckpoint(dir: string): Promise<Result<Checkpoint>> {
  // A save running beside this load may commit a new manifest mid-read: read again.
  for (let attempt = 0; ; attempt++) {
    const before = await readManifest(dir);
    const result = await loadCheckpointOnce(dir, before);
    if (result.value !== undefined || attempt >= 2) return result;
    const after = await readManifest(dir);
    if (JSON.stringify(after) === JSON.stringify(before)) return result;
  }
}

async function loadCheckpointOnce(
  dir: string,
  manifestRead: Awaited<ReturnType<typeof readManifest>>,
): Promise<Result<Checkpoint>> {
  // One clear line for a wrong path, rather than one per file that is then missing.
  const info = await stat(dir).catch((e: NodeJS.ErrnoException) => e);
  if (info instanceof Error)
    return {
      diagnostics: [
        invalid(
          dir,
          info.code === "ENOENT" ? "no such folder" : `cannot read (${info.code ?? info.message})`,
        ),
      ],
    };
  if (!info.isDirectory())
    return {
      diagnostics: [
        invalid(dir, "not a folder (a checkpoint is the folder that vae train --out wrote)"),
      ],
    };
  const diagnostics: Diagnostic[] = [];
  const file = (name: string) => join(dir, name);
  if ("error" in manifestRead)
    return { diagnostics: [invalid(file(MANIFEST_FILE), manifestRead.error)] };
  // Without a manifest (checkpoints written before it existed) the files are read as they are.
  const unverified: string[] = [];
  const readText =
    manifestRead.manifest === null
      ? readPlain
      : manifestReader(dir, manifestRead.manifest, unverified);

  const source = await readText(file(CHECKPOINT_FILES.source));
  if ("error" in source) diagnostics.push(invalid(file(CHECKPOINT_FILES.source), source.error));

  const irRaw = await readJson(file(CHECKPOINT_FILES.ir), readText);
  let ir: ModelIR | undefined;
  if ("error" in irRaw) {
    diagnostics.push(invalid(file(CHECKPOINT_FILES.ir), irRaw.error));
  } else if (!looksLikeIr(irRaw.value)) {
    diagnostics.push(invalid(file(CHECKPOINT_FILES.ir), "not a model IR"));
  } else if (irRaw.value.irVersion !== IR_VERSION) {
    diagnostics.push(
      invalid(
        file(CHECKPOINT_FILES.ir),
        `IR version ${String(irRaw.value.irVersion)} is not the supported version ${IR_VERSION}`,
      ),
    );
  } else {
    ir = irRaw.value;
  }

  const weightsRaw = await readJson(file(CHECKPOINT_FILES.weights), readText);
  let weights: NamedWeights | undefined;
  if ("error" in weightsRaw) {
    diagnostics.push(invalid(file(CHECKPOINT_FILES.weights), weightsRaw.error));
  } else {
    const decoded = decodeWeights(weightsRaw.value);
    if ("error" in decoded)
      diagnostics.push(invalid(file(CHECKPOINT_FILES.weights), decoded.error));
    else weights = decoded.value;
  }

  const configRaw = await readJson(file(CHECKPOINT_FILES.config), readText);
  let config: CheckpointConfig | undefined;
  if ("error" in configRaw) {
    diagnostics.push(invalid(file(CHECKPOINT_FILES.config), configRaw.error));
  } else if (
    !isObject(configRaw.value) ||
    !isObject(configRaw.value["train"]) ||
    typeof configRaw.value["backend"] !== "string" ||
    typeof configRaw.value["vaelang"] !== "string"
  ) {
    diagnostics.push(invalid(file(CHECKPOINT_FILES.config), "expected {train, backend, vaelang}"));
  } else {
    config = configRaw.value as unknown as CheckpointConfig;
  }

  if (ir !== undefined && weights !== undefined) {
    let problems: string[];
    try {
      problems = weightMismatches(ir, weights);
    } catch (e) {
      // An IR that passed the structural check but names an unknown net kind, etc.
      problems = [`the IR cannot be lowered (${e instanceof Error ? e.message : String(e)})`];
    }
    for (const p of problems) diagnostics.push(invalid(file(CHECKPOINT_FILES.weights), p));
  }

  // Well-formed files that are not those the manifest records: a mix of two saves, or
  // files changed by hand since.
  if (diagnostics.length === 0)
    for (const path of unverified)
      diagnostics.push(
        invalid(
          path,
          `does not match ${MANIFEST_FILE} (a save was cut short, or the file was changed after it)`,
        ),
      );
  if (diagnostics.length > 0 || "error" in source || !ir || !weights || !config) {
    return { diagnostics };
  }
  return { value: { source: source.value, ir, weights, config }, diagnostics };
}
