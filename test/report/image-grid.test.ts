import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { imageGridPng } from "../../src/report/index.js";
import { GRID_PAD_LEVEL } from "../../src/report/image-grid.js";

function decode(png: Uint8Array) {
  const img = PNG.sync.read(Buffer.from(png));
  // Decoded as RGBA; a grayscale PNG has r = g = b and opaque alpha.
  const gray = (x: number, y: number) => {
    const i = (y * img.width + x) * 4;
    expect(img.data[i]).toBe(img.data[i + 1]);
    expect(img.data[i]).toBe(img.data[i + 2]);
    expect(img.data[i + 3]).toBe(255);
    return img.data[i]!;
  };
  return { width: img.width, height: img.height, gray };
}

/** Four 2×3 images; image k has value (k·6 + y·3 + x) / 23 at row y, column x. */
function fourImages() {
  const values = new Float32Array(4 * 6);
  for (let i = 0; i < values.length; i++) values[i] = i / 23;
  return { values, count: 4, height: 2, width: 3 };
}

describe("imageGridPng", () => {
  it("lays out a 2×2 grid with pad and scale, each image pixel a scale×scale block", () => {
    const pad = 2;
    const scale = 3;
    const { width, height, gray } = decode(imageGridPng(fourImages(), { pad, scale }));
    // Two columns (⌈√4⌉) of 3·3 = 9 pixels, three pads; two rows of 2·3 = 6 pixels.
    expect(width).toBe(2 * 9 + 3 * pad);
    expect(height).toBe(2 * 6 + 3 * pad);
    for (let k = 0; k < 4; k++) {
      const x0 = pad + (k % 2) * (9 + pad);
      const y0 = pad + Math.floor(k / 2) * (6 + pad);
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 9; x++) {
          const v = (k * 6 + Math.floor(y / scale) * 3 + Math.floor(x / scale)) / 23;
          expect(gray(x0 + x, y0 + y)).toBe(Math.round(255 * Math.fround(v)));
        }
    }
    // Separators: the frame, the column gap and the row gap are mid-grey.
    for (let y = 0; y < height; y++) {
      expect(gray(0, y)).toBe(GRID_PAD_LEVEL);
      expect(gray(pad + 9, y)).toBe(GRID_PAD_LEVEL);
      expect(gray(width - 1, y)).toBe(GRID_PAD_LEVEL);
    }
    for (let x = 0; x < width; x++) expect(gray(x, pad + 6)).toBe(GRID_PAD_LEVEL);
  });

  it("defaults: ⌈√count⌉ columns, pad 1, scale 2; an unfilled last row stays grey", () => {
    const values = new Float32Array(5).fill(1);
    const { width, height, gray } = decode(imageGridPng({ values, count: 5, height: 1, width: 1 }));
    // 3 columns, 2 rows of 2×2 cells.
    expect(width).toBe(3 * 2 + 4);
    expect(height).toBe(2 * 2 + 3);
    expect(gray(1, 1)).toBe(255); // image 0
    expect(gray(1 + 3 * 1, 1 + 3)).toBe(255); // image 4: row 1, column 1
    expect(gray(1 + 3 * 2, 1 + 3)).toBe(GRID_PAD_LEVEL); // no image 5
  });

  it("clamps to [0, 1] and draws NaN as mid-grey; columns and pad 0 are honoured", () => {
    const values = new Float32Array([-3, 2, Number.NaN, 0.5]);
    const { width, height, gray } = decode(
      imageGridPng({ values, count: 4, height: 1, width: 1 }, { columns: 4, pad: 0, scale: 1 }),
    );
    expect([width, height]).toEqual([4, 1]);
    expect([0, 1, 2, 3].map((x) => gray(x, 0))).toEqual([0, 255, GRID_PAD_LEVEL, 128]);
  });

  it("rejects impossible arguments with RangeError", () => {
    const ok = fourImages();
    expect(() => imageGridPng({ ...ok, count: 5 })).toThrow(RangeError);
    expect(() => imageGridPng({ ...ok, count: 0 })).toThrow(RangeError);
    expect(() => imageGridPng({ ...ok, width: 2.5 })).toThrow(RangeError);
    expect(() => imageGridPng({ ...ok, height: -1 })).toThrow(RangeError);
    expect(() => imageGridPng(ok, { columns: 0 })).toThrow(RangeError);
    expect(() => imageGridPng(ok, { scale: 1.5 })).toThrow(RangeError);
    expect(() => imageGridPng(ok, { pad: -1 })).toThrow(RangeError);
    expect(() => imageGridPng(ok, { scale: 100_000 })).toThrow(RangeError);
  });
});
