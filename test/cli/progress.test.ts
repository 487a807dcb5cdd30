import { describe, expect, it } from "vitest";
import { ProgressBar, formatDuration } from "../../src/cli/progress.js";

describe("progress", () => {
  it("formats durations", () => {
    expect(formatDuration(0)).toBe("00:00");
    expect(formatDuration(65.4)).toBe("01:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(NaN)).toBe("--:--");
  });

  it("extrapolates the ETA from the average step time", () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar(
      { write: (s) => out.push(s), isTTY: true, columns: 100 },
      100,
      () => t,
    );
    t = 10_000; // 10 s for 25 of 100 steps → 30 s to go
    expect(bar.line(25, "loss 1.00")).toContain("ETA 00:30");
    expect(bar.line(25, "loss 1.00")).toContain(" 25%");
  });

  it("stays silent when stderr is not a terminal", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ write: (s) => out.push(s), isTTY: false }, 10);
    bar.update(10, "done");
    bar.clear();
    expect(out).toEqual([]);
  });
});
