import { homedir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../package-root.js";

export { packageRoot };

/** The folder of data files shipped with the package (`<root>/data`). */
export function bundledDataDir(): string {
  return join(packageRoot(), "data");
}

/**
 * Where downloaded datasets are kept: $VAELANG_DATA when set, else
 * $XDG_CACHE_HOME/vaelang, else ~/.cache/vaelang.
 */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VAELANG_DATA) return env.VAELANG_DATA;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "vaelang");
  return join(homedir(), ".cache", "vaelang");
}
