/**
 * A step of 1, 2 or 5 times a power of ten that cuts `span` into about `count` pieces
 * (the rule axis ticks use, so reference lines fall on values a reader would pick).
 */
export function niceStep(span: number, count: number): number {
  const raw = Math.abs(span) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** `k · step` without the binary noise of the product (0.30000000000000004 → 0.3). */
export function multipleOf(step: number, k: number): number {
  return Number((k * step).toPrecision(12));
}

/** The smallest multiple of `step` at or above `x`. */
export function ceilTo(x: number, step: number): number {
  return multipleOf(step, Math.ceil(x / step - 1e-9));
}

/** The largest multiple of `step` at or below `x`. */
export function floorTo(x: number, step: number): number {
  return multipleOf(step, Math.floor(x / step + 1e-9));
}
