import * as prettier from "prettier";
import { Project, StructureKind, VariableDeclarationKind } from "ts-morph";
import { diagnostic, type Diagnostic } from "../../diagnostics/index.js";
import { syntheticSpan } from "../../diagnostics/span.js";
import type { DistributionIR, ModelIR, ObjectiveExpr } from "../../ir/types.js";
import { modelWeightSpecs } from "../tfjs/layout.js";
import { netFunctionName, netStatements, paramFunction } from "./expr.js";
import { COMMON_HELPERS, FAMILY_HELPERS, FAMILY_TYPES, familyPrefix } from "./helpers.js";
import { ANALYTIC_KL_PAIRS, namesInIr, unsupportedConstructs } from "./support.js";
import { commentText, identifier, jsonLiteral, numberLiteral, stringLiteral } from "./escape.js";
import { usesEntropy } from "../../objectives/terms.js";

export { unsupportedConstructs } from "./support.js";

export interface GenerateOptions {
  /** The file name diagnostics point at (default: the model name). */
  file?: string;
}

export interface GeneratedModule {
  /** The formatted module; absent when there are diagnostics. */
  code?: string;
  diagnostics: Diagnostic[];
}

type Role = "prior" | "encoder" | "decoder";

const ROLE_TYPE: Record<Role, string> = {
  prior: "PriorParams",
  encoder: "EncoderParams",
  decoder: "DecoderParams",
};

function roleIr(ir: ModelIR, role: Role): DistributionIR {
  return role === "prior" ? ir.prior : role === "encoder" ? ir.encoder : ir.decoder;
}

/**
 * Nesting beyond which generated expressions are written flat: prettier recurses over
 * the syntax tree and overflows the stack on the deepest trees the compiler admits.
 */
const MAX_NESTED_CODE = 32;

/**
 * The objective as statements and the expression they leave: one nested expression when
 * shallow (as a person would write it), else one `const` per operation, in post-order.
 */
function objectiveStatements(e: ObjectiveExpr): { statements: string[]; result: string } {
  if (objectiveHeight(e) <= MAX_NESTED_CODE) return { statements: [], result: objectiveCode(e) };
  const statements: string[] = [];
  const bind = (code: string): string => {
    statements.push(`const _o${statements.length + 1} = ${code};`);
    return `_o${statements.length}`;
  };
  const flat = (node: ObjectiveExpr): string => {
    if (node.op === "const" || node.op === "term") return objectiveCode(node);
    if (node.op === "call") {
      // max/min of n arguments nest n − 1 calls: one statement each.
      const fn = node.fn === "max" ? "tf.maximum" : "tf.minimum";
      const [first, ...rest] = node.args.map(flat);
      return rest.reduce((acc, a) => bind(`${fn}(${acc}, ${a})`), first!);
    }
    return bind(objectiveCode(node, flat));
  };
  return { statements, result: flat(e) };
}

function objectiveHeight(e: ObjectiveExpr): number {
  switch (e.op) {
    case "unary":
      return 1 + objectiveHeight(e.input);
    case "binary":
      return 1 + Math.max(objectiveHeight(e.lhs), objectiveHeight(e.rhs));
    case "call":
      // The arguments fold into n − 1 nested calls.
      return e.args.length + Math.max(0, ...e.args.map(objectiveHeight));
    default:
      return 1;
  }
}

/** `e` as one expression; `child` writes its operands (objectiveStatements binds them). */
function objectiveCode(
  e: ObjectiveExpr,
  child: (e: ObjectiveExpr) => string = objectiveCode,
): string {
  switch (e.op) {
    case "const":
      return `tf.scalar(${numberLiteral(e.value)})`;
    case "term":
      switch (e.term) {
        case "distortion":
          return "t.distortion";
        case "rate":
          return "t.rate";
        case "entropy":
          return "H";
        // Barber–Agakov bound H − D; ELBO surgery R − (H − D).
        case "mutual_info":
          return "tf.sub(H, t.distortion)";
        case "marginal_kl":
          return "tf.sub(t.rate, tf.sub(H, t.distortion))";
      }
      break;
    case "unary":
      if (e.fn === "neg") return `tf.neg(${child(e.input)})`;
      if (e.fn === "abs") return `tf.abs(${child(e.input)})`;
      break;
    case "binary":
      return `tf.${e.fn}(${child(e.lhs)}, ${child(e.rhs)})`;
    case "call": {
      const fn = e.fn === "max" ? "tf.maximum" : "tf.minimum";
      const [first, ...rest] = e.args.map((a) => child(a));
      if (first === undefined) throw new Error(`codegen: ${e.fn}() without arguments`);
      return rest.reduce((acc, a) => `${fn}(${acc}, ${a})`, first);
    }
    default:
      break;
  }
  throw new Error(`codegen: objective node ${JSON.stringify(e)} should have been rejected`);
}

