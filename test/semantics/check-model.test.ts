import { describe, expect, it } from "vitest";
import { checkModel } from "../../src/semantics/index.js";
import { expectOnly, model, modelDiagnostics, parseModel } from "./helpers.js";

describe("checkModel on valid models", () => {
  it("returns a checked model with typed expressions", () => {
    const r = checkModel(parseModel(model()));
    expect(r.diagnostics).toEqual([]);
    const m = r.value!;
    expect(m.data).toMatchObject({ name: "x", kind: "binary", shape: [4] });
    expect(m.latent).toMatchObject({ name: "z", kind: "real", shape: [2] });
    expect(m.nets.map((n) => [n.name, n.kind, n.inputSize, n.hidden])).toEqual([
      ["enc", "linear", 4, []],
      ["dec", "mlp", 2, [8]],
    ]);
    expect(m.encoder.bindings[0]!.value.type).toEqual({
      kind: "heads",
      net: "enc",
      heads: [
        { name: "loc", size: 2 },
        { name: "log_scale", size: 2 },
      ],
    });
    expect(m.encoder.params["loc"]!.type).toEqual({ kind: "tensor", value: "real", shape: [2] });
    expect(m.decoder.params["logits"]!.type).toMatchObject({ shape: [4] });
    expect(m.objective).toBeNull();
  });

  it("fills every train default", () => {
    const m = checkModel(parseModel(model())).value!;
    expect(m.train).toEqual({
      dataset: null,
      optimizer: { name: "adam", lr: 0.001 },
      batch: 100,
      epochs: 10,
      samples: 1,
      estimator: "reparam",
      kl: "analytic",
      seed: 0,
      backend: null,
    });
  });

  it("reads every train option", () => {
    const train = `train {
      dataset: "data.csv" optimizer: sgd(lr: 0.5) batch: 7 epochs: 3 samples: 4
      estimator: score kl: monte_carlo seed: 0 backend: "cpu" }`;
    const m = checkModel(parseModel(model({}, train))).value!;
    expect(m.train).toEqual({
      dataset: "data.csv",
      optimizer: { name: "sgd", lr: 0.5 },
      batch: 7,
      epochs: 3,
      samples: 4,
      estimator: "score",
      kl: "monte_carlo",
      seed: 0,
      backend: "cpu",
    });
  });

  it("keeps a negative param init", () => {
    const m = checkModel(parseModel(model({}, "param s: real[2] = -1.5"))).value!;
    expect(m.params).toMatchObject([{ name: "s", shape: [2], init: -1.5 }]);
  });
});

describe("names and declarations", () => {
  it("reports an undefined name at its use", () => {
    expectOnly(model({ prior: "prior p(z) = Normal(loc: «mu», scale: 1)" }), "undefined-name");
  });

  it("reports the second of two declarations of a name", () => {
    expectOnly(model({}, "param «enc»: real = 0"), "duplicate-declaration");
  });

  it("reports each missing role at the model name", () => {
    const text = "model M {\n  data x: binary[4]\n}\n";
    const ds = modelDiagnostics(text);
    expect(ds.map((d) => d.params["what"])).toEqual(["latent", "prior", "encoder", "decoder"]);
    expect(ds.every((d) => d.code === "missing-declaration" && d.span.start.offset === 6)).toBe(
      true,
    );
  });

  it("reports a second prior", () => {
    expectOnly(model({}, "«prior r(z) = Normal(loc: 1, scale: 1)»"), "duplicate-declaration");
  });
});

describe("roles", () => {
  it("prior over the data", () => {
    expectOnly(
      model({ prior: "prior p(«x») = Normal(loc: 0, scale: 1)" }),
      "prior-must-be-over-latent",
    );
  });
  it("conditioned prior", () => {
    expectOnly(
      model({ prior: "prior p(z|«x») = Normal(loc: 0, scale: 1)" }),
      "prior-must-be-unconditional",
    );
  });
  it("encoder over the wrong variables", () => {
    const d = expectOnly(
      model({ encoder: "encoder q(«z|z») = Normal(loc: 0, scale: 1)" }),
      "encoder-must-condition-on-data",
    );
    expect(d.message).toBe("the encoder must be q(z|x), found q(z|z)");
  });
  it("unconditional decoder", () => {
    expectOnly(
      model({ decoder: "decoder p(«x») = Bernoulli(logits: 0)" }),
      "decoder-must-condition-on-latent",
    );
  });
  it("labels are free", () => {
    const text = model({
      prior: "prior m(z) = Normal(loc: 0, scale: 1)",
      encoder: "encoder e(z|x) = Normal(loc: enc(x).loc, scale: 1)",
      decoder: "decoder d(x|z) = Bernoulli(logits: dec(z))",
    });
    expect(modelDiagnostics(text)).toEqual([]);
  });
});

