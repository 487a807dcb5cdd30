import { createSyntaxDiagramsCode, generateCstDts } from "./chevrotain.js";
import * as prettier from "prettier";
import { VaeParser } from "./parser.js";

/**
 * Artifacts derived from the grammar: CST node types (consumed by the CST-to-AST stage)
 * and railroad diagrams for the language documentation. Both are committed and a test
 * regenerates them, so they can never drift from the parser.
 */
export interface GrammarArtifacts {
  /** Contents of grammar/cst.d.ts. */
  cstDts: string;
  /** Contents of grammar/diagrams.html. */
  diagramsHtml: string;
}

/** Paths of the artifacts, relative to the repository root. */
export const ARTIFACT_PATHS = {
  cstDts: "grammar/cst.d.ts",
  diagramsHtml: "grammar/diagrams.html",
} as const;

const CST_HEADER =
  "// Generated from grammar/parser.ts by `npm run grammar`; do not edit by hand.\n";

/**
 * The artifacts, formatted with the repository's prettier settings so that formatting the
 * whole tree leaves them unchanged (and the drift test stays meaningful).
 */
export async function generateGrammarArtifacts(
  parser: VaeParser = new VaeParser(),
): Promise<GrammarArtifacts> {
  const rawDts = CST_HEADER + generateCstDts(parser.getGAstProductions());
  const rawHtml = createSyntaxDiagramsCode(parser.getSerializedGastProductions());
  return {
    cstDts: await format(rawDts, ARTIFACT_PATHS.cstDts),
    diagramsHtml: await format(rawHtml, ARTIFACT_PATHS.diagramsHtml),
  };
}

/**
 * Formatting by file path, as the prettier CLI does: the inferred HTML settings differ
 * from `parser: "html"` (doctype casing), and `npm run format` must be a no-op here.
 */
function format(text: string, filepath: string): Promise<string> {
  return prettier.format(text, { printWidth: 100, filepath });
}
