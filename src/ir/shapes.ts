import type { Shape } from "./types.js";

/** NumPy broadcasting of two event shapes; undefined when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** How many values a tensor of this event shape holds (1 for a scalar). */
export function elementCount(shape: Shape): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * True when a vector of shape `from` holds exactly the values of a tensor of shape `to` of
 * rank 2 or more, so it can be read as that tensor in row-major order (an image's pixels,
 * a net's output for an image-shaped variable). Rank-1 and scalar targets are never
 * reshaped: there the exact-size and broadcasting rules apply unchanged.
 */
export function isFlatVectorOf(from: Shape, to: Shape): boolean {
  return to.length >= 2 && from.length === 1 && from[0] === elementCount(to);
}
