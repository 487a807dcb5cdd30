import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { VariableIR } from "../../src/ir/types.js";

export const binary = (...shape: number[]): VariableIR => ({ name: "x", kind: "binary", shape });
export const unit = (...shape: number[]): VariableIR => ({ name: "x", kind: "unit", shape });
export const real = (...shape: number[]): VariableIR => ({ name: "x", kind: "real", shape });
export const categorical = (k: number, ...shape: number[]): VariableIR => ({
  name: "x",
  kind: "categorical",
  shape,
  categories: k,
});

/** A fresh temporary directory and a writer for small files in it. */
export function tempFiles(): {
  dir: string;
  write(name: string, contents: string | Uint8Array, gzip?: boolean): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), "vaelang-data-"));
  return {
    dir,
    write(name, contents, gzip = false) {
      const path = join(dir, name);
      const bytes = typeof contents === "string" ? Buffer.from(contents) : contents;
      writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An IDX file: magic (0, 0, type, ndims), big-endian uint32 dims, then the payload. */
export function idxBytes(type: number, dims: number[], payload: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}
