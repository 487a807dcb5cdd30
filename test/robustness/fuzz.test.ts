/**
 * The seeded fuzz run of `vae check` (test/robustness/fuzz.ts). 200 cases by default;
 * `npm run fuzz -- --cases N --seed S` runs more through this same file. A failing case
 * is written to test/.output/fuzz/ with its seed and number, to rerun by hand.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { fuzzSeeds, mutate, runCase, seededRandom } from "./fuzz.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CASES = Number(process.env.FUZZ_CASES ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 1);

it(
  `vae check answers ${CASES} mutated programs (seed ${SEED}) with status 0 or 1 and spans in the file`,
  async () => {
    const seeds = fuzzSeeds(ROOT);
    expect(seeds.length).toBeGreaterThan(100);
    const rand = seededRandom(SEED);
    const dir = mkdtempSync(join(tmpdir(), "vae-fuzz-"));
    const failures: string[] = [];
    const statuses = [0, 0];
    const t0 = performance.now();
    let slowest = 0;
    let slowestCase = "";
    for (let n = 0; n < CASES; n++) {
      const seed = seeds[Math.floor(rand() * seeds.length)]!;
      const text = mutate(seed.text, rand);
      const file = join(dir, `case-${n}.vae`);
      const r = await runCase(text, file);
      if (r.ms > slowest) {
        slowest = r.ms;
        slowestCase = `case ${n}, from ${seed.name}, ${text.length} characters`;
      }
      if (r.status === 0 || r.status === 1) statuses[r.status]!++;
      if (r.problems.length > 0) {
        const saved = join(ROOT, "test/.output/fuzz", `seed-${SEED}-case-${n}.vae`);
        mkdirSync(dirname(saved), { recursive: true });
        writeFileSync(saved, text);
        failures.push(
          `case ${n} (from ${seed.name}, saved as ${saved}):\n  ${r.problems.join("\n  ")}`,
        );
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `fuzz: ${CASES} cases, seed ${SEED}, ${seconds.toFixed(1)} s, ` +
        `${statuses[0]} accepted, ${statuses[1]} rejected, ${failures.length} failing, ` +
        `slowest ${Math.round(slowest)} ms (${slowestCase})`,
    );
    expect(failures).toEqual([]);
    // Mutations must exercise both answers, or the run proves little.
    expect(statuses[1]).toBeGreaterThan(CASES / 4);
  },
  Math.max(120_000, CASES * 2_000),
);
