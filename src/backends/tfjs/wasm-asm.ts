/**
 * Just enough of a WebAssembly assembler for the hand-written SIMD loops that work on the
 * tfjs wasm backend's memory (simd-adam.ts, simd-add.ts, simd-math.ts, simd-gemm.ts): each module imports the memory
 * as env.memory and exports one function.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

// Opcodes (WebAssembly core + SIMD proposal as standardised).
export const GET = 0x20;
export const SET = 0x21;
export const I32_ADD = 0x6a;
export const I32_GE_U = 0x4f;
export const I32_CONST = 0x41;
export const BR_IF = 0x0d;
export const BR = 0x0c;
export const END = 0x0b;
export const TEE = 0x22;
export const I32_NE = 0x47;
export const LOOP = [0x03, 0x40];

/** memarg: alignment exponent 0 (no alignment promised), then the constant byte offset. */
const memarg = (offset: number) => [0x00, ...uleb(offset)];
export const loadAt = (offset: number) => [0xfd, 0x00, ...memarg(offset)];
export const storeAt = (offset: number) => [0xfd, 0x0b, ...memarg(offset)];
export const load32SplatAt = (offset: number) => [0xfd, 0x09, ...memarg(offset)];
export const load32ZeroAt = (offset: number) => [0xfd, 0x5c, ...memarg(offset)];
export const load64ZeroAt = (offset: number) => [0xfd, 0x5d, ...memarg(offset)];
export const load32LaneAt = (offset: number, lane: number) => [0xfd, 0x56, ...memarg(offset), lane];
export const f32StoreAt = (offset: number) => [0x38, ...memarg(offset)];
export const extractLane = (lane: number) => [0xfd, 0x1f, lane];
export const V128_ZERO = [0xfd, 0x0c, ...Array<number>(16).fill(0)];
export const LOAD = loadAt(0);
export const STORE = storeAt(0);
export const LT = [0xfd, 0x43];
export const BITSELECT = [0xfd, 0x52];
export const SPLAT = [0xfd, 0x13];
export const SQRT = [0xfd, 0xe3, 0x01];
export const ADD = [0xfd, 0xe4, 0x01];
export const MUL = [0xfd, 0xe6, 0x01];
export const DIV = [0xfd, 0xe7, 0x01];
export const SUB = [0xfd, 0xe5, 0x01];
export const ABS = [0xfd, 0xe0, 0x01];
export const NEG = [0xfd, 0xe1, 0x01];
export const MAX = [0xfd, 0xe9, 0x01];
export const NEAREST = [0xfd, 0x6a];
export const I32X4_SPLAT = [0xfd, 0x11];
export const I32X4_TRUNC_SAT_F32X4_S = [0xfd, 0xf8, 0x01];
export const I32X4_ADD = [0xfd, 0xae, 0x01];
export const I32X4_SHL = [0xfd, 0xab, 0x01];

/** f32.const c. */
export function f32Const(c: number): number[] {
  const b = new Uint8Array(new Float32Array([c]).buffer);
  return [0x43, ...b];
}

/**
 * A module importing env.memory and exporting `name`, a function of `params` (value-type
 * bytes: 0x7f i32, 0x7d f32) without results; `locals` are the encoded local declarations
 * and `code` the body's instructions, ending with the function's END.
 */
export function wasmModuleBytes(f: {
  name: string;
  params: number[];
  locals: number[];
  code: number[];
}): Uint8Array<ArrayBuffer> {
  const body = [...f.locals, ...f.code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...uleb(f.params.length), ...f.params, 0]),
    ...section(2, [1, ...str("env"), ...str("memory"), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str(f.name), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** The WebAssembly memory of a tfjs wasm backend object; undefined for any other backend. */
export function wasmMemoryOf(backend: unknown): WebAssembly.Memory | undefined {
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } } | null)?.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * `make` bound once per memory: the first call for a memory instantiates (null where that
 * fails or there is no memory), later calls reuse it.
 */
export function perMemory<F>(
  make: (memory: WebAssembly.Memory) => F | null,
): (memory: WebAssembly.Memory | undefined) => F | null {
  const bound = new WeakMap<WebAssembly.Memory, F | null>();
  return (memory) => {
    if (memory === undefined) return null;
    let f = bound.get(memory);
    if (f === undefined) {
      f = make(memory);
      bound.set(memory, f);
    }
    return f;
  };
}

/** `name` of the module instantiated over `memory`, or null where wasm SIMD or the import fails. */
export function instantiateOverMemory<F>(
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
  memory: unknown,
): F | null {
  if (!(memory instanceof WebAssembly.Memory)) return null;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return inst.exports[name] as F;
  } catch {
    return null;
  }
}
