import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gunzipSync } from "node:zlib";
import { diagnostic } from "../diagnostics/diagnostic.js";
import { syntheticSpan } from "../diagnostics/span.js";
import type { VariableIR } from "../ir/types.js";
import { looksLikeIdx, parseIdx } from "./idx.js";
import { parseTextTable } from "./text.js";
import type { DataResult, Dataset } from "./types.js";

const gunzip = promisify(gunzipCallback);

/** `amat`: whitespace-separated text; `csv`: comma-separated text; `idx`: LeCun's binary format. */
export type DataFormat = "amat" | "csv" | "idx";

export interface LoadFileOptions {
  /** The name diagnostics carry (defaults to `path`); e.g. the path as the user wrote it. */
  displayPath?: string;
  /** Skip detection. */
  format?: DataFormat;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The format of a data file: by extension (after an optional `.gz`) — `.amat`, `.txt`,
 * `.tsv`, `.dat` are whitespace text, `.csv` is comma text, `*-ubyte` / `.idx*` is IDX —
 * else by content: IDX when the magic number and header fit, else comma text when the
 * first line holds a comma, else whitespace text.
 */
export function detectFormat(path: string, bytes: Uint8Array): DataFormat {
  const name = basename(path)
    .toLowerCase()
    .replace(/\.gz$/, "");
  if (/\.(amat|txt|tsv|dat)$/.test(name)) return "amat";
  if (name.endsWith(".csv")) return "csv";
  if (/(-ubyte|\.idx\d?)$/.test(name)) return "idx";
  if (looksLikeIdx(bytes)) return "idx";
  let eol = bytes.indexOf(10);
  if (eol === -1) eol = bytes.length;
  return bytes.subarray(0, eol).includes(44) ? "csv" : "amat";
}

/**
 * The bytes of a data file, decompressed when they are gzip (detected by the magic
 * number, not the name). Missing files give `data-file-not-found`; anything else that
 * stops reading (permissions, a directory, corrupt or truncated gzip) `data-unreadable`.
 */
export async function readDataBytes(path: string, displayPath = path): Promise<DataResult<Uint8Array>> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (e) {
    return { diagnostics: [fileError(e, displayPath)] };
  }
  if (!isGzip(raw)) return { value: raw, diagnostics: [] };
  try {
    return { value: await gunzip(raw), diagnostics: [] };
  } catch (e) {
    const reason = `corrupt gzip data (${(e as Error).message})`;
    const span = syntheticSpan(displayPath);
    return { diagnostics: [diagnostic("data-unreadable", span, { path: displayPath, reason })] };
  }
}

function fileError(e: unknown, displayPath: string) {
  const span = syntheticSpan(displayPath);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return diagnostic("data-file-not-found", span, { path: displayPath });
  const reason = code === "EISDIR" ? "it is a directory" : (e as Error).message;
  return diagnostic("data-unreadable", span, { path: displayPath, reason });
}

/**
 * Reads one data file (amat, CSV or IDX, optionally gzipped) and checks every point
 * against the data variable. Diagnostics point into the file itself.
 */
export async function loadDataFile(
  path: string,
  variable: VariableIR,
  options: LoadFileOptions = {},
): Promise<DataResult<Dataset>> {
  const display = options.displayPath ?? path;
  const read = await readDataBytes(path, display);
  if (read.value === undefined) return { diagnostics: read.diagnostics };
  const bytes = read.value;
  const format = options.format ?? detectFormat(path, bytes);
  switch (format) {
    case "idx":
      return parseIdx(bytes, display, variable);
    case "csv":
      return parseTextTable(bytes, display, variable, "comma");
    case "amat":
      return parseTextTable(bytes, display, variable, "whitespace");
  }
}

/**
 * The text a diagnostic's line and column refer to, for rendering: the decompressed
 * contents of a text data file. Undefined for binary formats (IDX) and unreadable files.
 */
export function dataSourceText(path: string): string | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (isGzip(bytes)) bytes = gunzipSync(bytes);
  } catch {
    return undefined;
  }
  if (detectFormat(path, bytes) === "idx") return undefined;
  return new TextDecoder().decode(bytes);
}
