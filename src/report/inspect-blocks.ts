import type { Dataset, ImageShape } from "../data/types.js";
import type { ReportBlock } from "./html.js";
import { gridScale, imageGridPng } from "./image-grid.js";

/**
 * Inputs and their reconstructions as one grid: each row of `columns` inputs is followed
 * by the row of their reconstructions, so every image sits right above its reconstruction.
 * Cells past the last input are NaN, which the grid draws in its separator grey.
 */
export function reconstructionGrid(
  inputs: Dataset,
  reconstructions: Float32Array,
  image: ImageShape,
  columns: number,
): Uint8Array {
  const size = image.height * image.width;
  const n = inputs.rows;
  if (inputs.dim !== size || reconstructions.length !== n * size)
    throw new RangeError(
      `reconstructionGrid: ${n} inputs of ${inputs.dim} values and ${reconstructions.length} reconstructed values do not make ${image.height}×${image.width} images`,
    );
  const blocks = Math.ceil(n / columns);
  const values = new Float32Array(blocks * 2 * columns * size).fill(NaN);
  for (let i = 0; i < n; i++) {
    const block = Math.floor(i / columns);
    const col = i % columns;
    const top = (block * 2 * columns + col) * size;
    values.set(inputs.values.subarray(i * size, (i + 1) * size), top);
    values.set(reconstructions.subarray(i * size, (i + 1) * size), top + columns * size);
  }
  return imageGridPng(
    { values, count: blocks * 2 * columns, ...image },
    { columns, scale: gridScale(image) },
  );
}

/** The first `maxRows` rows of a row-major table of numbers, for data that are not images. */
export function valuesTable(
  id: string,
  values: Float32Array,
  dim: number,
  maxRows: number,
  maxColumns = 12,
): ReportBlock {
  const rows = Math.min(maxRows, Math.floor(values.length / Math.max(dim, 1)));
  const shown = Math.min(dim, maxColumns);
  const head = ["#", ...Array.from({ length: shown }, (_, j) => `x${j}`)];
  if (dim > shown) head.push("…");
  const body: (string | null)[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: (string | null)[] = [String(r)];
    for (let j = 0; j < shown; j++) row.push(formatValue(values[r * dim + j]!));
    if (dim > shown) row.push("…");
    body.push(row);
  }
  const caption =
    `${rows} of ${Math.floor(values.length / Math.max(dim, 1))} rows` +
    (dim > shown ? `, first ${shown} of ${dim} columns` : "");
  return { kind: "table", id, head, rows: body, caption };
}

function formatValue(v: number): string | null {
  if (!Number.isFinite(v)) return null;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