describe("scopes", () => {
  it("the prior sees neither variable", () => {
    const d = expectOnly(
      model({ prior: "prior p(z) = Normal(loc: «x», scale: 1)" }),
      "variable-out-of-scope",
    );
    expect(d.params).toMatchObject({ name: "x", role: "prior" });
  });
  it("the encoder may not read the latent", () => {
    expectOnly(
      model({ encoder: "encoder q(z|x) = Normal(loc: «z», scale: 1)" }),
      "variable-out-of-scope",
    );
  });
  it("the decoder may not read the data", () => {
    expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: dec(z) * «x»)" }),
      "variable-out-of-scope",
    );
  });
  it("bindings are local to their declaration", () => {
    expectOnly(model({ decoder: "decoder p(x|z) = Bernoulli(logits: «h».loc)" }), "undefined-name");
  });
  it("a later binding sees an earlier one", () => {
    const text = model({
      encoder:
        "encoder q(z|x) = Normal(loc: m, log_scale: h.log_scale) where h = enc(x), m = h.loc",
    });
    expect(modelDiagnostics(text)).toEqual([]);
  });
});

describe("distributions", () => {
  it("unknown distribution", () => {
    expectOnly(model({ prior: "prior p(z) = «Gauss»(loc: 0, scale: 1)" }), "unknown-distribution");
  });
  it("unknown argument", () => {
    expectOnly(
      model({ prior: "prior p(z) = Normal(loc: 0, scale: 1, «df»: 3)" }),
      "unknown-argument",
    );
  });
  it("missing argument points at the call", () => {
    const d = expectOnly(model({ prior: "prior p(z) = «Normal(scale: 1)»" }), "missing-argument");
    expect(d.message).toBe("'Normal' needs 'loc'");
  });
  it("conflicting alternatives", () => {
    expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: dec(z), «probs: 0.5»)" }),
      "conflicting-arguments",
    );
  });
  it("duplicate argument", () => {
    expectOnly(
      model({ prior: "prior p(z) = Normal(loc: 0, scale: 1, «scale»: 2)" }),
      "duplicate-argument",
    );
  });
  it("positional argument", () => {
    expectOnly(model({ prior: "prior p(z) = Normal(loc: 0, «1»)" }), "positional-argument");
  });
  it("support mismatch names the variable and its type", () => {
    const d = expectOnly(
      model({ data: "data x: real[4]", decoder: "decoder p(x|z) = «Bernoulli»(logits: dec(z))" }),
      "support-mismatch",
    );
    expect(d.message).toBe(
      "Bernoulli is a distribution over binary values, but 'x' has type real[4]",
    );
  });
  it("Normal models unit data", () => {
    const text = model({
      data: "data x: unit[4]",
      decoder: "decoder p(x|z) = Normal(loc: sigmoid(dec(z)), scale: 0.1)",
    });
    expect(modelDiagnostics(text)).toEqual([]);
  });
});

describe("shapes", () => {
  it("a parameter must broadcast to the event shape", () => {
    const d = expectOnly(
      model({ prior: "prior p(z) = Normal(loc: «b», scale: 1)" }, "param b: real[3] = 0"),
      "shape-mismatch",
    );
    expect(d.params).toMatchObject({
      expected: "[2] or a shape that broadcasts to it",
      found: "[3]",
    });
  });
  it("scalars and size-1 axes broadcast", () => {
    const text = model(
      { prior: "prior p(z) = Normal(loc: a, scale: exp(s))" },
      "param a: real[1] = 0\n param s: real = 0",
    );
    expect(modelDiagnostics(text)).toEqual([]);
  });
  it("operands of + must broadcast together", () => {
    const d = expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: «dec(z) + z»)" }),
      "shape-mismatch",
    );
    expect(d.message).toBe(
      "shape mismatch in the operands of '+': expected a shape that broadcasts with [4], found [2]",
    );
  });
  it("net input size must match", () => {
    const d = expectOnly(
      model({
        "net dec": "net dec = mlp(3 -> 8 -> 4)",
        decoder: "decoder p(x|z) = Bernoulli(logits: dec(«z»))",
      }),
      "net-input-mismatch",
    );
    expect(d.message).toBe("net 'dec' takes input real[3], but is applied to real[2]");
  });
  it("a table takes a categorical index with the same K", () => {
    const text = `model T {
  data x: categorical<5>
  latent z: categorical<3>
  net enc = table(4 -> 3)
  net dec = table(3 -> 5)
  prior p(z) = Categorical(probs: 0.2)
  encoder q(z|x) = Categorical(logits: enc(«x»))
  decoder p(x|z) = Categorical(logits: dec(z))
  train { estimator: enumerate }
}`;
    const d = expectOnly(text, "net-input-mismatch");
    expect(d.message).toBe(
      "net 'enc' takes input categorical<4>, but is applied to categorical<5>",
    );
  });
});

