/**
 * Matrix products D = L·R over the tfjs wasm backend's memory, as WebAssembly SIMD code
 * generated for each geometry (sizes and strides are constants in the code, so every
 * operand offset is an immediate and no operand is ever packed).
 *
 * Why not XNNPACK's kernel, which tfjs-backend-wasm uses: it repacks the right operand
 * into its own layout whenever that operand is a new buffer, and in training every
 * weight matrix is a new buffer at every step. Here each k step broadcasts four scalars
 * of L straight from memory (v128.load32_splat) against two vectors of R: 4×8 outputs
 * held in eight registers, 8 vector multiplies and 8 vector adds (64 FLOPs) per 6 loads.
 * On the 2-core AMD EPYC that measured 32–39 GFLOP/s at 50×784·784×400 against 19–22
 * for the stock kernel (other tile shapes, 2×16 to 8×4, and unrolling k measured slower).
 *
 * L element (p, k) is read at l + p·lRow + k·lK (bytes), so a transposed L costs nothing;
 * R element (k, q) at r + k·rRow + 4q (rows of R must be contiguous); D(p, q) is stored at
 * c + p·cRow + q·cCol, so with cCol ≠ 4 the result is written transposed.
 */
import {
  ADD,
  BR_IF,
  END,
  GET,
  I32_ADD,
  I32_CONST,
  I32_NE,
  LOOP,
  MUL,
  SET,
  TEE,
  V128_ZERO,
  extractLane,
  f32StoreAt,
  instantiateOverMemory,
  load32LaneAt,
  load32SplatAt,
  load32ZeroAt,
  load64ZeroAt,
  loadAt,
  sleb,
  storeAt,
  wasmModuleBytes,
} from "./wasm-asm.js";

export interface GemmGeometry {
  /** Rows of L and D. */
  p: number;
  /** Columns of R and D. */
  q: number;
  /** Inner dimension. */
  k: number;
  lRow: number;
  lK: number;
  rRow: number;
  cRow: number;
  cCol: number;
}

/** gemm(l, r, c): byte offsets of L, R and D in the memory the function was bound to. */
export type Gemm = (l: number, r: number, c: number) => void;

/** Rows of L per micro-tile and float32 vectors of R per row (4 × 2·4 = 4×8 outputs). */
const MR = 4;
const NV = 2;
const PANEL = 4 * NV;

const i32 = (n: number) => [I32_CONST, ...sleb(n | 0)];

// Locals: 0 l, 1 r, 2 c (parameters); i32 3 rowL, 4 panelR, 5 tileC, 6 kL, 7 kR,
// 8 kEnd, 9 panelC, 10 tiles left; then v128 accumulators, R vectors, the broadcast.
const [L, R, C, ROW_L, PANEL_R, TILE_C, K_L, K_R, K_END, PANEL_C, TILES] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
];
const ACC = 11;
const RV = ACC + MR * NV;
const SPLAT = RV + NV;

function tile(g: GemmGeometry, mr: number, nc: number, code: number[]): void {
  const nv = Math.ceil(nc / 4);
  const lanes = (v: number) => Math.min(4, nc - 4 * v);
  const acc = (row: number, v: number) => ACC + row * nv + v;
  for (let i = 0; i < mr * nv; i++) code.push(...V128_ZERO, SET, ACC + i);
  code.push(GET, ROW_L, SET, K_L, GET, PANEL_R, SET, K_R);
  code.push(GET, ROW_L, ...i32(g.k * g.lK), I32_ADD, SET, K_END);
  code.push(...LOOP);
  for (let v = 0; v < nv; v++) {
    const at = 16 * v;
    code.push(GET, K_R);
    switch (lanes(v)) {
      case 4:
        code.push(...loadAt(at));
        break;
      case 3:
        // Two lanes, then the third into lane 2; lane 3 stays zero.
        code.push(...load64ZeroAt(at), SET, RV + v, GET, K_R, GET, RV + v);
        code.push(...load32LaneAt(at + 8, 2));
        break;
      case 2:
        code.push(...load64ZeroAt(at));
        break;
      default:
        code.push(...load32ZeroAt(at));
    }
    code.push(SET, RV + v);
  }
  for (let row = 0; row < mr; row++) {
    code.push(GET, K_L, ...load32SplatAt(row * g.lRow), SET, SPLAT);
    for (let v = 0; v < nv; v++) {
      const a = acc(row, v);
      code.push(GET, a, GET, SPLAT, GET, RV + v, ...MUL, ...ADD, SET, a);
    }
  }
  code.push(GET, K_L, ...i32(g.lK), I32_ADD, SET, K_L);
  code.push(GET, K_R, ...i32(g.rRow), I32_ADD, SET, K_R);
  code.push(GET, K_L, GET, K_END, I32_NE, BR_IF, 0, END);
  for (let row = 0; row < mr; row++) {
    for (let v = 0; v < nv; v++) {
      const at = row * g.cRow + 16 * v * (g.cCol / 4);
      if (g.cCol === 4 && lanes(v) === 4) {
        code.push(GET, TILE_C, GET, acc(row, v), ...storeAt(at));
        continue;
      }
      for (let lane = 0; lane < lanes(v); lane++) {
        code.push(GET, TILE_C, GET, acc(row, v), ...extractLane(lane));
        code.push(...f32StoreAt(row * g.cRow + (4 * v + lane) * g.cCol));
      }
    }
  }
}

