/**
 * A small seeded PRNG (splitmix32) for everything the engine randomises on the host side:
 * per-step seeds for tfjs random ops, per-variable initialisation seeds and epoch
 * shuffles. One run seed determines all of them, so a run is reproducible bit for bit on
 * a deterministic backend. This module is a leaf: it imports nothing.
 */

const GOLDEN = 0x9e3779b9;

/** One splitmix32 output for state `s` (the state advances by GOLDEN per call). */
function mix32(s: number): number {
  let t = s ^ (s >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return t >>> 0;
}

/** FNV-1a, for turning names into seed material. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A uint32 seed from a user seed (any finite number; integers up to 2^53 keep all their
 * bits) and optional tags. Distinct tags give independent-looking streams.
 */
export function deriveSeed(seed: number, ...tags: (string | number)[]): number {
  const lo = Math.floor(Math.abs(seed)) % 0x100000000;
  const hi = Math.floor(Math.abs(seed) / 0x100000000) % 0x100000000;
  let h = mix32((lo + GOLDEN) >>> 0);
  h = mix32((h ^ hi ^ (seed < 0 ? 0x5bd1e995 : 0)) + GOLDEN);
  for (const tag of tags) {
    const t = typeof tag === "number" ? tag >>> 0 : hashString(tag);
    h = mix32((h ^ t) + GOLDEN);
  }
  return h;
}

export class Rng {
  private state: number;

  constructor(seed: number, ...tags: (string | number)[]) {
    this.state = deriveSeed(seed, ...tags);
  }

  nextUint32(): number {
    this.state = (this.state + GOLDEN) >>> 0;
    return mix32(this.state);
  }

  /** Uniform in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), for n ≤ 2^32. */
  nextInt(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** A seed for a tfjs random op. tfjs seeds its own generator from the number's text. */
  nextSeed(): number {
    return this.nextUint32();
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