/** Levels of nested arrays and objects in a JSON value, walked with an explicit stack. */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const c of Object.values(v)) stack.push([c, depth + 1]);
  }
  return deepest;
}

/** Parameters of a role with its batched ones repeated by `how` (tileRows / gather). */
function expandParams(ir: ModelIR, role: Role, source: string, how: (p: string) => string): string {
  const f = paramFunction(ir, roleIr(ir, role));
  const fields = Object.keys(f.params).map((n) =>
    f.batched[n]
      ? `${identifier(n)}: ${how(`${source}.${n}`)}`
      : `${identifier(n)}: ${source}.${n}`,
  );
  return `{ ${fields.join(", ")} }`;
}

function reparamTermsBody(ir: ModelIR): string[] {
  const enc = familyPrefix(ir.encoder.dist);
  const pri = familyPrefix(ir.prior.dist);
  const dec = familyPrefix(ir.decoder.dist);
  const latent = ir.latent.shape.map(numberLiteral).join(", ");
  const analytic =
    ir.train.kl === "analytic" && ANALYTIC_KL_PAIRS.has(`${ir.encoder.dist}|${ir.prior.dist}`);
  const lines = [
    "const batch = x.shape[0]!;",
    "const q = encoderParams(w, x);",
    "const p = priorParams(w);",
    `const qL: EncoderParams = samples === 1 ? q : ${expandParams(ir, "encoder", "q", (c) => `tileRows(${c}, samples)`)};`,
    `const z = ${enc}Sample(qL, [${["samples * batch", latent].filter(Boolean).join(", ")}], seed);`,
    "const d = decoderParams(w, z);",
    `const logLik = ${dec}LogProb(d, tileRows(x, samples));`,
    "const distortion = tf.neg(meanOverSamples(logLik, samples));",
  ];
  if (analytic) {
    // SGVB estimator B: the KL in closed form.
    lines.push(
      `const rate = ${enc}${ir.prior.dist}Kl(q, p, [${["batch", latent].filter(Boolean).join(", ")}]);`,
    );
  } else {
    // SGVB estimator A: log q(z|x) − log p(z) on the same samples.
    lines.push(
      `const rate = meanOverSamples(tf.sub(${enc}LogProb(qL, z), ${pri}LogProb(p, z)), samples);`,
    );
  }
  lines.push("return { distortion: tf.mean(distortion), rate: tf.mean(rate) };");
  return lines;
}

function enumerateTermsBody(ir: ModelIR): string[] {
  return [
    // Exact expectations over the K latent values: no Monte Carlo noise; samples and seed
    // are accepted for a uniform signature and unused.
    "const batch = x.shape[0]!;",
    "const q = encoderParams(w, x);",
    "const logPrior = categoricalLogProbs(priorParams(w));",
    "const k = logPrior.shape[logPrior.shape.length - 1]!;",
    "const logQ = tf.broadcastTo(categoricalLogProbs(q), [batch, k]);",
    "const probs = tf.exp(logQ);",
    "const rate = tf.sum(tf.mul(probs, tf.sub(logQ, logPrior)), 1);",
    // The decoder once per latent value; rows value-major: row j·N + n pairs value j with x_n.
    'const d = decoderParams(w, tf.range(0, k, 1, "int32"));',
    `const dk: DecoderParams = ${expandParams(ir, "decoder", "d", (c) => `repeatRows(${c}, batch)`)};`,
    `const logLik = tf.transpose(tf.reshape(${familyPrefix(ir.decoder.dist)}LogProb(dk, tileRows(x, k)), [k, batch]));`,
    "const distortion = tf.neg(tf.sum(tf.mul(probs, logLik), 1));",
    "return { distortion: tf.mean(distortion), rate: tf.mean(rate) };",
  ];
}

