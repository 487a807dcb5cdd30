import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { errorReason, reportUsageError, type CliIO, type UsageError } from "./io.js";

export type OutputFormat = "png" | "csv";

/** The most rows a sample or reconstruction holds in memory (100,000 MNIST rows: 313 MB). */
export const MAX_DRAWS = 100_000;

/** The most cells of one PNG grid: 8 columns of 512 rows is already past reading. */
export const MAX_GRID_IMAGES = 4096;

export function tooManyImages(option: string, images: number, command: string): UsageError {
  return {
    option,
    reason: `${images} images do not fit one PNG grid (at most ${MAX_GRID_IMAGES}); write a .csv with --out`,
    command,
  };
}

/**
 * What `--out PATH` asks for by its extension: .png (image data only) or .csv; without
 * --out, a PNG for image data and a CSV otherwise.
 */
export function outputFormat(
  out: string | undefined,
  image: boolean,
  command: string,
): OutputFormat | UsageError {
  if (out === undefined) return image ? "png" : "csv";
  const ext = path.extname(out).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".png") {
    if (image) return "png";
    return {
      option: "--out",
      reason:
        `'${out}' asks for an image, but the data are not images; write a .csv ` +
        "(a data variable declared [H, W], e.g. unit[28, 28], is drawn as images)",
      command,
    };
  }
  return { option: "--out", reason: `expects a .png or .csv path, got '${out}'`, command };
}

/** PATH without its extension: the stem that companion files are named after. */
export function withoutExtension(file: string): string {
  const ext = path.extname(file);
  return ext === "" ? file : file.slice(0, -ext.length);
}

/**
 * Writes one output file, creating its folder; a failure (an existing directory at that
 * path, a folder without write permission) is reported as `invalid-option` for --out with
 * the operating system's reason. Returns whether the file was written.
 */
export async function writeOutput(
  io: CliIO,
  file: string,
  content: Uint8Array | string,
  command: string,
): Promise<boolean> {
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, content);
    return true;
  } catch (e) {
    reportUsageError(io, {
      option: "--out",
      reason: `cannot write '${file}': ${errorReason(e)}`,
      command,
    });
    return false;
  }
}

/** A path as the user reads it: relative to the working folder when inside it. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(file) : rel;
}
