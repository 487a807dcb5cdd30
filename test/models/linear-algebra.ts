/** Small dense linear algebra in float64 for closed-form checks (row-major number[][]). */

export type Matrix = number[][];

export function zeros(r: number, c: number): Matrix {
  return Array.from({ length: r }, () => Array<number>(c).fill(0));
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.length, b[0]!.length);
  for (let i = 0; i < a.length; i++)
    for (let k = 0; k < b.length; k++)
      for (let j = 0; j < b[0]!.length; j++) out[i]![j]! += a[i]![k]! * b[k]![j]!;
  return out;
}

export function transpose(a: Matrix): Matrix {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

/** Lower-triangular L with L Lᵀ = a, for a symmetric positive definite a. */
export function cholesky(a: Matrix): Matrix {
  const n = a.length;
  const l = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error("cholesky: matrix is not positive definite");
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}

/** a⁻¹ b for symmetric positive definite a, via its Cholesky factor. */
export function solveSpd(a: Matrix, b: Matrix): Matrix {
  const l = cholesky(a);
  const n = a.length;
  const out = b.map((r) => [...r]);
  for (let c = 0; c < b[0]!.length; c++) {
    for (let i = 0; i < n; i++) {
      let s = out[i]![c]!;
      for (let k = 0; k < i; k++) s -= l[i]![k]! * out[k]![c]!;
      out[i]![c] = s / l[i]![i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = out[i]![c]!;
      for (let k = i + 1; k < n; k++) s -= l[k]![i]! * out[k]![c]!;
      out[i]![c] = s / l[i]![i]!;
    }
  }
  return out;
}

export function logDetSpd(a: Matrix): number {
  const l = cholesky(a);
  return 2 * l.reduce((s, row, i) => s + Math.log(row[i]!), 0);
}

/** Eigenvalues of a symmetric matrix, descending (cyclic Jacobi rotations). */
export function symmetricEigenvalues(a: Matrix): number[] {
  const n = a.length;
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k]![p]!;
          const akq = m[k]![q]!;
          m[k]![p] = c * akp - s * akq;
          m[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p]![k]!;
          const aqk = m[q]![k]!;
          m[p]![k] = c * apk - s * aqk;
          m[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return m.map((r, i) => r[i]!).sort((x, y) => y - x);
}

/** A seeded standard normal stream (mulberry32 + Box–Muller), independent of the engine. */
export function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}