/** 1/√fan_in written as such when it is one (the dense initialiser's bound). */
function boundCode(bound: number): string {
  const fanIn = Math.round(1 / (bound * bound));
  return fanIn > 0 && 1 / Math.sqrt(fanIn) === bound ? `(1 / Math.sqrt(${fanIn}))` : String(bound);
}

function initCode(spec: ReturnType<typeof modelWeightSpecs>[number]): string {
  const shape = `[${spec.shape.map(numberLiteral).join(", ")}]`;
  const seed = `deriveSeed(seed, "init", ${stringLiteral(spec.name)})`;
  const i = spec.init;
  const value =
    i.kind === "uniform"
      ? `tf.randomUniform(${shape}, -${boundCode(i.bound)}, ${boundCode(i.bound)}, "float32", ${seed})`
      : i.kind === "normal"
        ? `tf.randomNormal(${shape}, ${numberLiteral(i.mean ?? 0)}, ${numberLiteral(i.std)}, "float32", ${seed})`
        : `tf.fill(${shape}, ${numberLiteral(i.value)})`;
  return `${stringLiteral(spec.name)}: initVariable(${value})`;
}

/**
 * The model as a standalone TypeScript module over @tensorflow/tfjs: its weights (named and
 * shaped like the tfjs backend's, so engine checkpoints load), the distributions'
 * parameter functions, the training terms, the objective and a minimal training loop.
 * Constructs the generator does not handle are `codegen-unsupported` diagnostics.
 */
