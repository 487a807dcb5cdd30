// Small helpers shared by the benchmark processes (no dependencies).
import { readFileSync } from "node:fs";

export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Durations (ms) of consecutive windows of `size` steps after the first `warmup` steps,
 * from `marks[i]`, the time step i + 1 finished.
 */
export function stepWindows(marks, warmup, size) {
  const out = [];
  for (let end = warmup + size; end <= marks.length; end += size) {
    out.push(marks[end - 1] - marks[end - size - 1]);
  }
  return out;
}

/** Peak resident set size of this process in MiB (VmHWM, else getrusage's maxRSS). */
export function peakRssMiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
