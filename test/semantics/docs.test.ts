import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { messages } from "../../src/diagnostics/messages.js";
import { compileSource } from "../../src/frontend.js";
import { explainObjective } from "../../src/objectives/index.js";
import { model } from "./helpers.js";

const diagnosticsDoc = readFileSync("docs/diagnostics.md", "utf8");
const languageDoc = readFileSync("docs/language.md", "utf8");

it("docs/diagnostics.md documents every code", () => {
  const missing = Object.keys(messages).filter((c) => !diagnosticsDoc.includes(`### \`${c}\``));
  expect(missing).toEqual([]);
});

it("the examples in docs/diagnostics.md are current golden output", () => {
  const expected: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".expected")) expected.push(readFileSync(p, "utf8"));
    }
  };
  walk("test/golden/bad");
  const blocks = [...diagnosticsDoc.matchAll(/```\n(test\/golden\/[^`]*?)\n```/g)].map(
    (m) => m[1]!,
  );
  expect(blocks.length).toBeGreaterThan(40);
  const stale = blocks.filter((b) => !expected.some((e) => e.includes(b)));
  expect(stale).toEqual([]);
});

it("the infomax derivation in docs/language.md is what explainObjective prints", () => {
  const ir = compileSource(model({}, "objective infomax(lambda: 1)"), "m.vae").ir!;
  expect(languageDoc).toContain(explainObjective(ir.objective));
});
