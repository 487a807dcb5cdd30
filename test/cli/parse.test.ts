import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/parse.js";

/** The parsed command, or the usage error, without the run function. */
const parsed = (...argv: string[]) => {
  const r = parseCommandLine(argv);
  if ("command" in r) {
    const { run, ...rest } = r.command;
    expect(typeof run).toBe("function");
    return { command: rest };
  }
  return r;
};

describe("parseCommandLine", () => {
  it("parses train with every override", () => {
    const r = parsed(
      "train",
      "m.vae",
      "--data",
      "mnist",
      "--objective",
      "beta_vae(beta: 0.5)",
      "--epochs",
      "3",
      "--batch",
      "50",
      "--lr",
      "1e-3",
      "--samples",
      "2",
      "--seed",
      "0",
      "--out",
      "run",
      "--json",
    );
    expect(r).toEqual({
      command: {
        kind: "train",
        file: "m.vae",
        options: {
          model: undefined,
          data: "mnist",
          objective: "beta_vae(beta: 0.5)",
          epochs: 3,
          batch: 50,
          lr: 0.001,
          samples: 2,
          seed: 0,
          backend: undefined,
          workers: undefined,
          entries: {},
          out: "run",
          onNan: "stop",
          json: true,
          quiet: false,
        },
      },
    });
  });

  it("passes every train { } flag to the checker as source text, under the option's name", () => {
    const r = parsed(
      "train",
      "m.vae",
      "--optimizer",
      "sgd(lr: 0.1)",
      "--estimator",
      "score",
      "--kl",
      "monte_carlo",
      "--warmup",
      "2.5",
      "--free-bits",
      "0.5",
      "--anneal",
      "3",
      "--weight-prior",
      "normal(scale: 1)",
    );
    expect(r).toMatchObject({
      command: {
        options: {
          entries: {
            optimizer: "sgd(lr: 0.1)",
            estimator: "score",
            kl: "monte_carlo",
            warmup: "2.5",
            free_bits: "0.5",
            anneal: "3",
            weight_prior: "normal(scale: 1)",
          },
        },
      },
    });
  });

  it("parses --workers as a positive integer, unset when not given", () => {
    expect(parsed("train", "m.vae", "--workers", "2")).toMatchObject({
      command: { kind: "train", options: { workers: 2 } },
    });
    expect(parsed("train", "m.vae")).toMatchObject({
      command: { kind: "train", options: { workers: undefined } },
    });
    expect(parsed("train", "m.vae", "--workers", "0")).toEqual({
      error: { option: "--workers", reason: "expects an integer ≥ 1, got '0'", command: "train" },
    });
    expect(parsed("train", "m.vae", "--workers", "65")).toEqual({
      error: { option: "--workers", reason: "expects an integer ≤ 64, got '65'", command: "train" },
    });
    expect(parsed("eval", "m.vae", "--checkpoint", "d", "--workers", "2")).toMatchObject({
      command: { kind: "eval", options: { workers: 2 } },
    });
  });

  it("takes a negative number as the flag's value and rejects it with our reason", () => {
    expect(parsed("train", "m.vae", "--epochs", "-1")).toEqual({
      error: { option: "--epochs", reason: "expects an integer ≥ 1, got '-1'", command: "train" },
    });
    expect(parsed("train", "m.vae", "--lr", "-0.5")).toEqual({
      error: { option: "--lr", reason: "expects a positive number, got '-0.5'", command: "train" },
    });
  });

  it.each([
    [["train", "m.vae", "--epochs", "0"], "--epochs"],
    [["train", "m.vae", "--workers", "x"], "--workers"],
    [["train", "m.vae", "--workers", "1.5"], "--workers"],
    [["eval", "m.vae", "--checkpoint", "d", "--workers", "0"], "--workers"],
    [["check", "m.vae", "--workers", "2"], "--workers"],
    [["train", "m.vae", "--epochs", "2.5"], "--epochs"],
    [["train", "m.vae", "--lr", "-1"], "--lr"],
    [["train", "m.vae", "--batch", "abc"], "--batch"],
    [["train", "m.vae", "--seed", "-3"], "--seed"],
    [["train", "m.vae", "--bogus"], "--bogus"],
    [["train", "m.vae", "--epochs"], "--epochs"],
    [["check", "m.vae", "--emit", "cst"], "--emit"],
    [["check", "m.vae", "--epochs", "3"], "--epochs"],
    [["eval", "m.vae"], "--checkpoint"],
    [["eval", "m.vae", "--checkpoint", "d", "--split", "dev"], "--split"],
    [["frobnicate"], "frobnicate"],
    [["help", "frobnicate"], "frobnicate"],
  ])("rejects %j naming %s", (argv, option) => {
    const r = parseCommandLine(argv);
    expect("error" in r && r.error.option).toBe(option);
  });

  it("requires exactly one file", () => {
    expect(parsed("check")).toMatchObject({ error: { reason: "expects a .vae file" } });
    expect(parsed("check", "a.vae", "b.vae")).toMatchObject({
      error: { option: "check", reason: "expects one file, got 2: a.vae b.vae" },
    });
  });

  it("takes FILE as optional for the commands that read a checkpoint", () => {
    for (const kind of ["eval", "sample", "reconstruct", "encode", "traverse"]) {
      expect(parsed(kind, "--checkpoint", "run"), kind).toMatchObject({
        command: { kind, file: undefined, options: { checkpoint: "run" } },
      });
      expect(parsed(kind, "m.vae", "--checkpoint", "run"), kind).toMatchObject({
        command: { kind, file: "m.vae" },
      });
      expect(parsed(kind, "m.vae"), kind).toMatchObject({ error: { option: "--checkpoint" } });
    }
    expect(parsed("sample", "--checkpoint", "run")).toMatchObject({
      command: { options: { count: 64, seed: 0, mean: false } },
    });
    expect(parsed("sample", "--checkpoint", "run", "-n", "0")).toMatchObject({
      error: { option: "--count", reason: "expects an integer ≥ 1, got '0'" },
    });
    expect(parsed("traverse", "--checkpoint", "run")).toMatchObject({
      command: { options: { steps: 9 } },
    });
  });

  it("defaults eval to the test split", () => {
    expect(parsed("eval", "m.vae", "--checkpoint", "run")).toMatchObject({
      command: { kind: "eval", options: { split: "test", checkpoint: "run" } },
    });
  });

  it("answers --help, help COMMAND, no arguments and --version with text, not a command", () => {
    for (const argv of [["--help"], [], ["help"]]) {
      const r = parseCommandLine(argv);
      expect("output" in r && r.output, argv.join(" ")).toMatch(/^Usage: vae COMMAND/);
    }
    const version = parseCommandLine(["--version"]);
    expect("output" in version && version.output).toMatch(/^vaelang \d+\.\d+\.\d+/);
    for (const argv of [
      ["train", "--help"],
      ["help", "train"],
      ["train", "m.vae", "-h"],
    ]) {
      const r = parseCommandLine(argv);
      expect("output" in r && r.output, argv.join(" ")).toMatch(/^Usage: vae train /);
    }
  });
});
