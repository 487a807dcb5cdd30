import type { ModelIR } from "../../ir/types.js";

/**
 * Elements of the widest intermediate [rows, width] tensor held at once. With ~10 such
 * intermediates alive inside one tidy scope this keeps a chunk near 80 MB.
 */
export const DEFAULT_ELEMENT_BUDGET = 2 ** 21;

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** The widest per-row tensor the model's distributions can produce (data, latent, nets). */
export function widestRow(ir: ModelIR): number {
  let w = Math.max(size(ir.data.shape), size(ir.latent.shape));
  if (ir.data.kind === "categorical") w *= ir.data.categories ?? 1;
  if (ir.latent.kind === "categorical") w = Math.max(w, ir.latent.categories ?? 1);
  for (const net of ir.nets) {
    w = Math.max(w, net.inputSize, ...net.hidden);
    const out = net.output;
    w = Math.max(w, out.kind === "single" ? out.size : out.heads.reduce((s, h) => s + h.size, 0));
  }
  return w;
}

/** Latent rows (data rows × samples) to evaluate at once under `elements`. */
export function latentRowBudget(ir: ModelIR, elements = DEFAULT_ELEMENT_BUDGET): number {
  return Math.max(1, Math.floor(elements / widestRow(ir)));
}
