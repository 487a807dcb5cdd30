import type { RdDomains, Segment } from "./rd-geometry.js";

/** A point in data units on the R–D plane. */
export interface PlanePoint {
  rate: number;
  distortion: number;
}

/** Plot size in pixels, to measure clearances the way the reader sees them. */
export interface PlotSize {
  width: number;
  height: number;
}

/** Rough advance of an 11 px sans-serif character; vega measures no better without canvas. */
const CHAR_PX = 6.4;

/**
 * Where along `segment` (from its upper-left end) a label of `text` starting there and
 * running along the line stays farthest from the obstacles (data points, their labels).
 * Candidates are tried from the upper-left end on, so among equally clear places the
 * first one wins and the layout is deterministic.
 */
export function clearLabelAnchor(
  segment: Segment,
  text: string,
  obstacles: readonly PlanePoint[],
  domains: RdDomains,
  size: PlotSize,
): PlanePoint {
  const toPx = pixelMap(domains, size);
  const a = toPx({ rate: segment.r1, distortion: segment.d1 });
  const b = toPx({ rate: segment.r2, distortion: segment.d2 });
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  const labelPx = text.length * CHAR_PX + 4;
  const obstaclePx = obstacles.map(toPx);
  let best = { t: 0.02, clearance: -Infinity };
  for (let t = 0.02; t <= 0.98 + 1e-9; t += 0.04) {
    const end = t + labelPx / length;
    if (end > 0.99 && t > 0.02) break;
    const p = lerp(a, b, t);
    const q = lerp(a, b, Math.min(end, 1));
    const clearance = Math.min(Infinity, ...obstaclePx.map((o) => distanceToSegment(o, p, q)));
    if (clearance > best.clearance + 0.5) best = { t, clearance };
  }
  return {
    rate: segment.r1 + best.t * (segment.r2 - segment.r1),
    distortion: segment.d1 + best.t * (segment.d2 - segment.d1),
  };
}

/**
 * Points along a text label drawn left-aligned from `at` shifted by (dx, dy) pixels,
 * so labels of means count as obstacles too.
 */
export function labelFootprint(
  at: PlanePoint,
  text: string,
  shift: { dx: number; dy: number },
  domains: RdDomains,
  size: PlotSize,
): PlanePoint[] {
  const perRate = (domains.rate[1] - domains.rate[0]) / size.width;
  const perDistortion = (domains.distortion[1] - domains.distortion[0]) / size.height;
  const width = text.length * CHAR_PX;
  const out: PlanePoint[] = [];
  for (let x = 0; x <= width; x += 8)
    out.push({
      rate: at.rate + (shift.dx + x) * perRate,
      distortion: at.distortion - (shift.dy - 5) * perDistortion,
    });
  return out;
}

interface Px {
  x: number;
  y: number;
}

function pixelMap(domains: RdDomains, size: PlotSize): (p: PlanePoint) => Px {
  const [rLo, rHi] = domains.rate;
  const [dLo, dHi] = domains.distortion;
  return (p) => ({
    x: ((p.rate - rLo) / (rHi - rLo)) * size.width,
    y: ((dHi - p.distortion) / (dHi - dLo)) * size.height,
  });
}

function lerp(a: Px, b: Px, t: number): Px {
  return { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
}

function distanceToSegment(o: Px, p: Px, q: Px): number {
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((o.x - p.x) * dx + (o.y - p.y) * dy) / len2)) : 0;
  return Math.hypot(o.x - (p.x + t * dx), o.y - (p.y + t * dy));
}
