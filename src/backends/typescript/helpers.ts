import type {
  OptionalKind,
  FunctionDeclarationStructure,
  TypeAliasDeclarationStructure,
} from "ts-morph";

type Fn = OptionalKind<FunctionDeclarationStructure>;
type Alias = OptionalKind<TypeAliasDeclarationStructure>;

const T = "tf.Tensor";

/**
 * Runtime helpers of the generated module, as ts-morph structures. They mirror the
 * densities and closed-form KLs of the tfjs backend (same stable forms, so results agree
 * to float32 rounding); only those a model uses are emitted.
 */
export const COMMON_HELPERS: Fn[] = [
  {
    name: "sumEvent",
    docs: ["Sums an elementwise term over the event dims of `shape` = [N, ...event] → [N]."],
    parameters: [
      { name: "t", type: T },
      { name: "shape", type: "number[]" },
    ],
    returnType: T,
    statements: [
      "const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);",
      "const full = same ? t : tf.broadcastTo(t, shape);",
      "if (shape.length <= 1) return full;",
      "return tf.sum(full, Array.from({ length: shape.length - 1 }, (_, i) => i + 1));",
    ],
  },
  {
    name: "tileRows",
    docs: ["Repeats `t` `times` times along the batch axis (sample-major: row l·N + n)."],
    parameters: [
      { name: "t", type: T },
      { name: "times", type: "number" },
    ],
    returnType: T,
    statements: [
      "if (times === 1) return t;",
      "return tf.tile(t, [times, ...Array<number>(t.rank - 1).fill(1)]);",
    ],
  },
  {
    name: "repeatRows",
    docs: [
      "Repeats each row of `t` `times` times in a row (row j·times + n is row j), by broadcasting:",
      "its gradient is a sum, where a gather's would be a segment sum.",
    ],
    parameters: [
      { name: "t", type: T },
      { name: "times", type: "number" },
    ],
    returnType: T,
    statements: [
      "const [rows, ...rest] = t.shape;",
      "const wide = tf.broadcastTo(tf.expandDims(t, 1), [rows!, times, ...rest]);",
      "return tf.reshape(wide, [rows! * times, ...rest]);",
    ],
  },
  {
    name: "meanOverSamples",
    docs: ["Mean over the sample axis of a sample-major [L·N] vector → [N]."],
    parameters: [
      { name: "t", type: T },
      { name: "samples", type: "number" },
    ],
    returnType: T,
    statements: ["return samples === 1 ? t : tf.mean(tf.reshape(t, [samples, -1]), 0);"],
  },
  {
    name: "deriveSeed",
    docs: ["A uint32 seed from a seed and tags (splitmix32 over FNV-1a hashes of the tags)."],
    parameters: [
      { name: "seed", type: "number" },
      { name: "...tags", type: "string[]" },
    ],
    returnType: "number",
    statements: [
      `const mix = (s: number): number => {
        let t = s ^ (s >>> 16);
        t = Math.imul(t, 0x21f0aaad);
        t ^= t >>> 15;
        t = Math.imul(t, 0x735a2d97);
        t ^= t >>> 15;
        return t >>> 0;
      };`,
      `const hash = (s: string): number => {
        let h = 0x811c9dc5;
        for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
        return h >>> 0;
      };`,
      "const lo = Math.floor(Math.abs(seed)) % 0x100000000;",
      "const hi = Math.floor(Math.abs(seed) / 0x100000000) % 0x100000000;",
      "let h = mix((lo + 0x9e3779b9) >>> 0);",
      "h = mix((h ^ hi ^ (seed < 0 ? 0x5bd1e995 : 0)) + 0x9e3779b9);",
      "for (const tag of tags) h = mix((h ^ hash(tag)) + 0x9e3779b9);",
      "return h;",
    ],
  },
  {
    name: "initVariable",
    parameters: [{ name: "value", type: T }],
    returnType: "tf.Variable",
    statements: ["const v = tf.variable(value, true);", "value.dispose();", "return v;"],
  },
];

export const FAMILY_TYPES: Record<string, Alias> = {
  Normal: {
    name: "NormalParams",
    type: `{ loc: ${T}; scale: ${T} } | { loc: ${T}; log_scale: ${T} }`,
  },
  Bernoulli: { name: "BernoulliParams", type: `{ logits: ${T} } | { probs: ${T} }` },
  Categorical: { name: "CategoricalParams", type: `{ logits: ${T} } | { probs: ${T} }` },
};

/** The smallest normal float32: keeps log() finite for probabilities that underflow to 0. */
const TINY = "1.1754943508222875e-38";
const HALF_LOG_2PI = String(0.5 * Math.log(2 * Math.PI));