export async function generateTypeScript(
  ir: ModelIR,
  opts: GenerateOptions = {},
): Promise<GeneratedModule> {
  // The grammar admits only identifiers; an IR built or edited elsewhere must not smuggle
  // code in through a name.
  for (const name of namesInIr(ir)) identifier(name);
  const span = syntheticSpan(opts.file ?? ir.name);
  const problems = unsupportedConstructs(ir);
  if (problems.length > 0) {
    return {
      diagnostics: problems.map((what) => diagnostic("codegen-unsupported", span, { what })),
    };
  }

  const project = new Project({ useInMemoryFileSystem: true });
  const sf = project.createSourceFile("model.ts", "", { overwrite: true });
  sf.addStatements([
    `/**\n * ${identifier(ir.name)}: generated by \`vae codegen\` from the model's IR; do not edit.\n` +
      ` * Objective: ${commentText(ir.objective.source)}\n` +
      " * Call the functions below inside tf.tidy (train does so itself).\n */",
  ]);
  sf.addImportDeclaration({ moduleSpecifier: "@tensorflow/tfjs", namespaceImport: "tf" });

  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The model's intermediate representation, for reference."],
    // A deep IR as an object literal would overflow prettier; as a JSON string it is flat.
    declarations: [
      {
        name: "spec",
        initializer:
          jsonDepth(ir) <= MAX_NESTED_CODE
            ? jsonLiteral(ir)
            : `JSON.parse(${stringLiteral(JSON.stringify(ir))}) as unknown`,
      },
    ],
  });

  const specs = modelWeightSpecs(ir);
  sf.addInterface({
    name: "Weights",
    isExported: true,
    docs: ["Every learned tensor under the name the tfjs backend and its checkpoints use."],
    properties: specs.map((s) => ({
      name: stringLiteral(s.name),
      type: "tf.Variable",
      docs: [`[${s.shape.join(", ")}]`],
    })),
  });
  sf.addInterface({
    name: "Terms",
    isExported: true,
    docs: ["Per-point averages over a batch, in nats."],
    properties: [
      { name: "distortion", type: "tf.Scalar" },
      { name: "rate", type: "tf.Scalar" },
    ],
  });

  const families = new Set([ir.prior.dist, ir.encoder.dist, ir.decoder.dist]);
  for (const fam of families)
    sf.addTypeAlias({ ...FAMILY_TYPES[fam]!, kind: StructureKind.TypeAlias });
  const roles: Role[] = ["prior", "encoder", "decoder"];
  for (const role of roles) {
    const d = roleIr(ir, role);
    sf.addInterface({
      name: ROLE_TYPE[role],
      isExported: true,
      docs: [
        commentText(
          `Parameters of ${d.label}(${d.variable}${d.given ? `|${d.given}` : ""}) = ${d.dist}(…).`,
        ),
      ],
      properties: Object.keys(d.params).map((n) => ({ name: identifier(n), type: "tf.Tensor" })),
    });
  }

  sf.addFunction({
    name: "createWeights",
    isExported: true,
    docs: ["Fresh weights: dense W, b ~ U(±1/√fan_in), tables N(0, 0.01²), params as declared."],
    parameters: [{ name: "seed", initializer: "0" }],
    returnType: "Weights",
    statements: [`return { ${specs.map(initCode).join(", ")} };`],
  });
  sf.addFunction({
    name: "loadWeights",
    isExported: true,
    docs: ["Overwrites `w` with named arrays (e.g. an engine checkpoint's weights.json, decoded)."],
    parameters: [
      { name: "w", type: "Weights" },
      {
        name: "named",
        type: "Record<string, { shape: number[]; values: Float32Array | number[] }>",
      },
    ],
    returnType: "void",
    statements: [
      "for (const [name, v] of Object.entries(w) as [string, tf.Variable][]) {",
      "  const given = named[name];",
      "  if (given === undefined) throw new Error(`loadWeights: no weight '${name}'`);",
      "  if (given.shape.join(',') !== v.shape.join(','))",
      "    throw new Error(`loadWeights: '${name}' is [${given.shape}], expected [${v.shape}]`);",
      '  tf.tidy(() => v.assign(tf.tensor(given.values, given.shape, "float32")));',
      "}",
    ],
  });

  for (const net of ir.nets) {
    sf.addFunction({
      name: netFunctionName(net.name),
      parameters: [
        { name: "w", type: "Weights" },
        { name: "input", type: "tf.Tensor" },
      ],
      returnType: "tf.Tensor",
      statements: netStatements(net),
    });
  }

  for (const role of roles) {
    const d = roleIr(ir, role);
    const f = paramFunction(ir, d);
    const input =
      role === "encoder"
        ? [{ name: "x", type: "tf.Tensor" }]
        : role === "decoder"
          ? [{ name: "z", type: "tf.Tensor" }]
          : [];
    const fields = Object.entries(f.params).map(([n, c]) => `${identifier(n)}: ${c}`);
    sf.addFunction({
      name: `${role}Params`,
      isExported: true,
      parameters: [{ name: "w", type: "Weights" }, ...input],
      returnType: ROLE_TYPE[role],
      statements: [...f.statements, `return { ${fields.join(", ")} };`],
    });
  }

  for (const h of COMMON_HELPERS) sf.addFunction(h);
  for (const fam of families) for (const h of FAMILY_HELPERS[fam]!) sf.addFunction(h);

  const enumerate = ir.train.estimator === "enumerate";
  sf.addFunction({
    name: "terms",
    isExported: true,
    docs: [
      enumerate
        ? "Distortion and rate by exact enumeration of the categorical latent."
        : `Distortion and rate by SGVB with \`samples\` reparameterised draws per point (${
            ir.train.kl === "analytic" ? "closed-form KL where the pair has one" : "Monte Carlo KL"
          }).`,
    ],
    parameters: [
      { name: "w", type: "Weights" },
      { name: "x", type: "tf.Tensor" },
      { name: "samples", initializer: numberLiteral(ir.train.samples) },
      { name: "seed", type: "number", hasQuestionToken: true },
    ],
    returnType: "Terms",
    statements: enumerate ? enumerateTermsBody(ir) : reparamTermsBody(ir),
  });
  sf.addFunction({
    name: "decoderLogProb",
    isExported: true,
    docs: ["log p(x|z) summed over the event dims, one value per row."],
    parameters: [
      { name: "w", type: "Weights" },
      { name: "x", type: "tf.Tensor" },
      { name: "z", type: "tf.Tensor" },
    ],
    returnType: "tf.Tensor",
    statements: [`return ${familyPrefix(ir.decoder.dist)}LogProb(decoderParams(w, z), x);`],
  });
  const objective = objectiveStatements(ir.objective.expr);
  sf.addFunction({
    name: "loss",
    isExported: true,
    docs: [
      `The objective ${commentText(ir.objective.source)} on a batch; \`entropy\` is the data entropy H (0: unknown).`,
    ],
    parameters: [
      { name: "w", type: "Weights" },
      { name: "x", type: "tf.Tensor" },
      { name: "opts", type: "{ entropy?: number; seed?: number }", initializer: "{}" },
    ],
    returnType: "tf.Scalar",
    statements: [
      `const t = terms(w, x, ${numberLiteral(ir.train.samples)}, opts.seed);`,
      ...(usesEntropy(ir.objective.expr) ? ["const H = tf.scalar(opts.entropy ?? 0);"] : []),
      ...objective.statements,
      `return ${objective.result} as tf.Scalar;`,
    ],
  });
  sf.addInterface({
    name: "TrainOptions",
    isExported: true,
    properties: [
      { name: "weights", type: "Weights", hasQuestionToken: true, docs: ["Start from these."] },
      { name: "epochs", type: "number", hasQuestionToken: true },
      { name: "batch", type: "number", hasQuestionToken: true },
      { name: "lr", type: "number", hasQuestionToken: true },
      { name: "seed", type: "number", hasQuestionToken: true },
      { name: "entropy", type: "number", hasQuestionToken: true },
      { name: "onEpoch", type: "(epoch: number, loss: number) => void", hasQuestionToken: true },
    ],
  });
  const t = ir.train;
  sf.addFunction({
    name: "train",
    isExported: true,
    isAsync: true,
    docs: [
      `Minibatch ${identifier(t.optimizer.name)} on the rows of \`x\` (defaults from the train block); returns the weights and the mean loss per epoch.`,
    ],
    parameters: [
      { name: "x", type: "tf.Tensor" },
      { name: "opts", type: "TrainOptions", initializer: "{}" },
    ],
    returnType: "Promise<{ weights: Weights; history: number[] }>",
    statements: [
      `const seed = opts.seed ?? ${numberLiteral(t.seed)};`,
      "const w = opts.weights ?? createWeights(seed);",
      `const epochs = opts.epochs ?? ${numberLiteral(t.epochs)};`,
      `const batch = opts.batch ?? ${numberLiteral(t.batch)};`,
      `const optimizer = tf.train.${identifier(t.optimizer.name)}(opts.lr ?? ${numberLiteral(t.optimizer.lr)});`,
      "const vars = Object.values(w) as tf.Variable[];",
      "const n = x.shape[0]!;",
      "const history: number[] = [];",
      "let step = 0;",
      "for (let epoch = 1; epoch <= epochs; epoch++) {",
      "  const order = tf.util.createShuffledIndices(n);",
      "  let total = 0;",
      "  for (let start = 0; start < n; start += batch) {",
      "    const rows = Math.min(batch, n - start);",
      '    const idx = tf.tensor1d(Int32Array.from(order.subarray(start, start + rows)), "int32");',
      "    const xb = tf.gather(x, idx);",
      '    const stepSeed = deriveSeed(seed, "step", String(step++));',
      "    const cost = optimizer.minimize(() => loss(w, xb, { entropy: opts.entropy, seed: stepSeed }), true, vars);",
      "    total += (await cost!.data())[0]! * rows;",
      "    tf.dispose([cost!, xb, idx]);",
      "  }",
      "  history.push(total / n);",
      "  opts.onEpoch?.(epoch, total / n);",
      "}",
      "optimizer.dispose();",
      "return { weights: w, history };",
    ],
  });

  const code = await prettier.format(sf.getFullText(), { parser: "typescript", printWidth: 100 });
  return { code, diagnostics: [] };
}
