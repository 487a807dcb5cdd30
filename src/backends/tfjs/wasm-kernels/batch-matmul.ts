import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs";
import type { Tf } from "../tf.js";
import { gemmFor, type GemmGeometry } from "../simd-gemm.js";
import { wasmMemoryOf } from "../wasm-asm.js";
import { overrideWasmKernel, type KernelParams, type WasmBackend } from "./override.js";

/**
 * Smallest K·N (elements of the right operand) for which the swapped form below is used:
 * under it packing costs less than the extra transposes.
 */
export const SWAP_MIN_PACKED = 1 << 16;

/**
 * BatchMatMul on the wasm backend: float32 products with equal batch shapes go to the
 * generated SIMD kernels of simd-gemm.ts, which read either operand transposed where it
 * lies and never pack; everything else (other dtypes, broadcast batches, no SIMD) takes
 * the rewrites of tfjs-backend-wasm's own kernel below.
 */
export function overrideBatchMatMul(tf: Tf): boolean {
  const transpose = tf.getKernel("Transpose", "wasm") as KernelConfig | undefined;
  if (transpose === undefined) return false;
  return overrideWasmKernel(
    tf,
    "BatchMatMul",
    (params, backend, original) =>
      generatedMatMul(params, backend, transpose) ??
      rewrittenMatMul(params, backend, transpose, original),
  );
}

let generatedEnabled = true;
let generatedCalls = 0;

/** How many products this process computed with the generated kernels (for tests). */
export function generatedMatMulCalls(): number {
  return generatedCalls;
}

/** Switches the generated kernels off (and back on), for measurements and tests. */
export function setGeneratedMatMul(on: boolean): void {
  generatedEnabled = on;
}

/** The operands, flags and sizes of C = op(A)·op(B), op(A) [M×K], op(B) [K×N]. */
function productOf(params: KernelParams) {
  const { a: a0, b: b0 } = params.inputs as unknown as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = params.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  const dim = (x: TensorInfo, fromEnd: number) => x.shape[x.shape.length - fromEnd]!;
  return {
    a0,
    b0,
    transposeA,
    transposeB,
    m: transposeA ? dim(a0, 1) : dim(a0, 2),
    k: transposeA ? dim(a0, 2) : dim(a0, 1),
    n: transposeB ? dim(b0, 2) : dim(b0, 1),
  };
}

function transposed(params: KernelParams, transpose: KernelConfig, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose.kernelFunc({
    inputs: { x },
    backend: params.backend,
    attrs: { perm },
  }) as TensorInfo;
}

/**
 * C = op(A)·op(B) by a generated kernel, or undefined where it does not apply. The kernel
 * computes D = L·R reading L with any strides but R by rows, so:
 * - A·B and Aᵀ·B: L = A as stored, R = B;
 * - Aᵀ·Bᵀ: D = Cᵀ = B·A, stored transposed into C;
 * - A·Bᵀ: Aᵀ is materialised and then as Aᵀ·Bᵀ, or Bᵀ and then as A·B, whichever is
 *   smaller (in training A is the minibatch: 50×784 floats against a 400×784 weight).
 */
