import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFile, compileSource, renderCompileDiagnostics } from "../../src/frontend.js";
import { validateModelIR } from "../../src/ir/index.js";
import { model } from "./helpers.js";

/** A readFile over an in-memory tree, for import tests. */
function files(tree: Record<string, string>): (p: string) => string | undefined {
  return (p) => tree[p];
}

const WITH_IMPORT = (path: string, objective: string) =>
  `import "${path}"\n` + model({}, `objective ${objective}`);

describe("compileSource", () => {
  it("compiles every example to valid IR", () => {
    for (const f of readdirSync("examples")) {
      const r = compileFile(`examples/${f}`);
      expect(renderCompileDiagnostics(r)).toBe("");
      expect(validateModelIR(r.ir!)).toEqual([]);
      expect(r.program?.models.length).toBe(1);
    }
  });

  it("compiles the first model unless one is named", () => {
    const text = model().replace("model M", "model A") + model().replace("model M", "model B");
    expect(compileSource(text, "two.vae").ir!.name).toBe("A");
    expect(compileSource(text, "two.vae", { model: "B" }).ir!.name).toBe("B");
    const r = compileSource(text, "two.vae", { model: "C" });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["no model named 'C' (available: A, B)"]);
  });

  it("reports a file with no model", () => {
    const r = compileSource("objective e = rate\n", "lib.vae");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["no-model"]);
    expect(r.program).toBeDefined();
  });

  it("stops after syntax errors, without a program", () => {
    const r = compileSource("model M { data x binary }", "s.vae");
    expect(r.program).toBeUndefined();
    expect(r.diagnostics.every((d) => d.code === "unexpected-token")).toBe(true);
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });

  it("keeps every text it read in sources, including stdlib", () => {
    const readFile = files({ "dir/lib.vae": "objective mine = 2 * elbo\n" });
    const r = compileSource(WITH_IMPORT("lib.vae", "mine"), "dir/main.vae", { readFile });
    expect(renderCompileDiagnostics(r)).toBe("");
    expect([...r.sources.keys()]).toEqual(["dir/main.vae", "dir/lib.vae", "stdlib/objectives.vae"]);
    expect(r.sources.get("stdlib/objectives.vae")).toBe(
      readFileSync("stdlib/objectives.vae", "utf8"),
    );
    expect(r.ir!.objective.linear).toEqual({ distortion: 2, rate: 2, entropy: 0, constant: 0 });
  });
});

describe("imports", () => {
  it("are relative to the importing file, transitively", () => {
    const readFile = files({
      "a/lib/one.vae": 'import "../two.vae"\nobjective one = two + rate\n',
      "a/two.vae": "objective two = distortion\n",
    });
    const r = compileSource(WITH_IMPORT("lib/one.vae", "one"), "a/main.vae", { readFile });
    expect(renderCompileDiagnostics(r)).toBe("");
    expect(r.ir!.objective.linear).toEqual({ distortion: 1, rate: 1, entropy: 0, constant: 0 });
  });

  it("a file imported twice is read once", () => {
    let reads = 0;
    const readFile = (p: string) => {
      if (p !== "shared.vae") return undefined;
      reads++;
      return "objective s = rate\n";
    };
    const text = 'import "shared.vae"\nimport "shared.vae"\n' + model({}, "objective s");
    expect(compileSource(text, "main.vae", { readFile }).ir).toBeDefined();
    expect(reads).toBe(1);
  });

  it("reports a missing import at its path", () => {
    const r = compileSource(WITH_IMPORT("nope.vae", "elbo"), "main.vae", { readFile: files({}) });
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([
      ["import-not-found", 1, 8],
    ]);
  });

  it("reports a cycle where it closes", () => {
    const readFile = files({
      "x.vae": 'import "y.vae"\nobjective xo = rate\n',
      "y.vae": 'import "x.vae"\nobjective yo = rate\n',
    });
    const r = compileSource(WITH_IMPORT("x.vae", "xo + yo"), "main.vae", { readFile });
    expect(r.diagnostics.map((d) => [d.code, d.span.file])).toEqual([["import-cycle", "y.vae"]]);
  });

  it("a file importing itself is a cycle", () => {
    const r = compileSource(WITH_IMPORT("main.vae", "elbo"), "main.vae", { readFile: files({}) });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["import-cycle"]);
  });

  it("two imported definitions of one name collide", () => {
    const readFile = files({
      "p.vae": "objective o = rate\n",
      "q.vae": "objective o = distortion\n",
    });
    const text = 'import "p.vae"\nimport "q.vae"\n' + model({}, "objective o");
    const r = compileSource(text, "main.vae", { readFile });
    expect(r.diagnostics.map((d) => [d.code, d.span.file])).toEqual([
      ["duplicate-declaration", "q.vae"],
    ]);
  });
});

describe("compileFile", () => {
  it("reports an unreadable file", () => {
    const r = compileFile("no/such/file.vae");
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["file-not-found", "cannot read file 'no/such/file.vae'"],
    ]);
    expect(renderCompileDiagnostics(r)).toBe(
      "no/such/file.vae:1:1: error[file-not-found]: cannot read file 'no/such/file.vae'",
    );
  });

  it("uses the given readFile", () => {
    const r = compileFile("virtual.vae", { readFile: files({ "virtual.vae": model() }) });
    expect(r.ir!.name).toBe("M");
  });
});

it("orders diagnostics by file and position and drops repeats", () => {
  const readFile = files({ "lib.vae": "objective bad(w) = w * rat\n" });
  const text =
    'import "lib.vae"\n' +
    model({ prior: "prior p(z) = Normal(loc: mu, scale: 1)" }, "objective bad(w: 1) + bad(w: 2)");
  const r = compileSource(text, "main.vae", { readFile });
  expect(r.diagnostics.map((d) => [d.span.file, d.code])).toEqual([
    ["main.vae", "undefined-name"],
    ["lib.vae", "unknown-term"],
  ]);
});
