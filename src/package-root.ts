import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The directory holding vaelang's package.json. Code runs from src/ (tests) and from
 * dist/src/ (the installed CLI), so bundled files (stdlib/, data/) are found by walking
 * up rather than by a fixed relative path.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "vaelang")
      return (cached = dir);
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error("vaelang: cannot locate the package root from " + import.meta.url);
    dir = up;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version;
}
