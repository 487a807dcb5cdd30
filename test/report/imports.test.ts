import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("src/report dependencies", () => {
  it("point one way: nothing in src/report imports the CLI", () => {
    for (const file of listTs(path.join(root, "src/report"))) {
      const src = readFileSync(file, "utf8");
      const specifiers = [...src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g)].map(
        (m) => m[1]!,
      );
      for (const s of specifiers) {
        if (!s.startsWith(".")) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), s));
        expect(target.startsWith("src/cli"), `${path.relative(root, file)} imports ${s}`).toBe(
          false,
        );
      }
    }
  });
});
