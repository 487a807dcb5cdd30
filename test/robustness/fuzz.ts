/**
 * A seeded mutation fuzzer for `vae check`: programs from examples/ and the golden
 * cases, mutated at the token level (deleted, duplicated, swapped, replaced by extreme
 * numbers, stray characters inserted, slices repeated to extreme sizes, text cut short),
 * each run through the command line's own entry point. A case passes when the exit status
 * is 0 or 1, nothing reads as an internal error, every diagnostic in the file points
 * inside it, and the answer comes promptly; a program that checks must also go through
 * `vae codegen` the same way.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runCli } from "../../src/cli/main.js";

/** A seeded stream of uniforms in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Seed {
  /** Path relative to the repository root. */
  name: string;
  text: string;
}

/** examples/*.vae and every .vae under test/golden, in a stable order. */
export function fuzzSeeds(root: string): Seed[] {
  const out: Seed[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".vae"))
        out.push({ name: relative(root, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(join(root, "examples"));
  walk(join(root, "test/golden"));
  return out;
}

/** Names, numbers, strings, comments, whitespace runs, and single other characters. */
const TOKEN =
  /[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\\n]|\\.)*"?|\/\/[^\n]*|\/\*[\s\S]*?\*\/|\s+|->|[\s\S]/g;

function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Characters that lexers and renderers trip on. */
const STRAY = [
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  ".",
  "|",
  "-",
  "->",
  "*",
  "/",
  "=",
  "<",
  ">",
  '"',
  "\\",
  "/*",
  "*/",
  "//",
  "\n",
  "\r",
  "\t",
  "\u2028",
  "\u0000",
  "\uFFFD",
  "é",
  "𝔼",
  "\ud800",
  "@",
  "#",
  "$",
  "`",
  "${",
  "1e309",
  "1e39",
  "-0",
  "0",
  "999999999999",
  "model",
  "objective",
  "import",
  "train",
  "where",
  "elbo",
  "rate",
];

const NUMBERS = [
  "0",
  "1e309",
  "1e39",
  "3.4028234e38",
  "1e-320",
  "4294967297",
  "00",
  "1.5",
  "2e-45",
];

function pick<T>(xs: readonly T[], rand: () => number): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** One to four mutations of `text`; one case in eight also goes to a size extreme. */
export function mutate(text: string, rand: () => number): string {
  let ts = tokens(text);
  const at = (): number => Math.floor(rand() * (ts.length + 1));
  // Mostly one mutation, so that many cases stay near a valid program and reach the checker.
  const count = 1 + Math.floor(rand() ** 3 * 4);
  for (let m = 0; m < count; m++) {
    const i = Math.min(at(), Math.max(0, ts.length - 1));
    switch (Math.floor(rand() * 7)) {
      case 0:
        ts.splice(i, 1);
        break;
      case 1:
        ts.splice(i, 0, ts[i] ?? "");
        break;
      case 2: {
        const j = Math.min(at(), Math.max(0, ts.length - 1));
        [ts[i], ts[j]] = [ts[j] ?? "", ts[i] ?? ""];
        break;
      }
      case 3:
        ts.splice(i, 0, pick(STRAY, rand));
        break;
      case 4: {
        const numbers = ts.flatMap((t, k) => (/^\d/.test(t) ? [k] : []));
        if (numbers.length > 0) ts[pick(numbers, rand)] = pick(NUMBERS, rand);
        break;
      }
      case 5:
        if (rand() < 0.3) ts = ts.slice(0, i);
        else ts.splice(i, 0, " ");
        break;
      default: {
        // Random characters inside a token.
        const t = ts[i] ?? "";
        const k = Math.floor(rand() * (t.length + 1));
        const ch = String.fromCharCode(Math.floor(rand() * 0x3000));
        ts[i] = t.slice(0, k) + ch + t.slice(k);
      }
    }
  }
  if (rand() < 0.125) ts = extreme(ts, rand);
  return ts.join("");
}

/** A slice repeated thousands of times, or wrapped in deep brackets. */
function extreme(ts: string[], rand: () => number): string[] {
  const i = Math.floor(rand() * ts.length);
  const slice = ts.slice(i, i + 1 + Math.floor(rand() * 4));
  const times = 1_000 + Math.floor(rand() * 20_000);
  if (rand() < 0.5) {
    return [...ts.slice(0, i), ...Array<string[]>(times).fill(slice).flat(), ...ts.slice(i)];
  }
  const depth = 50 + Math.floor(rand() * 5_000);
  const open = pick(["(", "[", "{", "-", "f("], rand);
  const closing: Record<string, string> = { "(": ")", "[": "]", "{": "}", "-": "", "f(": ")" };
  const close = closing[open] ?? "";
  return [...ts.slice(0, i), open.repeat(depth), ...slice, close.repeat(depth), ...ts.slice(i)];
}

export interface CaseResult {
  status: number;
  ms: number;
  /** What is wrong with the answer; empty when the case passes. */
  problems: string[];
}

/** The longest a `vae check` may take on a hostile input before it counts as a hang. */
export const CASE_LIMIT_MS = 10_000;

/**
 * Runs `vae check file` in-process, as bin/vae.js does, on `text` written to `file`,
 * and judges the answer. A program that checks is also generated as TypeScript
 * (`vae codegen`), which must succeed or report `codegen-unsupported`.
 */
export async function runCase(text: string, file: string): Promise<CaseResult> {
  writeFileSync(file, text);
  const check = await runCommand(["check", file], file, text);
  if (check.status !== 0) return check;
  const codegen = await runCommand(["codegen", file, "--out", `${file}.ts`], file, text);
  return {
    status: check.status,
    ms: check.ms,
    problems: [...check.problems, ...codegen.problems.map((p) => `vae codegen: ${p}`)],
  };
}

async function runCommand(argv: string[], file: string, text: string): Promise<CaseResult> {
  let out = "";
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (out += s) },
  };
  const t0 = performance.now();
  let status: number;
  const problems: string[] = [];
  try {
    status = await runCli(argv, io);
  } catch (e) {
    status = -1;
    problems.push(`runCli threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const ms = performance.now() - t0;
  if (status !== 0 && status !== 1) problems.push(`exit status ${status}`);
  if (/internal error/i.test(out)) problems.push(`internal error: ${out.slice(0, 2000)}`);
  if (ms > CASE_LIMIT_MS) problems.push(`took ${Math.round(ms)} ms`);
  problems.push(...spansOutside(out, file, text));
  return { status, ms, problems };
}

/** Diagnostics in `file` whose line or column is not in the text. */
function spansOutside(output: string, file: string, text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (const m of output.matchAll(/^(.*):(\d+):(\d+): (?:error|warning)\[([a-z-]+)\]/gm)) {
    if (m[1] !== file) continue;
    const line = Number(m[2]);
    const column = Number(m[3]);
    const length = lines[line - 1]?.length;
    if (length === undefined || column < 1 || column > length + 1) {
      out.push(`${m[4]} at ${line}:${column} is outside the file`);
    }
  }
  return out;
}