function generatedMatMul(
  params: KernelParams,
  backend: WasmBackend,
  transpose: KernelConfig,
): TensorInfo | undefined {
  const { a0, b0, transposeA, transposeB, m, k, n } = productOf(params);
  if (a0.dtype !== "float32" || b0.dtype !== "float32") return undefined;
  const rank = a0.shape.length;
  if (rank < 2 || b0.shape.length !== rank) return undefined;
  const lead = a0.shape.slice(0, -2);
  if (lead.some((d, i) => d !== b0.shape[i])) return undefined;
  const [br, bc] = b0.shape.slice(-2) as [number, number];
  // Mismatched inner sizes go to the stock kernel, which reports them.
  if ((transposeB ? bc : br) !== k || m === 0 || n === 0 || k === 0) return undefined;
  if (!generatedEnabled) return undefined;
  // Which operands the kernel reads, and how (see above).
  let ta = transposeA;
  let tb = transposeB;
  let materialise: "a" | "b" | null = null;
  if (!ta && tb) {
    materialise = m <= n ? "a" : "b";
    if (materialise === "a") ta = true;
    else tb = false;
  }
  const g: GemmGeometry =
    ta && tb
      ? { p: n, q: m, k, lRow: 4 * k, lK: 4, rRow: 4 * m, cRow: 4, cCol: 4 * n }
      : {
          p: m,
          q: n,
          k,
          lRow: ta ? 4 : 4 * k,
          lK: ta ? 4 * m : 4,
          rRow: 4 * n,
          cRow: 4 * n,
          cCol: 4,
        };
  const gemm = gemmFor(wasmMemoryOf(params.backend), g);
  if (gemm === null) return undefined;
  const out = backend.makeOutput([...lead, m, n], "float32");
  const extra =
    materialise === "a"
      ? transposed(params, transpose, a0)
      : materialise === "b"
        ? transposed(params, transpose, b0)
        : null;
  try {
    // Views only now: the allocations above may have grown (and detached) the heap.
    const av = backend.typedArrayFromHeap(materialise === "a" ? extra! : a0);
    const bv = backend.typedArrayFromHeap(materialise === "b" ? extra! : b0);
    const cv = backend.typedArrayFromHeap(out);
    const [l, r] = ta && tb ? [bv, av] : [av, bv];
    const lStep = (ta && tb ? n : m) * k * 4;
    const rStep = (ta && tb ? m : n) * k * 4;
    const batches = lead.reduce((p, d) => p * d, 1);
    generatedCalls++;
    for (let i = 0; i < batches; i++) {
      gemm(l.byteOffset + i * lStep, r.byteOffset + i * rStep, cv.byteOffset + i * m * n * 4);
    }
    return out;
  } finally {
    if (extra !== null) backend.disposeData(extra.dataId);
  }
}

/**
 * Two rewrites of tfjs-backend-wasm's BatchMatMul, C = op(A)·op(B) with op(A) [M×K],
 * op(B) [K×N]:
 *
 * - Transpose flags. The kernel is an order of magnitude slower when asked to read an
 *   operand transposed (100×784·784×400: ~2.6 ms plain, ~30 ms with a flag), and tfjs's
 *   matMul gradient asks exactly that: dA = dY·Bᵀ, dB = Aᵀ·dY. Materialising the transpose
 *   with the wasm Transpose kernel and calling the plain kernel is much faster.
 * - Which operand is packed. XNNPACK packs the right operand into its blocked layout
 *   whenever it sees a new buffer (~0.9 ms for a 784×400 matrix), and in training every
 *   weight matrix is a new buffer each step. When M < N and the right operand is large,
 *   Cᵀ = op(B)ᵀ·op(A)ᵀ is computed instead, so that the small minibatch side is packed;
 *   for dA = dY·Bᵀ the weight B is then read as it is, without a transpose. Evaluation in
 *   large batches (M ≥ N) keeps the plain form and its cached packing.
 */
function rewrittenMatMul(
  params: KernelParams,
  backend: WasmBackend,
  transpose: KernelConfig,
  original: KernelFunc,
): TensorInfo | undefined {
  const { a0, b0, transposeA, transposeB, m, k, n } = productOf(params);
  const swap = b0.shape.length === a0.shape.length && m < n && k * n >= SWAP_MIN_PACKED;
  if (!swap && !transposeA && !transposeB) return undefined;
  const temporaries: TensorInfo[] = [];
  const materialise = (x: TensorInfo): TensorInfo => {
    const t = transposed(params, transpose, x);
    temporaries.push(t);
    return t;
  };
  const plain = (a: TensorInfo, b: TensorInfo) =>
    original({
      inputs: { a, b },
      backend: params.backend,
      attrs: { ...params.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
  try {
    if (!swap) {
      return plain(transposeA ? materialise(a0) : a0, transposeB ? materialise(b0) : b0);
    }
    // op(B)ᵀ is B itself when B was to be read transposed; likewise op(A)ᵀ.
    const left = transposeB ? b0 : materialise(b0);
    const right = transposeA ? a0 : materialise(a0);
    const ct = plain(left, right);
    temporaries.push(ct);
    const c = materialise(ct);
    temporaries.pop(); // c is the result, not a temporary
    return c;
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}
