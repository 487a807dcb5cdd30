/**
 * Inputs built to exhaust the compiler — long operator chains, deep nesting, numbers
 * beyond float32, objectives that expand exponentially, devices and huge files as
 * imports, floods of bad characters — get a coded diagnostic with a span from `vae
 * check`, promptly, never a stack trace. Inputs just inside the limits still compile,
 * and the stages after checking (code generation included) handle them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateTypeScript } from "../../src/backends/typescript/index.js";
import { runCli } from "../../src/cli/main.js";
import { trainModel } from "../../src/engine/train.js";
import {
  compileFile,
  compileSource,
  MAX_DIAGNOSTICS,
  MAX_SOURCE_BYTES,
} from "../../src/frontend.js";
import { MAX_OBJECTIVE_DEPTH, MAX_OBJECTIVE_NODES } from "../../src/objectives/resolve.js";
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_NODES } from "../../src/syntax/limits.js";

const dir = mkdtempSync(join(tmpdir(), "vae-limits-"));
let files = 0;

/** `vae check` on `text` in-process, as the command line runs it, with its wall time. */
async function check(text: string) {
  const file = join(dir, `case-${files++}.vae`);
  writeFileSync(file, text);
  let stdout = "";
  let stderr = "";
  const t0 = performance.now();
  const code = await runCli(["check", file], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  const ms = performance.now() - t0;
  const codes = [...stderr.matchAll(/error\[([a-z-]+)\]/g)].map((m) => m[1]);
  return { code, stdout, stderr, ms, codes, file };
}

/** A model whose decoder scale is `scale` and whose objective is `objective`. */
const model = (scale = "1", objective = "elbo", extra = "") => `${extra}
model M {
  data   x: real[2]
  latent z: real[1]
  net dec = linear(1 -> 2)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: 0, scale: 1)
  decoder p(x|z) = Normal(loc: dec(z), scale: ${scale})
  objective ${objective}
}
`;

const chain = (term: string, n: number) => Array<string>(n).fill(term).join(" + ");

/** Seconds a refusal may take on a loaded 2-core machine: each is milliseconds alone. */
const PROMPT_MS = 5_000;

function expectRefused(r: Awaited<ReturnType<typeof check>>, code: string): void {
  expect(r.stderr).not.toMatch(/internal error|RangeError|\n\s+at /);
  expect(r.code).toBe(1);
  expect(r.codes).toContain(code);
  expect(r.ms).toBeLessThan(PROMPT_MS);
}

describe("expressions", () => {
  it("a chain of 20,000 additions in a parameter expression", async () => {
    expectRefused(await check(model(chain("1", 20_000))), "expression-too-large");
  });

  it("a chain of 5,000 terms in the objective, in the file and on the command line", async () => {
    expectRefused(await check(model("1", chain("elbo", 5_000))), "expression-too-large");
    const r = compileSource(model(), "m.vae", { objective: chain("rate", 5_000) });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["expression-too-large"]);
    expect(r.diagnostics[0]!.span.file).toBe("<command line>");
  });

  it("5,000 nested parentheses, signs and heads", async () => {
    const parens = "(".repeat(5_000) + "1" + ")".repeat(5_000);
    expectRefused(await check(model(parens)), "nesting-too-deep");
    expectRefused(await check(model("-".repeat(5_000) + "1")), "nesting-too-deep");
    expectRefused(await check(model("1", "x" + ".a".repeat(5_000))), "expression-too-large");
  });

  it("an expression of more than 10,000 nodes that is not deep", async () => {
    const wide = `max(${Array<string>(MAX_EXPRESSION_NODES).fill("rate").join(", ")})`;
    const r = await check(model("1", wide));
    expectRefused(r, "expression-too-large");
    expect(r.stderr).toContain(`more than ${MAX_EXPRESSION_NODES} nodes`);
  });

  it("just inside the depth limit a model compiles, generates code and trains", async () => {
    // n − 1 operators chained in the decoder's scale and in the objective.
    const n = MAX_EXPRESSION_DEPTH - 1;
    const text = model(`1 + ${chain("0.001", n - 1)}`, `distortion + ${chain("rate", n - 1)}`);
    const r = compileSource(text, "deep.vae");
    expect(r.diagnostics).toEqual([]);
    const g = await generateTypeScript(r.ir!);
    expect(g.diagnostics).toEqual([]);
    expect(g.code).toContain("export function loss(");
    expect((await check(text)).code).toBe(0);
    // The engine's recursive evaluation and its gradients at that depth: one epoch trains.
    const data = {
      source: "rows",
      rows: 8,
      dim: 2,
      values: Float32Array.from({ length: 16 }, (_, i) => i / 16),
    };
    const trained = await trainModel(
      r.ir!,
      { train: data, entropy: null },
      {
        ...r.ir!.train,
        backend: "cpu",
        batch: 4,
        epochs: 1,
      },
    );
    expect(Number.isFinite(trained.history[0]!.train.loss)).toBe(true);
    // A wide call: max of 2,000 terms folds into 1,999 nested calls when written out.
    const wide = compileSource(
      model("1", `max(${Array<string>(2_000).fill("rate").join(", ")})`),
      "w.vae",
    );
    expect(wide.diagnostics).toEqual([]);
    expect((await generateTypeScript(wide.ir!)).diagnostics).toEqual([]);
  });
});

