// Runs the seeded fuzz test of `vae check` (test/robustness/fuzz.test.ts) with more cases:
//   npm run fuzz -- --cases 20000 --seed 7
// The cases, the mutations and the checks are the test's own; this only sets their count
// and seed and prints the summary line the test logs.
import { spawnSync } from "node:child_process";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`fuzz: --${name} needs a positive whole number\n`);
    process.exit(2);
  }
  return value;
}

const cases = option("cases", 1000);
const seed = option("seed", 1);
const run = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "test/robustness/fuzz.test.ts"],
  {
    stdio: "inherit",
    env: { ...process.env, FUZZ_CASES: String(cases), FUZZ_SEED: String(seed) },
  },
);
process.exit(run.status ?? 1);
