import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

/**
 * The chevrotain runtime, loaded from the single-file bundle that ships in the same
 * package release. The package entry point instead loads several hundred small modules
 * (lodash-es), which costs about 0.3 s of startup, the whole budget of `vae check`.
 * Every runtime use of chevrotain goes through this module, so token types, EOF and the
 * parser classes all come from one instance. Types still come from "chevrotain".
 */
const entry = createRequire(import.meta.url).resolve("chevrotain");
const bundle = pathToFileURL(join(dirname(entry), "..", "chevrotain.mjs")).href;
const runtime = (await import(bundle)) as typeof Chevrotain;

export const {
  createToken,
  createSyntaxDiagramsCode,
  CstParser,
  EOF,
  generateCstDts,
  isRecognitionException,
  Lexer,
  VERSION,
} = runtime;
