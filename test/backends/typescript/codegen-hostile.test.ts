/**
 * Spec text that reaches generated code — the objective as quoted from the source (its
 * comments included), the dataset string, names — cannot break out of the comment or
 * string it lands in: the module type-checks, holds no executable trace of a payload, and
 * importing it runs none.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import {
  commentText,
  identifier,
  numberLiteral,
  stringLiteral,
} from "../../../src/backends/typescript/escape.js";
import { generateTypeScript } from "../../../src/backends/typescript/index.js";
import { compileSource } from "../../../src/frontend.js";
import type { ModelIR } from "../../../src/ir/types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../../..");
const OUT = join(HERE, ".generated");

/** What every payload would do if it ran: set this global. */
const FLAG = "__vaeHostilePayloadRan";
const PAYLOAD = `globalThis.${FLAG} = true; require("child_process").execSync("false");`;

/**
 * The objective's comments carry the payload between a comment closer and opener, with
 * every line terminator JavaScript knows; the dataset string carries quotes, backslashes,
 * a template hole and U+2028 (written as the language's escape).
 */
const SOURCE = `
model Hostile {
  data   x: real[2]
  latent z: real[1]
  net enc = linear(2 -> (loc: 1, log_scale: 1))
  net dec = linear(1 -> 2)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)
  decoder p(x|z) = Normal(loc: dec(z), scale: 1)
  objective beta_vae(
    beta: 1 // */ ${PAYLOAD} /*
    /* " ' \` \${${FLAG}} \\ \\" */ // \u2028 ${PAYLOAD} \u2029 */ ${PAYLOAD} /*
    /* a /* nested opener */ // **/ ${PAYLOAD} /**\r
  )
  train { dataset: "*/ ${PAYLOAD.replace(/"/g, '\\"')} /* \\" \\\\ \${${FLAG}} \` \\u{2028} end" }
}`;

let ir: ModelIR;
let code: string;

/** Every identifier the TypeScript parser sees in `text` outside comments and strings. */
function identifiers(text: string): Set<string> {
  const sf = ts.createSourceFile("m.ts", text, ts.ScriptTarget.ES2022, true);
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Type errors of `files` under the repository's tsconfig. */
function typeErrors(files: string[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  const program = ts.createProgram(files, { ...parsed!.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${relative(OUT, d.file.fileName)}:${d.start}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

beforeAll(async () => {
  const r = compileSource(SOURCE, "hostile.vae");
  expect(r.diagnostics).toEqual([]);
  ir = r.ir!;
  expect(ir.objective.source).toContain("*/");
  expect(ir.objective.source).toContain("\u2028");
  expect(ir.train.dataset).toContain("\u2028");
  const g = await generateTypeScript(ir);
  expect(g.diagnostics).toEqual([]);
  code = g.code!;
});

describe("hostile spec text in generated code", () => {
  it("leaves no executable trace of the payload", () => {
    const ids = identifiers(code);
    expect(ids.has(FLAG)).toBe(false);
    expect(ids.has("require")).toBe(false);
    expect(ids.has("execSync")).toBe(false);
    // The payload is still there for a reader: quoted in comments and in the spec string.
    expect(code).toContain(FLAG);
    // Control: the same scan finds the payload when it is code.
    expect(identifiers(`${code}\n${PAYLOAD}\n`).has(FLAG)).toBe(true);
  });

  it("keeps the objective on one comment line and the spec's strings intact", async () => {
    for (const line of code.split("\n")) {
      if (line.includes("Objective:")) expect(line.trimStart().startsWith("*")).toBe(true);
    }
    expect(code).not.toMatch(/[\u2028\u2029]/);
    const spec = new Function(`return ${/export const spec = ([\s\S]*?);\n/.exec(code)![1]}`)();
    expect(spec).toEqual(JSON.parse(JSON.stringify(ir)));
  });

  it("type-checks against the installed tfjs types", () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, ".gitignore"), "*\n!.gitignore\n");
    const file = join(OUT, "hostile.ts");
    writeFileSync(file, code);
    expect(typeErrors([file])).toEqual([]);
  });

  it("does not run the payload when the module is imported", async () => {
    const mjs = join(OUT, "hostile.mjs");
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(mjs, js.outputText);
    const g = globalThis as Record<string, unknown>;
    delete g[FLAG];
    const m = await import(pathToFileURL(mjs).href);
    expect(g[FLAG]).toBeUndefined();
    expect(m.spec.objective.source).toBe(ir.objective.source);
    expect(m.spec.train.dataset).toBe(ir.train.dataset);
    // Control: the same import path runs code that sets the flag.
    const control = join(OUT, "hostile-control.mjs");
    writeFileSync(control, `${js.outputText}\n${PAYLOAD.split(";")[0]};\n`);
    await import(pathToFileURL(control).href);
    expect(g[FLAG]).toBe(true);
    delete g[FLAG];
  });

  it("refuses a forged IR whose names are not identifiers", async () => {
    const forged = (patch: (ir: ModelIR) => void): ModelIR => {
      const copy = JSON.parse(JSON.stringify(ir)) as ModelIR;
      patch(copy);
      return copy;
    };
    const bad = `x */ ${PAYLOAD} /*`;
    for (const m of [
      forged((i) => (i.name = bad)),
      forged((i) => (i.nets[0]!.name = bad)),
      forged((i) => (i.encoder.bindings[0]!.name = bad)),
      forged((i) => (i.prior.label = bad)),
    ]) {
      await expect(generateTypeScript(m)).rejects.toThrow(/is not an identifier/);
    }
  });
});

describe("escaping functions", () => {
  const HOSTILE = [
    "*/",
    "**/",
    "*//",
    "a */ b /* c */",
    "line\nbreak\r\ncrlf\rcr\u2028ls\u2029ps",
    "\"quoted\" 'single' `tick` ${hole} \\ backslash",
    "\ud800 lone surrogate",
    "",
  ];

  it("commentText cannot close a block comment or start a new line", () => {
    for (const s of HOSTILE) {
      const c = commentText(s);
      expect(c).not.toContain("*/");
      expect(c).not.toMatch(/[\n\r\u2028\u2029]/);
      // The scanner sees one comment followed by the token after it.
      const sf = ts.createSourceFile("c.ts", `/** ${c} */ 42;`, ts.ScriptTarget.ES2022, true);
      expect(sf.statements).toHaveLength(1);
      expect(sf.statements[0]!.getText(sf)).toBe("42;");
    }
  });

  it("stringLiteral evaluates back to the same string", () => {
    for (const s of HOSTILE) {
      const lit = stringLiteral(s);
      expect(lit).not.toMatch(/[\n\r\u2028\u2029]/);
      expect(new Function(`return ${lit};`)()).toBe(s);
    }
  });

  it("identifier passes the language's names and refuses anything else", () => {
    for (const ok of ["x", "encoder_net", "_t1", "Z9"]) expect(identifier(ok)).toBe(ok);
    for (const bad of ["", "1x", "a b", "a-b", "x;y", "é", "a\u2028"]) {
      expect(() => identifier(bad)).toThrow(/not an identifier/);
    }
  });

  it("numberLiteral spells every number exactly and refuses non-numbers", () => {
    for (const v of [0, -0, 1.5e-300, -3.4028234663852886e38, NaN, Infinity, -Infinity]) {
      expect(Object.is(new Function(`return ${numberLiteral(v)};`)(), v)).toBe(true);
    }
    expect(() => numberLiteral("1); boom(" as unknown as number)).toThrow(/not a number/);
  });
});
