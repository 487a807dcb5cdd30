import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Position, Span } from "../diagnostics/span.js";
import type { VariableIR } from "../ir/types.js";
import { MAX_ERRORS_PER_FILE } from "./text.js";
import type { DataResult, Dataset } from "./types.js";
import { KindCode, describeLegalValues, isLegalValue, kindCode, variableWidth } from "./values.js";

/** IDX element types by their type byte (the third byte of the magic number). */
export const IDX_TYPES = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
} as const;

export type IdxTypeName = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]["name"];

export interface IdxHeader {
  type: IdxTypeName;
  /** Bytes per element. */
  elementBytes: number;
  /** dims[0] is the number of items (images, labels); the rest is one item's shape. */
  dims: number[];
  /** Where the big-endian element data starts. */
  dataOffset: number;
}

/**
 * The header of an IDX file (LeCun's MNIST format): two zero bytes, a type byte, the
 * number of dimensions, then each dimension as a big-endian uint32. Returns a reason
 * string when the bytes are not IDX or are shorter than the header promises.
 */
export function parseIdxHeader(bytes: Uint8Array): IdxHeader | string {
  if (bytes.length < 4) return "too short for an IDX header";
  if (bytes[0] !== 0 || bytes[1] !== 0) return "not an IDX file (bad magic number)";
  const type = IDX_TYPES[bytes[2] as keyof typeof IDX_TYPES];
  if (type === undefined) return `unknown IDX element type 0x${bytes[2].toString(16)}`;
  const ndims = bytes[3];
  if (ndims === 0) return "IDX file declares no dimensions";
  const dataOffset = 4 + 4 * ndims;
  if (bytes.length < dataOffset) return "truncated IDX header";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  let elements = 1;
  for (const d of dims) elements *= d;
  const expected = dataOffset + elements * type.bytes;
  if (bytes.length < expected)
    return `truncated IDX data: header promises ${expected} bytes, file has ${bytes.length}`;
  return { type: type.name, elementBytes: type.bytes, dims, dataOffset };
}

/**
 * Reads an IDX file into a Dataset: one point per item (dims[0]), flattened row-major.
 * uint8 elements are pixel intensities: for unit and real variables they are divided by
 * 255 so images land in [0, 1]; for binary and categorical variables they are kept as
 * integers (0/1 images, class labels). Other element types are kept as stored.
 * A bad value's span has line = the 1-based item number and column = the 1-based
 * element index within the item (offsets are byte offsets in the decompressed file).
 */
export function parseIdx(bytes: Uint8Array, file: string, variable: VariableIR): DataResult<Dataset> {
  const header = parseIdxHeader(bytes);
  const start: Position = { offset: 0, line: 1, column: 1 };
  if (typeof header === "string") {
    const span = { file, start, end: start };
    return { diagnostics: [diagnostic("data-unreadable", span, { path: file, reason: header })] };
  }
  const rows = header.dims[0];
  let itemSize = 1;
  for (const d of header.dims.slice(1)) itemSize *= d;
  const dim = variableWidth(variable);
  const headerSpan: Span = {
    file,
    start,
    end: { offset: header.dataOffset, line: 1, column: header.dataOffset + 1 },
  };
  if (itemSize !== dim)
    return { diagnostics: [diagnostic("data-bad-width", headerSpan, { expected: dim, found: itemSize })] };
  if (rows === 0) return { diagnostics: [diagnostic("data-empty", headerSpan, { path: file })] };

  const code = kindCode(variable.kind);
  const k = variable.categories ?? 0;
  const total = rows * dim;
  const values = new Float32Array(total);
  const off = header.dataOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (header.type) {
    case "uint8": {
      const scale = code === KindCode.Unit || code === KindCode.Real ? 1 / 255 : 1;
      for (let j = 0; j < total; j++) values[j] = bytes[off + j] * scale;
      break;
    }
    case "int8":
      for (let j = 0; j < total; j++) values[j] = view.getInt8(off + j);
      break;
    case "int16":
      for (let j = 0; j < total; j++) values[j] = view.getInt16(off + 2 * j, false);
      break;
    case "int32":
      for (let j = 0; j < total; j++) values[j] = view.getInt32(off + 4 * j, false);
      break;
    case "float32":
      for (let j = 0; j < total; j++) values[j] = view.getFloat32(off + 4 * j, false);
      break;
    case "float64":
      for (let j = 0; j < total; j++) values[j] = view.getFloat64(off + 8 * j, false);
      break;
  }

  const diagnostics: Diagnostic[] = [];
  for (let j = 0; j < total && diagnostics.length < MAX_ERRORS_PER_FILE; j++) {
    const x = values[j];
    if (isLegalValue(code, k, x)) continue;
    const item = Math.floor(j / dim);
    const offset = off + j * header.elementBytes;
    const span: Span = {
      file,
      start: { offset, line: item + 1, column: (j % dim) + 1 },
      end: { offset: offset + header.elementBytes, line: item + 1, column: (j % dim) + 2 },
    };
    diagnostics.push(
      diagnostic("data-bad-value", span, {
        value: String(x),
        expected: describeLegalValues(variable),
      }),
    );
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { source: file, rows, dim, values }, diagnostics: [] };
}

/** Whether bytes look like IDX: the magic number and a header consistent with the size. */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return typeof parseIdxHeader(bytes) !== "string";
}
