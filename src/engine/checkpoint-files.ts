import { createHash } from "node:crypto";
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { closeSync, fsyncSync, openSync } from "node:fs";

/**
 * How a checkpoint is replaced atomically in a run folder that also holds other files
 * (metrics.jsonl, report.html, images). `manifest.json` is the commit point:
 *
 * 1. each new file is written and fsynced as `.<name>.next`;
 * 2. `manifest.json` (each file's SHA-256) is written to a temporary name, fsynced and
 *    renamed over the old one: from here on the folder holds the new checkpoint;
 * 3. each `.<name>.next` is renamed over `<name>`.
 *
 * A reader takes each file from `<name>` if its hash is the manifest's, else from
 * `.<name>.next`; so a writer killed at any moment leaves the previous checkpoint (before
 * 2) or the new one (after 2), never a mix. A writer first completes step 3 of a save
 * that was cut short, so that overwriting `.next` files never touches the current one.
 */
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = 1;

export interface Manifest {
  format: number;
  /** SHA-256 (hex) of each checkpoint file's bytes, by file name. */
  files: Record<string, string>;
}

export const pendingName = (name: string) => `.${name}.next`;

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const fd = await open(path, "w");
  try {
    await fd.writeFile(bytes);
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Makes renames in `dir` durable (a no-op where directories cannot be opened). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  }
}

/** The manifest in `dir`: absent (an older checkpoint, or none), or its parsed contents. */
export async function readManifest(
  dir: string,
): Promise<{ manifest: Manifest | null } | { error: string }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { manifest: null };
    return { error: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    const raw = JSON.parse(text) as unknown;
    if (
      typeof raw === "object" &&
      raw !== null &&
      (raw as Manifest).format === MANIFEST_FORMAT &&
      typeof (raw as Manifest).files === "object" &&
      (raw as Manifest).files !== null &&
      Object.values((raw as Manifest).files).every((h) => typeof h === "string")
    )
      return { manifest: raw as Manifest };
  } catch {
    // reported below
  }
  return { error: `expected {format: ${MANIFEST_FORMAT}, files: {name: sha256}}` };
}

async function readBytes(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

/**
 * The bytes of checkpoint file `name` as the manifest records them: from the file itself,
 * else from its pending `.next` copy; null when neither matches.
 */
export async function verifiedBytes(
  dir: string,
  name: string,
  expected: string,
): Promise<Buffer | null> {
  for (const candidate of [name, pendingName(name), name]) {
    const bytes = await readBytes(join(dir, candidate));
    if (bytes !== null && sha256(bytes) === expected) return bytes;
  }
  return null;
}

/** Step 3 of a save cut short: renames each pending file whose hash is the manifest's. */
async function completePendingRenames(dir: string, manifest: Manifest): Promise<void> {
  for (const [name, hash] of Object.entries(manifest.files)) {
    const current = await readBytes(join(dir, name));
    if (current !== null && sha256(current) === hash) continue;
    const pending = await readBytes(join(dir, pendingName(name)));
    if (pending !== null && sha256(pending) === hash)
      await rename(join(dir, pendingName(name)), join(dir, name));
  }
}

/** Replaces the checkpoint files in `dir` by `files` (name → bytes), atomically for readers. */
export async function replaceCheckpointFiles(
  dir: string,
  files: Record<string, Uint8Array>,
): Promise<void> {
  const current = await readManifest(dir);
  if ("manifest" in current && current.manifest !== null)
    await completePendingRenames(dir, current.manifest);
  const manifest: Manifest = { format: MANIFEST_FORMAT, files: {} };
  for (const [name, bytes] of Object.entries(files)) {
    await writeDurably(join(dir, pendingName(name)), bytes);
    manifest.files[name] = sha256(bytes);
  }
  const manifestTmp = join(dir, `.${MANIFEST_FILE}.${process.pid}.tmp`);
  await writeDurably(manifestTmp, Buffer.from(JSON.stringify(manifest, null, 2) + "\n"));
  syncDir(dir);
  await rename(manifestTmp, join(dir, MANIFEST_FILE));
  syncDir(dir);
  for (const name of Object.keys(files))
    await rename(join(dir, pendingName(name)), join(dir, name));
  syncDir(dir);
}
