import { mkdir } from "node:fs/promises";
import * as path from "node:path";

/** `<model>-<YYYYMMDD-HHMMSS>` (local time), keeping letters, digits, '-' and '_' of the name. */
export function runFolderName(model: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-` +
    `${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  const safe = model.replace(/[^A-Za-z0-9_-]/g, "_") || "model";
  return `${safe}-${stamp}`;
}

/**
 * Creates a fresh folder `<parent>/<name>`, or `<name>-2`, `<name>-3`, … when taken: mkdir
 * without `recursive` fails on an existing folder, so two runs started in the same second
 * (or in parallel) never share one. Returns its path; throws the OS error otherwise.
 */
export async function createFreshFolder(parent: string, name: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? name : `${name}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}
