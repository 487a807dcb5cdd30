import { InvalidArgumentError } from "commander";

/*
 * Value parsers for commander's `argParser`. Each returns the parsed value or throws
 * InvalidArgumentError with a reason worded to follow "option --flag: "; the program turns
 * it into an `invalid-option` diagnostic (see parse.ts).
 */

/** An integer ≥ min, written in decimal digits (no sign, exponent or fraction). */
export function integerAtLeast(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expects an integer ≥ ${min}, got '${v}'`);
    return n;
  };
}

/** An integer in [min, max]; the two bounds are reported separately. */
export function integerBetween(min: number, max: number): (v: string) => number {
  const atLeast = integerAtLeast(min);
  return (v) => {
    const n = atLeast(v);
    if (n > max) throw new InvalidArgumentError(`expects an integer ≤ ${max}, got '${v}'`);
    return n;
  };
}

/** A finite number > 0, in any notation Number() reads (1e-3, 0.5). */
export function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expects a positive number, got '${v}'`);
  return n;
}

/** "a, b or c". */
export function alternatives(values: readonly string[]): string {
  return values.length < 2
    ? values.join("")
    : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(...values: T[]): (v: string) => T {
  return (v) => {
    const hit = values.find((x) => x === v);
    if (hit === undefined)
      throw new InvalidArgumentError(`expects ${alternatives(values)}, got '${v}'`);
    return hit;
  };
}

/** A path or name: anything but the empty string (which would mean the working folder). */
export function nonEmpty(v: string): string {
  if (v.trim() === "") throw new InvalidArgumentError("expects a path, got ''");
  return v;
}