export const FAMILY_HELPERS: Record<string, Fn[]> = {
  Normal: [
    {
      name: "normalLogScale",
      parameters: [{ name: "p", type: "NormalParams" }],
      returnType: T,
      statements: ['return "log_scale" in p ? p.log_scale : tf.log(p.scale);'],
    },
    {
      name: "normalStandardise",
      docs: ["(v − loc) / σ, without forming σ on the log_scale path."],
      parameters: [
        { name: "p", type: "NormalParams" },
        { name: "v", type: T },
      ],
      returnType: T,
      statements: [
        'return "log_scale" in p',
        "  ? tf.mul(tf.sub(v, p.loc), tf.exp(tf.neg(p.log_scale)))",
        "  : tf.div(tf.sub(v, p.loc), p.scale);",
      ],
    },
    {
      name: "normalLogProb",
      parameters: [
        { name: "p", type: "NormalParams" },
        { name: "v", type: T },
      ],
      returnType: T,
      statements: [
        "const u = normalStandardise(p, v);",
        `const lp = tf.sub(tf.mul(tf.square(u), -0.5), tf.add(normalLogScale(p), ${HALF_LOG_2PI}));`,
        "return sumEvent(lp, v.shape);",
      ],
    },
    {
      name: "normalSample",
      docs: ["Reparameterised: z = loc + σ·ε with ε ~ N(0, I), so gradients reach loc and σ."],
      parameters: [
        { name: "p", type: "NormalParams" },
        { name: "shape", type: "number[]" },
        { name: "seed", type: "number | undefined" },
      ],
      returnType: T,
      statements: [
        'const scale = "log_scale" in p ? tf.exp(p.log_scale) : p.scale;',
        'return tf.add(p.loc, tf.mul(scale, tf.randomNormal(shape, 0, 1, "float32", seed)));',
      ],
    },
    {
      name: "normalNormalKl",
      docs: ["KL[N(μa, σa²) ‖ N(μb, σb²)] = log σb − log σa + (σa² + (μa − μb)²) / (2σb²) − 1/2."],
      parameters: [
        { name: "a", type: "NormalParams" },
        { name: "b", type: "NormalParams" },
        { name: "shape", type: "number[]" },
      ],
      returnType: T,
      statements: [
        "const la = normalLogScale(a);",
        "const lb = normalLogScale(b);",
        "const varRatio = tf.exp(tf.mul(tf.sub(la, lb), 2));",
        "const meanTerm = tf.square(normalStandardise(b, a.loc));",
        "return sumEvent(tf.add(tf.sub(lb, la), tf.mul(tf.sub(tf.add(varRatio, meanTerm), 1), 0.5)), shape);",
      ],
    },
  ],
  Bernoulli: [
    {
      name: "bernoulliLogP",
      docs: ["[log p, log(1 − p)] in the stable form of each parameterisation."],
      parameters: [{ name: "p", type: "BernoulliParams" }],
      returnType: `[${T}, ${T}]`,
      statements: [
        'if ("logits" in p) return [tf.neg(tf.softplus(tf.neg(p.logits))), tf.neg(tf.softplus(p.logits))];',
        `return [tf.log(tf.maximum(p.probs, ${TINY})), tf.log(tf.maximum(tf.sub(1, p.probs), ${TINY}))];`,
      ],
    },
    {
      name: "bernoulliLogProb",
      parameters: [
        { name: "p", type: "BernoulliParams" },
        { name: "v", type: T },
      ],
      returnType: T,
      statements: [
        // x·l − softplus(l): exact for x ∈ {0, 1}, one softplus instead of two.
        'if ("logits" in p) return sumEvent(tf.sub(tf.mul(v, p.logits), tf.softplus(p.logits)), v.shape);',
        "const [l1, l0] = bernoulliLogP(p);",
        "return sumEvent(tf.add(tf.mul(v, l1), tf.mul(tf.sub(1, v), l0)), v.shape);",
      ],
    },
    {
      name: "bernoulliBernoulliKl",
      parameters: [
        { name: "a", type: "BernoulliParams" },
        { name: "b", type: "BernoulliParams" },
        { name: "shape", type: "number[]" },
      ],
      returnType: T,
      statements: [
        'if ("logits" in a && "logits" in b) {',
        "  const kl = tf.add(tf.sub(tf.softplus(b.logits), tf.softplus(a.logits)), tf.mul(tf.sigmoid(a.logits), tf.sub(a.logits, b.logits)));",
        "  return sumEvent(kl, shape);",
        "}",
        "const [a1, a0] = bernoulliLogP(a);",
        "const [b1, b0] = bernoulliLogP(b);",
        "const p = tf.exp(a1);",
        "return sumEvent(tf.add(tf.mul(p, tf.sub(a1, b1)), tf.mul(tf.sub(1, p), tf.sub(a0, b0))), shape);",
      ],
    },
  ],
  Categorical: [
    {
      name: "categoricalLogProbs",
      docs: ["Normalised log-probabilities over the last axis (unnormalised probs are accepted)."],
      parameters: [{ name: "p", type: "CategoricalParams" }],
      returnType: T,
      statements: [
        'if ("logits" in p) return tf.logSoftmax(p.logits);',
        `return tf.sub(tf.log(tf.maximum(p.probs, ${TINY})), tf.log(tf.sum(p.probs, -1, true)));`,
      ],
    },
    {
      name: "categoricalLogProb",
      parameters: [
        { name: "p", type: "CategoricalParams" },
        { name: "v", type: T },
      ],
      returnType: T,
      statements: [
        "const lp = categoricalLogProbs(p);",
        "const k = lp.shape[lp.shape.length - 1]!;",
        'const chosen = tf.sum(tf.mul(tf.oneHot(tf.cast(v, "int32"), k), lp), -1);',
        "return sumEvent(chosen, v.shape);",
      ],
    },
    {
      name: "categoricalCategoricalKl",
      parameters: [
        { name: "a", type: "CategoricalParams" },
        { name: "b", type: "CategoricalParams" },
        { name: "shape", type: "number[]" },
      ],
      returnType: T,
      statements: [
        "const la = categoricalLogProbs(a);",
        "const lb = categoricalLogProbs(b);",
        "return sumEvent(tf.sum(tf.mul(tf.exp(la), tf.sub(la, lb)), -1), shape);",
      ],
    },
  ],
};

export function familyPrefix(dist: string): string {
  return dist.charAt(0).toLowerCase() + dist.slice(1);
}