describe("nets in expressions", () => {
  it("unknown head", () => {
    expectOnly(
      model({ encoder: "encoder q(z|x) = Normal(loc: h.«mu», scale: 1) where h = enc(x)" }),
      "unknown-head",
    );
  });
  it("heads must be selected", () => {
    expectOnly(
      model({ encoder: "encoder q(z|x) = Normal(loc: «enc(x)», scale: 1)" }),
      "heads-not-selected",
    );
  });
  it("a single-output net has no heads, even through a binding", () => {
    expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: g.«out») where g = dec(z)" }),
      "no-heads",
    );
  });
  it("calling a param", () => {
    expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: «w»(z))" }, "param w: real[4] = 0"),
      "not-a-net",
    );
  });
  it("calling an unknown function", () => {
    expectOnly(
      model({ decoder: "decoder p(x|z) = Bernoulli(logits: «gelu»(dec(z)))" }),
      "unknown-function",
    );
  });
  it("elementwise functions keep the shape", () => {
    const m = checkModel(
      parseModel(model({ decoder: "decoder p(x|z) = Bernoulli(logits: square(tanh(dec(z))))" })),
    ).value!;
    expect(m.decoder.params["logits"]).toMatchObject({
      op: "unary",
      fn: "square",
      type: { shape: [4] },
    });
  });
});

describe("net definitions", () => {
  it("unknown net kind", () => {
    expectOnly(model({ "net dec": "net dec = «cnn»(2 -> 4)" }), "unknown-net");
  });
  it("a broken net is reported once, not again at its uses", () => {
    expectOnly(model({ "net dec": "net dec = mlp(«2 -> 4»)" }), "invalid-architecture");
  });
  it("unknown activation", () => {
    expectOnly(
      model({ "net dec": "net dec = mlp(2 -> 8 -> 4, activation: «swish»)" }),
      "unknown-activation",
    );
  });
});

describe("train options", () => {
  it("unknown option", () => {
    expectOnly(model({}, "train { «lr»: 0.1 }"), "unknown-train-option");
  });
  it("invalid value", () => {
    expectOnly(model({}, "train { epochs: «0» }"), "invalid-train-value");
  });
  it("unknown optimizer", () => {
    expectOnly(model({}, "train { optimizer: «rmsprop» }"), "unknown-optimizer");
  });
  it("unknown estimator", () => {
    expectOnly(model({}, "train { estimator: «vimco» }"), "unknown-estimator");
  });
  it("workers: a positive integer up to 64, absent unless written", () => {
    const workers = (train: string) => checkModel(parseModel(model({}, train))).value!.train;
    expect(workers("train { workers: 2 }").workers).toBe(2);
    expect(workers("train { workers: 64 }").workers).toBe(64);
    expect(workers("train { batch: 5 }")).not.toHaveProperty("workers");
    for (const bad of ["0", "2.5", "-1", "auto", '"4"']) {
      const d = expectOnly(model({}, `train { workers: «${bad}» }`), "invalid-train-value");
      expect(d.params["expected"]).toBe("a positive integer number of worker threads");
    }
    const d = expectOnly(model({}, "train { workers: «65» }"), "invalid-train-value");
    expect(d.params["expected"]).toBe("a positive integer up to 64");
  });
  it("optimizer defaults per kind", () => {
    const m = checkModel(parseModel(model({}, "train { optimizer: adagrad }"))).value!;
    expect(m.train.optimizer).toEqual({ name: "adagrad", lr: 0.01 });
  });
  it("enumerate needs a finite latent", () => {
    const d = expectOnly(model({}, "train { estimator: «enumerate» }"), "estimator-not-applicable");
    expect(d.params["alternatives"]).toBe("estimator: reparam or estimator: score");
  });
  it("a categorical latent needs enumerate or score, said at the encoder when none is named", () => {
    const text = `model T {
  data x: categorical<5>
  latent z: categorical<3>
  net enc = table(5 -> 3)
  net dec = table(3 -> 5)
  prior p(z) = Categorical(probs: 0.2)
  encoder q(z|x) = «Categorical»(logits: enc(x))
  decoder p(x|z) = Categorical(logits: dec(z))
}`;
    const d = expectOnly(text, "estimator-not-applicable");
    expect(d.params["alternatives"]).toBe("estimator: enumerate or estimator: score");
  });
});

it("reports all independent errors of a model at once", () => {
  const text = model(
    {
      prior: "prior p(z) = Normal(loc: mu, scale: 1)",
      "net dec": "net dec = mlp(2 -> 8 -> 4, activation: swish)",
      encoder: "encoder q(z|x) = Normal(loc: z, scale: 1)",
    },
    "train { batch: 0 }",
  );
  expect(
    modelDiagnostics(text)
      .map((d) => d.code)
      .sort(),
  ).toEqual([
    "invalid-train-value",
    "undefined-name",
    "unknown-activation",
    "variable-out-of-scope",
  ]);
});

it("a second data declaration is reported once, and its name is not undefined later", () => {
  const text = model(
    { decoder: "decoder p(x|z) = Bernoulli(logits: dec(z) + y)" },
    "«data y: binary[4]»",
  );
  expectOnly(text, "duplicate-declaration");
});
