import type { NamedWeights } from "../types.js";

/**
 * Replica `rank`'s rows of a minibatch of `size` rows: consecutive, the first `size mod
 * world` replicas one row more, so replica 0 has rows whenever the minibatch does.
 */
export function replicaShard(
  size: number,
  rank: number,
  world: number,
): { offset: number; rows: number } {
  const base = Math.floor(size / world);
  const extra = size % world;
  return { offset: rank * base + Math.min(rank, extra), rows: base + (rank < extra ? 1 : 0) };
}

/**
 * A 32-bit FNV-1a hash of the weights' float32 bits, by name: replicas that applied the
 * same updates have the same checksum.
 */
export function weightsChecksum(weights: NamedWeights): number {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h = Math.imul(h ^ x, 0x01000193) >>> 0;
  };
  for (const name of Object.keys(weights).sort()) {
    for (let i = 0; i < name.length; i++) mix(name.charCodeAt(i));
    const v = weights[name]!.values;
    const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
    for (let i = 0; i < bits.length; i++) mix(bits[i]!);
  }
  return h;
}
