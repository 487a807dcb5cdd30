import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

/**
 * The frontend must load without tfjs: the CLI checks programs, and the IR is consumed by
 * other backends. Follows every static and dynamic import from the frontend's files.
 */
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const FRONTEND = ["src/frontend.ts", "src/semantics", "src/stdlib", "src/objectives", "src/ir"];

function tsFiles(p: string): string[] {
  const abs = join(ROOT, p);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [abs];
  return readdirSync(abs).flatMap((e) => tsFiles(join(p, e)));
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|import\s*["']([^"']+)["']/g;

it("nothing the frontend loads imports @tensorflow or a backend", () => {
  const seen = new Set<string>();
  const offending: string[] = [];
  const queue = FRONTEND.flatMap(tsFiles).filter((f) => f.endsWith(".ts"));
  expect(queue.length).toBeGreaterThan(20);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      const from = relative(ROOT, file);
      if (spec.startsWith("@tensorflow")) offending.push(`${from} imports ${spec}`);
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      const rel = relative(ROOT, target);
      if (/^src\/(backends|engine|cli|report)\//.test(rel))
        offending.push(`${from} imports ${rel}`);
      if (existsSync(target)) queue.push(target);
    }
  }
  expect(offending).toEqual([]);
  // The walk reached the parser too, so the check covers the whole frontend.
  expect([...seen].some((f) => f.endsWith("src/syntax/index.ts"))).toBe(true);
});
