/**
 * Element-wise maps f(x) over float32 runs of the tfjs wasm backend's memory, four lanes
 * at a time, as hand-assembled WebAssembly (see wasm-asm.ts), and the pieces of float32
 * math they share. Used by simd-softplus.ts and simd-tanh.ts.
 */
import {
  BR,
  BR_IF,
  END,
  GET,
  I32_ADD,
  I32_CONST,
  I32_GE_U,
  I32X4_ADD,
  I32X4_SHL,
  I32X4_SPLAT,
  I32X4_TRUNC_SAT_F32X4_S,
  LOAD,
  MAX,
  MUL,
  NEAREST,
  SET,
  SPLAT,
  STORE,
  SUB,
  ADD,
  f32Const,
  sleb,
  uleb,
  wasmModuleBytes,
} from "./wasm-asm.js";

/** map(x, out, bytes): byte offsets into the memory; `bytes` a multiple of 16. */
export type SimdMap = (x: number, out: number, bytes: number) => void;

/** Emits the body of a map: v128 locals and splatted constants, shared per module. */
export class MapBody {
  readonly code: number[] = [];
  private next: number;
  private readonly constants = new Map<string, number>();
  private readonly prologue: number[] = [];

  /** `first`: the first v128 local (after the parameters and the byte index). */
  constructor(private readonly first: number) {
    this.next = first;
  }

  local(): number {
    return this.next++;
  }

  /** [local.get c] of the constant c splatted to four lanes (set once, before the loop). */
  constant(c: number): number[] {
    return this.pooled(`f${c}`, () => [...f32Const(c), ...SPLAT]);
  }

  /** [local.get m] of an i32x4 splat of `bits` (signed 32-bit). */
  bits(bits: number): number[] {
    return this.pooled(`i${bits}`, () => [I32_CONST, ...sleb(bits), ...I32X4_SPLAT]);
  }

  private pooled(key: string, make: () => number[]): number[] {
    let l = this.constants.get(key);
    if (l === undefined) {
      l = this.local();
      this.constants.set(key, l);
      this.prologue.push(...make(), SET, l);
    }
    return [GET, l];
  }

  get v128Locals(): number {
    return this.next - this.first;
  }

  get setup(): number[] {
    return this.prologue;
  }
}

/** Cephes expf: e^r ≈ 1 + r + r²·P(r) for |r| ≤ ln2/2. */
const EXP_POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
  5.0000001201e-1,
];

/** exp(y) never underflows for y ≥ this (2ᵏ stays normal, k ≥ −126). */
export const EXP_MIN_ARG = -87.33654;

/**
 * Emits e = exp(y) into local `e` for y in local `y`, y ∈ [EXP_MIN_ARG, 88] (callers
 * clamp): Cody–Waite reduction y = k·ln 2 + r, |r| ≤ ln2/2, Cephes' polynomial (≈ 1 ulp),
 * and 2ᵏ built in the exponent bits.
 */
export function emitExp(b: MapBody, y: number, e: number): void {
  const [k, r, p] = [b.local(), b.local(), b.local()];
  const c = b.code;
  c.push(GET, y, ...b.constant(1.4426950408889634), ...MUL, ...NEAREST, SET, k);
  c.push(GET, y, GET, k, ...b.constant(0.693359375), ...MUL, ...SUB);
  c.push(GET, k, ...b.constant(-2.1219444e-4), ...MUL, ...SUB, SET, r);
  c.push(...b.constant(EXP_POLY[0]!));
  for (const q of EXP_POLY.slice(1)) c.push(GET, r, ...MUL, ...b.constant(q), ...ADD);
  c.push(GET, r, GET, r, ...MUL, ...MUL, GET, r, ...ADD, ...b.constant(1), ...ADD, SET, p);
  c.push(GET, k, ...I32X4_TRUNC_SAT_F32X4_S, ...b.bits(127), ...I32X4_ADD);
  c.push(I32_CONST, 23, ...I32X4_SHL, GET, p, ...MUL, SET, e);
}

/** max(y, EXP_MIN_ARG) for the value on the stack. */
export function clampExpArg(b: MapBody): number[] {
  return [...b.constant(EXP_MIN_ARG), ...MAX];
}

/**
 * A module exporting `name`(x₁, …, xₙ, out, bytes) that maps each group of four floats:
 * `body` emits code with the loaded inputs in the locals it is given (n = `inputs`) and
 * leaves the result on the stack. `out` may be one of the inputs (an update in place).
 */
export function mapModuleBytes(
  name: string,
  body: (b: MapBody, ...v: number[]) => void,
  inputs = 1,
): Uint8Array<ArrayBuffer> {
  const [OUT, BYTES, I] = [inputs, inputs + 1, inputs + 2];
  const b = new MapBody(inputs + 3);
  const v = Array.from({ length: inputs }, () => b.local());
  const at = (base: number) => [GET, base, GET, I, I32_ADD];
  v.forEach((local, x) => b.code.push(...at(x), ...LOAD, SET, local));
  b.code.push(...at(OUT));
  body(b, ...v);
  b.code.push(...STORE);
  const code = [
    ...b.setup,
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[GET, I, GET, BYTES, I32_GE_U, BR_IF, 1],
    ...b.code,
    ...[GET, I, I32_CONST, 16, I32_ADD, SET, I, BR, 0],
    ...[END, END, END], // loop, block, function
  ];
  const locals = [0x02, 0x01, 0x7f, ...uleb(b.v128Locals), 0x7b];
  const params = new Array<number>(inputs + 2).fill(0x7f);
  return wasmModuleBytes({ name, params, locals, code });
}

/**
 * out ← f(x) for float32 views into the memory: the SIMD map for whole groups of four,
 * `scalar` for the rest.
 */
export function mapInto(
  simd: SimdMap,
  x: Float32Array,
  out: Float32Array,
  scalar: (v: number) => number,
): void {
  const n = x.length;
  const vectorised = n - (n % 4);
  if (vectorised > 0) simd(x.byteOffset, out.byteOffset, vectorised * 4);
  for (let i = vectorised; i < n; i++) out[i] = scalar(x[i]!);
}