/** All row tiles of one panel of `nc` columns of R, starting at PANEL_R / PANEL_C. */
function panel(g: GemmGeometry, nc: number, code: number[]): void {
  const full = Math.floor(g.p / MR);
  const rest = g.p % MR;
  code.push(GET, L, SET, ROW_L, GET, PANEL_C, SET, TILE_C);
  const advance = () => {
    code.push(GET, ROW_L, ...i32(MR * g.lRow), I32_ADD, SET, ROW_L);
    code.push(GET, TILE_C, ...i32(MR * g.cRow), I32_ADD, SET, TILE_C);
  };
  if (full > 0) {
    code.push(...i32(full), SET, TILES, ...LOOP);
    tile(g, MR, nc, code);
    advance();
    code.push(GET, TILES, ...i32(-1), I32_ADD, TEE, TILES, BR_IF, 0, END);
  }
  if (rest > 0) tile(g, rest, nc, code);
}

export function gemmModuleBytes(g: GemmGeometry): Uint8Array<ArrayBuffer> {
  if (g.p < 1 || g.q < 1 || g.k < 1) throw new Error(`gemm: empty geometry ${JSON.stringify(g)}`);
  const code: number[] = [GET, R, SET, PANEL_R, GET, C, SET, PANEL_C];
  const full = Math.floor(g.q / PANEL);
  const rest = g.q % PANEL;
  if (full > 0) {
    code.push(...LOOP);
    panel(g, PANEL, code);
    code.push(GET, PANEL_R, ...i32(4 * PANEL), I32_ADD, SET, PANEL_R);
    code.push(GET, PANEL_C, ...i32(PANEL * g.cCol), I32_ADD, TEE, PANEL_C);
    code.push(GET, C, ...i32(full * PANEL * g.cCol), I32_ADD, I32_NE, BR_IF, 0, END);
  }
  if (rest > 0) panel(g, rest, code);
  code.push(END);
  const locals = [2, 8, 0x7f, MR * NV + NV + 1, 0x7b]; // 8 × i32, then v128s
  return wasmModuleBytes({ name: "gemm", params: [0x7f, 0x7f, 0x7f], locals, code });
}

/**
 * Rows of L per call of a compiled kernel. Each kernel sweeps all of L once per 8-column
 * panel of R, so L must stay in the core's cache: 5000×784 rows as one call ran at
 * ~19 GFLOP/s, in blocks of this many rows at ~33.
 */
export const GEMM_ROW_BLOCK = 128;

/**
 * D = L·R for geometry `g` bound to `memory`, in row blocks of GEMM_ROW_BLOCK; null where
 * wasm SIMD or the memory import is unavailable (callers then use another kernel).
 */
export function gemmFor(memory: unknown, g: GemmGeometry): Gemm | null {
  const block = GEMM_ROW_BLOCK;
  if (g.p <= block) return compiledGemm(memory, g);
  const whole = compiledGemm(memory, { ...g, p: block });
  const rest = g.p % block;
  const tail = rest === 0 ? null : compiledGemm(memory, { ...g, p: rest });
  if (whole === null || (rest !== 0 && tail === null)) return null;
  const blocks = Math.floor(g.p / block);
  return (l, r, c) => {
    for (let i = 0; i < blocks; i++) whole(l + i * block * g.lRow, r, c + i * block * g.cRow);
    if (tail !== null) tail(l + blocks * block * g.lRow, r, c + blocks * block * g.cRow);
  };
}

/** Compiled geometries per memory; training uses about a dozen, evaluation a few more. */
const cache = new WeakMap<object, Map<string, Gemm | null>>();
const CACHE_LIMIT = 256;

function compiledGemm(memory: unknown, g: GemmGeometry): Gemm | null {
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let byKey = cache.get(memory);
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(memory, byKey);
  }
  const key = `${g.p},${g.q},${g.k},${g.lRow},${g.lK},${g.rRow},${g.cRow},${g.cCol}`;
  let f = byKey.get(key);
  if (f === undefined) {
    // Evaluation over many odd batch sizes must not grow the cache without bound.
    if (byKey.size >= CACHE_LIMIT) byKey.delete(byKey.keys().next().value!);
    f = instantiateOverMemory<Gemm>(gemmModuleBytes(g), "gemm", memory);
    byKey.set(key, f);
  }
  return f;
}
