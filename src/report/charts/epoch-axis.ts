/**
 * The x channel of a per-epoch chart: whole-epoch ticks, and for a single epoch a domain
 * of one epoch around it (a zero-width domain would put the point on the frame).
 */
export function epochX(epochs: readonly number[]) {
  const finite = epochs.filter(Number.isFinite);
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 1;
  const domain = hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
  return {
    field: "epoch",
    type: "quantitative" as const,
    title: "epoch",
    scale: { domain, nice: false, zero: false },
    axis: { format: "d", tickMinStep: 1 },
  };
}

/** Dots on the line when they can still be told apart; always for a single epoch. */
export function epochPoints(epochCount: number): { size: number } | false {
  return epochCount <= 40 ? { size: 24 } : false;
}

/**
 * The y scale of one panel: free of zero, except that a flat series (one epoch, or a
 * value that never moved) gets a band around its value instead of a zero-width domain.
 */
export function panelYScale(values: readonly (number | null)[]) {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return { zero: false };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (hi - lo > 1e-9 * Math.max(1, Math.abs(hi))) return { zero: false };
  const half = Math.max(1, Math.abs(hi) * 0.05);
  return { domain: [lo - half, hi + half], zero: false };
}
