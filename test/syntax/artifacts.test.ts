import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ARTIFACT_PATHS, generateGrammarArtifacts } from "../../grammar/generate.js";

describe("generated grammar artifacts", async () => {
  const fresh = await generateGrammarArtifacts();

  it.each(Object.entries(ARTIFACT_PATHS))("%s is up to date (%s)", (key, path) => {
    const committed = readFileSync(path, "utf8");
    const generated = fresh[key as keyof typeof fresh];
    if (committed !== generated) {
      expect.fail(`${path} is out of date with grammar/parser.ts: run npm run grammar`);
    }
  });

  it("types every rule of the grammar", () => {
    for (const rule of ["program", "model", "distributionDecl", "expression", "primary"]) {
      const type = rule[0]!.toUpperCase() + rule.slice(1);
      expect(fresh.cstDts).toContain(`export interface ${type}CstNode extends CstNode`);
      expect(fresh.diagramsHtml).toContain(`name: "${rule}"`);
    }
  });
});
