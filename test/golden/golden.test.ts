import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { messages } from "../../src/diagnostics/messages.js";
import { compileFile, renderCompileDiagnostics, type CompileOptions } from "../../src/frontend.js";

/**
 * Golden tests. good/<topic>/<name>.vae (and every examples/*.vae) must compile; its IR is
 * compared with <name>.ir.json. bad/<topic>/<case>.vae must fail; the rendered
 * diagnostics and exit status are compared with <case>.expected. An optional
 * <name>.options.json gives compile options ({ model, objective }) or a different `file`
 * to compile. Files under a `lib/` folder are helpers (imports), not cases.
 * Regenerate with UPDATE_GOLDEN=1 npx vitest run test/golden — then read every change.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/**
 * The codes the frontend can emit: every `diagnostic("code", ...)` in the frontend's
 * source. Data loading, the command line and the backends have codes of their own.
 */
const FRONTEND_SOURCES = [
  "grammar",
  "src/syntax",
  "src/semantics",
  "src/stdlib",
  "src/objectives",
  "src/ir",
  "src/frontend.ts",
];

function frontendCodes(): Set<string> {
  const codes = new Set<string>();
  const scan = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p)) scan(join(p, e));
    } else if (p.endsWith(".ts")) {
      for (const m of readFileSync(p, "utf8").matchAll(/diagnostic\(\s*"([a-z-]+)"/g)) {
        codes.add(m[1]!);
      }
    }
  };
  for (const s of FRONTEND_SOURCES) if (existsSync(join(ROOT, s))) scan(join(ROOT, s));
  return codes;
}

function casesUnder(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(abs).sort()) {
    const p = join(abs, entry);
    if (statSync(p).isDirectory()) {
      if (entry !== "lib") out.push(...casesUnder(join(dir, entry)));
    } else if (entry.endsWith(".vae")) {
      out.push(join(dir, entry));
    }
  }
  return out;
}

interface CaseOptions extends CompileOptions {
  file?: string;
}

function optionsFor(caseFile: string): CaseOptions {
  const p = join(ROOT, caseFile.replace(/\.vae$/, ".options.json"));
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as CaseOptions) : {};
}

function compileCase(caseFile: string) {
  const { file, ...opts } = optionsFor(caseFile);
  const readFile = (p: string): string | undefined => {
    try {
      return readFileSync(resolve(ROOT, p), "utf8");
    } catch {
      return undefined;
    }
  };
  return compileFile(file ?? caseFile, { ...opts, readFile });
}

function compareOrUpdate(snapshotPath: string, actual: string): void {
  const abs = join(ROOT, snapshotPath);
  if (UPDATE) {
    writeFileSync(abs, actual);
    return;
  }
  expect(existsSync(abs), `missing snapshot ${snapshotPath} (run with UPDATE_GOLDEN=1)`).toBe(true);
  expect(actual).toBe(readFileSync(abs, "utf8"));
}

const goodCases = casesUnder("test/golden/good");
const exampleCases = casesUnder("examples");
const badCases = casesUnder("test/golden/bad");

describe("good programs compile to the recorded IR", () => {
  for (const c of [...exampleCases, ...goodCases]) {
    it(c, () => {
      const r = compileCase(c);
      expect(renderCompileDiagnostics(r)).toBe("");
      expect(r.ir).toBeDefined();
      const snapshot = c.startsWith("examples/")
        ? join("test/golden/good/examples", basename(c).replace(/\.vae$/, ".ir.json"))
        : c.replace(/\.vae$/, ".ir.json");
      compareOrUpdate(snapshot, JSON.stringify(r.ir, null, 2) + "\n");
    });
  }
});

describe("bad programs report the recorded diagnostics", () => {
  for (const c of badCases) {
    it(c, () => {
      const r = compileCase(c);
      expect(r.ir).toBeUndefined();
      const status = r.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
      expect(status).toBe(1);
      const text = `${renderCompileDiagnostics(r)}\n\nexit status ${status}\n`;
      compareOrUpdate(c.replace(/\.vae$/, ".expected"), text);
    });
  }

  it("cover every diagnostic code the frontend can emit", () => {
    const covered = new Set<string>();
    for (const c of badCases) for (const d of compileCase(c).diagnostics) covered.add(d.code);
    const emitted = frontendCodes();
    expect([...emitted].filter((c) => !(c in messages))).toEqual([]);
    expect(emitted.size).toBeGreaterThan(40);
    expect([...emitted].filter((c) => !covered.has(c)).sort()).toEqual([]);
  });
});

it("every example is a golden case and every snapshot has its program", () => {
  expect(exampleCases.length).toBeGreaterThanOrEqual(6);
  const snapshots = readdirSync(join(ROOT, "test/golden/good/examples")).filter((f) =>
    f.endsWith(".ir.json"),
  );
  const programs = exampleCases.map((c) => basename(c).replace(/\.vae$/, ".ir.json"));
  expect(snapshots.sort()).toEqual(programs.sort());
});