describe("numbers", () => {
  it("1e309 (not a finite float) and 1e39 (not a finite float32) are diagnostics", async () => {
    const infinite = await check(model("1e309"));
    expectRefused(infinite, "number-out-of-range");
    expect(infinite.stderr).toContain("^^^^^");
    for (const text of [
      model("1e39"),
      model("1", "elbo + 1e39"),
      model("1", "elbo", "").replace(
        "latent z: real[1]",
        "latent z: real[1]\n  param s: real = 1e39",
      ),
      model("1", "elbo", "").replace(
        "latent z: real[1]",
        "latent z: real[1]\n  param s: real = normal(loc: 0, scale: 1e39)",
      ),
    ]) {
      expectRefused(await check(text), "number-out-of-range");
    }
    // The largest float32 itself is fine.
    expect((await check(model("3.4028234e38"))).code).toBe(0);
  });
});

describe("objectives", () => {
  it("40 definitions that each use the next twice: refused without expanding 2^40 nodes", async () => {
    const defs = Array.from({ length: 40 }, (_, i) => `objective a${i} = a${i + 1} + a${i + 1}`);
    const r = await check(model("1", "a0", `${defs.join("\n")}\nobjective a40 = elbo`));
    expectRefused(r, "objective-too-large");
    expect(r.stderr).toContain(`more than ${MAX_OBJECTIVE_NODES} nodes`);
  });

  it("the same with parameters, and a chain of 3,000 definitions", async () => {
    const defs = Array.from(
      { length: 40 },
      (_, i) => `objective f${i}(b) = f${i + 1}(b) + f${i + 1}(b * 2)`,
    );
    expectRefused(
      await check(model("1", "f0(b: 1)", `${defs.join("\n")}\nobjective f40(b) = b * rate`)),
      "objective-too-large",
    );
    const chainDefs = Array.from({ length: 3_000 }, (_, i) => `objective c${i} = c${i + 1} + 1`);
    const r = await check(model("1", "c0", `${chainDefs.join("\n")}\nobjective c3000 = elbo`));
    expectRefused(r, "objective-too-large");
    expect(r.stderr).toContain(`more than ${MAX_OBJECTIVE_DEPTH} levels`);
  });

  it("a definition used many times is inlined once and shared", () => {
    const defs = Array.from({ length: 12 }, (_, i) => `objective a${i} = a${i + 1} + a${i + 1}`);
    // 2^12 copies of elbo (3 nodes each): 16,383 nodes, past the bound; 2^11: 8,191, within.
    const over = compileSource(model("1", "a0", `${defs.join("\n")}\nobjective a12 = elbo`), "m");
    expect(over.diagnostics.map((d) => d.code)).toContain("objective-too-large");
    const within = compileSource(
      model("1", "a1", `${defs.slice(1).join("\n")}\nobjective a12 = elbo`),
      "m",
    );
    expect(within.diagnostics.map((d) => d.code)).not.toContain("objective-too-large");
    // a1 is 2^11·(D + R): the linear form is exact.
    expect(within.ir!.objective.linear).toMatchObject({ distortion: 2048, rate: 2048 });
  });
});

describe("files", () => {
  it("importing a device or a directory is refused without reading it", async () => {
    expectRefused(await check(model("1", "elbo", 'import "/dev/zero"')), "not-a-regular-file");
    const sub = join(dir, "a-directory");
    mkdirSync(sub, { recursive: true });
    expectRefused(await check(model("1", "elbo", `import "${sub}"`)), "not-a-regular-file");
    const direct = compileFile("/dev/zero");
    expect(direct.diagnostics.map((d) => d.code)).toEqual(["not-a-regular-file"]);
  });

  it("a file over 1 MiB is refused, compiled or imported, on disk or in memory", async () => {
    const big = join(dir, "big.vae");
    writeFileSync(big, `// ${"x".repeat(MAX_SOURCE_BYTES)}\n`);
    expect(compileFile(big).diagnostics.map((d) => d.code)).toEqual(["file-too-large"]);
    expectRefused(await check(model("1", "elbo", `import "${big}"`)), "file-too-large");
    const text = model() + " ".repeat(MAX_SOURCE_BYTES);
    expect(compileSource(text, "m.vae").diagnostics.map((d) => d.code)).toEqual(["file-too-large"]);
  });
});

describe("diagnostic floods", () => {
  it("one bad token repeated 10,000 times inside a repetition: no recursion per recovery", async () => {
    // chevrotain re-enters a repetition after each recovery inside it; unbounded, this
    // overflowed the stack at a few thousand repeats.
    const train = `train { optimizer: ${"adamw: ".repeat(10_000)} }`;
    const r = await check(model().replace(/\}\n$/, `${train}\n}\n`));
    expectRefused(r, "unexpected-token");
    const args = await check(model(`f(${"1 1 ".repeat(10_000)})`));
    expectRefused(args, "unexpected-token");
  });

  it("30,000 bad characters: the first 100 diagnostics and a count, in linear time", async () => {
    const flood = Array.from({ length: 10_000 }, () => "# $ %").join("\n");
    const r = await check(flood);
    expectRefused(r, "too-many-diagnostics");
    expect(r.codes).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(r.stderr).toContain("29900 more errors not shown");
    // One run of 300,000 bad characters on one line is one diagnostic.
    const line = await check("#".repeat(300_000));
    expectRefused(line, "unexpected-character");
    expect(line.codes).toHaveLength(1);
  });
});
