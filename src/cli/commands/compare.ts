import * as path from "node:path";
import { Option, type Command } from "commander";
import { runCompare, type CompareOptions } from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";
import { backendOption, dataOption, modelOption } from "../common-options.js";
import { CompareProgressView } from "../compare-progress.js";
import { integerAtLeast, positiveNumber } from "../flags.js";
import { reportDiagnostics, type CliIO } from "../io.js";

const collect = (v: string, previous: string[] = []) => [...previous, v];

/** The default --out: stable per file, so a second compare of it finds the first's runs. */
export function defaultCompareOut(file: string): string {
  const stem = path
    .basename(file)
    .replace(/\.vae$/, "")
    .replace(/[^A-Za-z0-9_-]/g, "_");
  return path.join("runs", `compare-${stem || "model"}`);
}

export function registerCompare(program: Command, accept: Accept): void {
  program
    .command("compare")
    .summary("train one model under several objectives and seeds; table, figures, report.html")
    .description(
      "Train FILE's model once per objective (--objective, each value of --sweep) and seed, " +
        "in parallel processes, then evaluate each on held-out rows and write results.json, " +
        "results.csv, figures/ and report.html into --out. Finished runs are cached in " +
        "DIR/runs/<key>/: run it again to resume, or add an objective to train only that " +
        "one. With no --objective and no --sweep, the file's own objective is trained. " +
        "See docs/compare.md.",
    )
    .argument("<file>", "the .vae model")
    .addOption(
      new Option(
        "--objective <expr>",
        `an objective to compare, e.g. "beta_vae(beta: 4)"; repeat the flag for more`,
      )
        .argParser(collect)
        .default([], "none"),
    )
    .addOption(
      new Option(
        "--sweep <spec>",
        `an objective over a range of one argument: "beta_vae(beta: 0.1..10 log 8)", ` +
          `"target_rate(sigma: 0..2 lin 5)" or "beta_vae(beta: [0.5, 1, 2])"; repeatable`,
      )
        .argParser(collect)
        .default([], "none"),
    )
    .addOption(
      new Option(
        "--seeds <N>",
        "seeds per objective: the file's seed + 0 … N − 1 (default: 1)",
      ).argParser(integerAtLeast(0)),
    )
    .addOption(
      new Option(
        "--epochs <N>",
        "epochs of every run (default: the file's train { epochs })",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(dataOption())
    .addOption(
      new Option("--batch <N>", "minibatch size (default: the file's)").argParser(
        integerAtLeast(1),
      ),
    )
    .addOption(
      new Option("--lr <x>", "learning rate (default: the file's)").argParser(positiveNumber),
    )
    .addOption(
      new Option("--samples <L>", "samples of z per data point (default: the file's)").argParser(
        integerAtLeast(1),
      ),
    )
    .addOption(
      new Option(
        "--jobs <N>",
        "runs training at once, one process and one core each (default: the number of cores)",
      ).argParser(integerAtLeast(0)),
    )
    .addOption(
      new Option(
        "--iw <K>",
        "importance samples per point for the held-out log p(x) (default: 100; exact for a categorical latent)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option(
        "--eval-rows <N>",
        "held-out rows evaluated after training, a seeded random subset (default: 1000, or all if fewer)",
      ).argParser(integerAtLeast(1)),
    )
    .addOption(
      new Option("--out <dir>", "where results, runs and figures go (default: runs/compare-FILE)"),
    )
    .addOption(backendOption())
    .addOption(modelOption())
    .addHelpText(
      "after",
      examplesHelp([
        [
          `vae compare examples/broken-elbo-toy.vae --objective elbo --objective "target_rate(sigma: 0.5)" --epochs 5`,
          "the same ELBO at two different rates (Alemi et al. 2018)",
        ],
        [
          `vae compare examples/mnist-vae.vae --sweep "beta_vae(beta: 0.25..4 log 5)" --seeds 3 --epochs 5`,
          "a β-VAE sweep on MNIST, five values × three seeds",
        ],
      ]),
    )
    .action((file: string, o: Record<string, unknown>) => {
      const options: CompareOptions = {
        objectives: o.objective as string[],
        sweeps: o.sweep as string[],
        out: (o.out as string | undefined) ?? defaultCompareOut(file),
        ...pick(o, [
          "seeds",
          "epochs",
          "data",
          "batch",
          "lr",
          "samples",
          "jobs",
          "iw",
          "backend",
          "model",
        ]),
        ...(o.evalRows !== undefined && { evalRows: o.evalRows as number }),
      };
      accept({ kind: "compare", file, options, run: (io) => runCompareCommand(io, file, options) });
    });
}

/** "1.23 ± 0.04", "1.23" from one seed, "—" when unknown; never "-0.00". */
function formatMeanSd(s: { mean: number; sd: number | null } | undefined): string {
  if (!s) return "—";
  const fixed = (x: number) => {
    const t = x.toFixed(2);
    return /^-0(\.0*)?$/.test(t) ? t.slice(1) : t;
  };
  return s.sd === null ? fixed(s.mean) : `${fixed(s.mean)} ± ${fixed(s.sd)}`;
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

async function runCompareCommand(
  io: CliIO,
  file: string,
  options: CompareOptions,
): Promise<number> {
  const view = new CompareProgressView(io.stderr);
  const outcome = await runCompare(file, options, view.hooks());
  view.finish();
  reportDiagnostics(io, outcome.diagnostics, outcome.sources);
  if (outcome.records.length === 0) return outcome.exitCode;
  for (const note of outcome.notes) io.stderr.write(`note: ${note}\n`);
  const rows = outcome.summaries.map((s) => [
    s.objective,
    `${s.succeeded}/${s.runs}`,
    formatMeanSd(s.metrics.rate),
    formatMeanSd(s.metrics.distortion),
    formatMeanSd(s.metrics.elbo),
    formatMeanSd(s.metrics.log_likelihood),
  ]);
  const head = ["objective", "ok", "R", "D", "ELBO", "log p(x)"];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  io.stdout.write(
    all
      .map((r) =>
        r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   "),
      )
      .join("\n") + `\n(nats per data point, held-out rows; mean ± sd over seeds)\n`,
  );
  for (const r of outcome.records.filter((x) => x.status === "failed"))
    io.stdout.write(`failed: ${r.objective}, seed ${r.seed}: ${r.reason}\n`);
  const figures = outcome.files.filter((f) => f.startsWith("figures/")).length;
  const pages = outcome.files.filter((f) => !f.startsWith("figures/")).join(", ");
  io.stderr.write(`wrote ${pages} and ${figures} figure files in ${options.out}\n`);
  return outcome.exitCode;
}
