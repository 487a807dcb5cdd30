import type { VariableIR } from "../index.js";

/**
 * Column names of a variable's values, flattened row-major: `x` for a scalar, `x0`, `x1`, …
 * otherwise; with `categories`, one column per index and category (`x0_p3`: the
 * probability that x0 = 3), as decoders return categorical means.
 */
export function valueColumns(v: VariableIR, opts: { categories?: number; suffix?: string } = {}) {
  const width = v.shape.reduce((p, d) => p * d, 1);
  const suffix = opts.suffix ?? "";
  const units = Array.from({ length: width }, (_, u) =>
    v.shape.length === 0 ? `${v.name}${suffix}` : `${v.name}${u}${suffix}`,
  );
  const k = opts.categories;
  return k === undefined
    ? units
    : units.flatMap((n) => Array.from({ length: k }, (_, c) => `${n}_p${c}`));
}

/** A float32 value with the 7 significant digits it holds, shortest form. */
export function formatCsvNumber(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
}

/** A table as CSV text: a header line, then one line per row. */
export function csvText(
  columns: readonly string[],
  rows: number,
  cell: (row: number, column: number) => number | string,
): string {
  const lines = [columns.join(",")];
  for (let r = 0; r < rows; r++) {
    const line: string[] = [];
    for (let c = 0; c < columns.length; c++) {
      const v = cell(r, c);
      line.push(typeof v === "number" ? formatCsvNumber(v) : v);
    }
    lines.push(line.join(","));
  }
  return lines.join("\n") + "\n";
}

/** Row-major blocks side by side: row r is blocks[0] row r, then blocks[1] row r, … */
export function sideBySide(
  blocks: readonly { values: ArrayLike<number>; width: number }[],
): (row: number, column: number) => number {
  const starts: number[] = [];
  let total = 0;
  for (const b of blocks) {
    starts.push(total);
    total += b.width;
  }
  return (row, column) => {
    let i = blocks.length - 1;
    while (starts[i]! > column) i--;
    const b = blocks[i]!;
    return b.values[row * b.width + column - starts[i]!]!;
  };
}
