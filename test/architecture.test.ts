import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

/** Static (load-time) imports of a module: `import x from`, `export * from`; not `import type`, not `import()`. */
function staticImports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm;
  for (const m of src.matchAll(re)) out.push(m[1]!);
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const cand of [base.replace(/\.js$/, ".ts"), base + ".ts", path.join(base, "index.ts")])
    if (existsSync(cand)) return cand;
  throw new Error(`unresolved import ${spec} in ${from}`);
}

/** Every module loaded at start-up from `entry`, with the bare packages each one pulls in. */
function loadGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    const specs = staticImports(f);
    seen.set(
      f,
      specs.filter((s) => !s.startsWith(".")),
    );
    for (const s of specs) {
      const r = resolveLocal(f, s);
      if (r) todo.push(r);
    }
  }
  return seen;
}

describe("architecture", () => {
  it("`vae check` never loads tfjs: the CLI's start-up graph has no @tensorflow import", () => {
    const graph = loadGraph(path.join(root, "src/cli/bin.ts"));
    const offenders = [...graph].filter(([, pkgs]) =>
      pkgs.some((p) => p.startsWith("@tensorflow/")),
    );
    expect(offenders.map(([f]) => path.relative(root, f))).toEqual([]);
    expect(graph.size).toBeGreaterThan(5);
  });

  it("frontend stages never import the backends, the engine or the CLI", () => {
    const frontend = [
      "grammar",
      "src/syntax",
      "src/semantics",
      "src/ir",
      "src/objectives",
      "src/stdlib",
    ];
    const forbidden = ["src/backends", "src/engine", "src/cli"].map((d) => path.join(root, d));
    for (const dir of frontend) {
      const files = listTs(path.join(root, dir));
      for (const f of files) {
        for (const s of staticImports(f)) {
          const r = resolveLocal(f, s);
          if (r)
            expect(
              forbidden.some((d) => r.startsWith(d)),
              `${f} imports ${s}`,
            ).toBe(false);
          else expect(s.startsWith("@tensorflow/"), `${f} imports ${s}`).toBe(false);
        }
      }
    }
  });

  it("the engine, the reports and the comparison never import the CLI; the engine never imports reports or comparisons", () => {
    const rules: [string, string[]][] = [
      ["src/engine", ["src/cli", "src/report", "src/compare"]],
      ["src/report", ["src/cli", "src/compare"]],
      ["src/compare", ["src/cli"]],
      ["src/data", ["src/cli", "src/engine", "src/backends", "src/report", "src/compare"]],
    ];
    for (const [dir, banned] of rules) {
      const forbidden = banned.map((d) => path.join(root, d));
      for (const f of listTs(path.join(root, dir)))
        for (const s of allImports(f)) {
          const r = resolveLocal(f, s);
          if (r)
            expect(
              forbidden.some((d) => r.startsWith(d)),
              `${f} imports ${s}`,
            ).toBe(false);
        }
    }
  });
});

/** Every import of a module, static, type-only and dynamic (`import("…")`). */
function allImports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
  return [...src.matchAll(re)].map((m) => m[1]!);
}

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith(".ts") ? [p] : [];
  });
}
