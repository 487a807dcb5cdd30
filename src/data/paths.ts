import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/**
 * The package root: the nearest ancestor of this module holding package.json. Code runs
 * from src/data/ under vitest and from dist/src/data/ after tsc, so a fixed number of `..`
 * would be wrong in one of the two.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error("packageRoot: no package.json above " + import.meta.url);
    dir = parent;
  }
}

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
