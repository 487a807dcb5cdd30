import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/args.js";

describe("parseCommandLine", () => {
  it("parses train with every override", () => {
    const r = parseCommandLine([
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
    ]);
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
          out: "run",
          json: true,
          quiet: false,
        },
      },
    });
  });

  it("parses --workers as a positive integer, unset when not given", () => {
    expect(parseCommandLine(["train", "m.vae", "--workers", "2"])).toMatchObject({
      command: { kind: "train", options: { workers: 2 } },
    });
    const plain = parseCommandLine(["train", "m.vae"]);
    expect(
      "command" in plain && plain.command.kind === "train" && plain.command.options.workers,
    ).toBeUndefined();
    expect(parseCommandLine(["train", "m.vae", "--workers", "0"])).toEqual({
      error: { option: "--workers", reason: "expects an integer ≥ 1, got '0'" },
    });
    expect(parseCommandLine(["train", "m.vae", "--workers", "65"])).toEqual({
      error: { option: "--workers", reason: "expects an integer ≤ 64, got '65'" },
    });
    expect(
      parseCommandLine(["eval", "m.vae", "--checkpoint", "d", "--workers", "2"]),
    ).toMatchObject({ command: { kind: "eval", options: { workers: 2 } } });
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
    [["check", "m.vae", "--emit", "cst"], "--emit"],
    [["check", "m.vae", "--epochs", "3"], "--epochs"],
    [["eval", "m.vae"], "--checkpoint"],
    [["eval", "m.vae", "--checkpoint", "d", "--split", "dev"], "--split"],
    [["frobnicate"], "frobnicate"],
  ])("rejects %j naming %s", (argv, option) => {
    const r = parseCommandLine(argv);
    expect("error" in r && r.error.option).toBe(option);
  });

  it("requires exactly one file", () => {
    expect(parseCommandLine(["check"])).toMatchObject({ error: { reason: "expects a .vae file" } });
    expect(parseCommandLine(["check", "a.vae", "b.vae"])).toMatchObject({
      error: { option: "check" },
    });
  });

  it("defaults eval to the test split", () => {
    const r = parseCommandLine(["eval", "m.vae", "--checkpoint", "run"]);
    expect(r).toMatchObject({
      command: { kind: "eval", options: { split: "test", checkpoint: "run" } },
    });
  });
});
