import { PNG } from "pngjs";

/** `count` grayscale images of `height`×`width`, row-major, one after another. */
export interface GrayImages {
  values: Float32Array;
  count: number;
  height: number;
  width: number;
}

export interface ImageGridOptions {
  /** Images per grid row (default ⌈√count⌉). */
  columns?: number;
  /** Separator width in output pixels between cells and around the grid (default 1). */
  pad?: number;
  /** Output pixels per image pixel, nearest neighbour (default 2). */
  scale?: number;
  rowLabels?: never;
}

/** The separator's grey level: visible against both black and white digits. */
export const GRID_PAD_LEVEL = 128;

/** Output pixels per image pixel: small images (8×8) are enlarged to about 56 pixels a side. */
export function gridScale(image: { height: number; width: number }): number {
  return Math.max(2, Math.ceil(56 / Math.max(image.height, image.width)));
}

/**
 * Grayscale images tiled into one PNG: cells of `height·scale × width·scale` pixels laid
 * out row-major, `columns` per row, separated and framed by `pad` pixels of mid-grey.
 * A value v is drawn as round(255·v) after clamping to [0, 1]; NaN is drawn as mid-grey
 * (GRID_PAD_LEVEL) so a diverged decoder shows up as flat grey rather than as black.
 * Unfilled cells of the last row stay separator grey. Throws RangeError on bad arguments.
 */
export function imageGridPng(images: GrayImages, opts: ImageGridOptions = {}): Uint8Array {
  const { values, count, height, width } = images;
  positiveInteger("count", count);
  positiveInteger("height", height);
  positiveInteger("width", width);
  if (count * height * width > values.length)
    throw new RangeError(
      `${count} images of ${height}×${width} need ${count * height * width} values, got ${values.length}`,
    );
  const columns = opts.columns ?? Math.ceil(Math.sqrt(count));
  const pad = opts.pad ?? 1;
  const scale = opts.scale ?? 2;
  positiveInteger("columns", columns);
  positiveInteger("scale", scale);
  if (!(Number.isInteger(pad) && pad >= 0))
    throw new RangeError(`pad must be a non-negative integer, got ${pad}`);

  const rows = Math.ceil(count / columns);
  const cellW = width * scale;
  const cellH = height * scale;
  const outW = columns * cellW + (columns + 1) * pad;
  const outH = rows * cellH + (rows + 1) * pad;
  if (outW * outH > 2 ** 28) throw new RangeError(`a ${outW}×${outH} grid is too large to encode`);

  const png = new PNG({
    width: outW,
    height: outH,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
  });
  const gray = new Uint8Array(outW * outH).fill(GRID_PAD_LEVEL);
  for (let i = 0; i < count; i++) {
    const x0 = pad + (i % columns) * (cellW + pad);
    const y0 = pad + Math.floor(i / columns) * (cellH + pad);
    const base = i * height * width;
    for (let y = 0; y < cellH; y++) {
      const src = base + Math.floor(y / scale) * width;
      const dst = (y0 + y) * outW + x0;
      for (let x = 0; x < cellW; x++)
        gray[dst + x] = grayLevel(values[src + Math.floor(x / scale)]!);
    }
  }
  png.data = Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength);
  return new Uint8Array(
    PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }),
  );
}

function grayLevel(v: number): number {
  if (Number.isNaN(v)) return GRID_PAD_LEVEL;
  return Math.round(255 * Math.min(1, Math.max(0, v)));
}

function positiveInteger(name: string, x: number): void {
  if (!(Number.isInteger(x) && x > 0))
    throw new RangeError(`${name} must be a positive integer, got ${x}`);
}
