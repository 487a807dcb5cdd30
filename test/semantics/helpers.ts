import { expect } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { checkModel } from "../../src/semantics/index.js";
import { parseProgram } from "../../src/syntax/index.js";
import type { Model } from "../../src/syntax/ast.js";

/**
 * A source with one span marked «like this»: returns the text without the marks and the
 * marked offsets, so a test states where a diagnostic must point, inside the program.
 */
export function marked(source: string): { text: string; start: number; end: number } {
  const start = source.indexOf("«");
  const end = source.indexOf("»") - 1;
  if (start < 0 || end < start) throw new Error("marked: no «span» in source");
  return { text: source.replace("«", "").replace("»", ""), start, end };
}

export function parseModel(text: string, file = "test.vae"): Model {
  const r = parseProgram(text, file);
  if (r.value === undefined || r.value.models[0] === undefined) {
    throw new Error("parseModel: " + r.diagnostics.map((d) => d.message).join("; "));
  }
  return r.value.models[0];
}

export function modelDiagnostics(text: string): Diagnostic[] {
  return checkModel(parseModel(text)).diagnostics;
}

/** Exactly one diagnostic, of `code`, pointing at the «marked» span. */
export function expectOnly(source: string, code: string): Diagnostic {
  const { text, start, end } = marked(source);
  const ds = modelDiagnostics(text);
  expect(ds.map((d) => `${d.code}: ${d.message}`)).toHaveLength(1);
  const d = ds[0]!;
  expect(d.code).toBe(code);
  expect(text.slice(d.span.start.offset, d.span.end.offset)).toBe(text.slice(start, end));
  expect(d.span.start.offset).toBe(start);
  return d;
}

/** A small valid model; `replace` swaps one declaration line (matched by its prefix). */
export function model(replace: Record<string, string> = {}, extra = ""): string {
  const lines = [
    "data   x: binary[4]",
    "latent z: real[2]",
    "net enc = linear(4 -> (loc: 2, log_scale: 2))",
    "net dec = mlp(2 -> 8 -> 4)",
    "prior   p(z)   = Normal(loc: 0, scale: 1)",
    "encoder q(z|x) = Normal(loc: h.loc, log_scale: h.log_scale) where h = enc(x)",
    "decoder p(x|z) = Bernoulli(logits: dec(z))",
  ].map((l) => {
    const key = Object.keys(replace).find((k) => l.startsWith(k));
    return key === undefined ? l : replace[key]!;
  });
  return `model M {\n  ${lines.join("\n  ")}\n  ${extra}\n}\n`;
}
