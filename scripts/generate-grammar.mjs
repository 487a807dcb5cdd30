// Regenerates grammar/cst.d.ts and grammar/diagrams.html from the compiled parser.
// Run through `npm run grammar`, which first compiles grammar/ alone
// (tsc -p grammar/tsconfig.generate.json) so errors elsewhere cannot block it.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ARTIFACT_PATHS, generateGrammarArtifacts } from "../dist/grammar/generate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = await generateGrammarArtifacts();
for (const key of Object.keys(ARTIFACT_PATHS)) {
  writeFileSync(join(root, ARTIFACT_PATHS[key]), artifacts[key]);
  console.log(`wrote ${ARTIFACT_PATHS[key]}`);
}
