/**
 * The one table of user-facing diagnostic messages. Each code is a stable kebab-case name
 * (documented in docs/diagnostics.md); its parameters are typed by the function signature.
 * Add a code here, give it a bad golden program under test/golden/bad/, and document it.
 */
export const messages = {
  // ---- lexing and parsing -------------------------------------------------------------
  "unexpected-character": (p: { char: string }) => `unexpected character '${p.char}'`,
  "unexpected-token": (p: { expected: string; found: string }) =>
    `expected ${p.expected} but found ${p.found}`,
  "unterminated-string": () => `unterminated string literal`,
  "unterminated-comment": () => `unterminated block comment`,
  "nesting-too-deep": (p: { limit: number }) =>
    `brackets and signs nested more than ${p.limit} levels deep`,
  "expression-too-large": (p: { what: string }) => `expression too large: ${p.what}`,
  "number-out-of-range": (p: { text: string; range: string }) =>
    `the number ${p.text} does not fit ${p.range}`,
  "file-too-large": (p: { path: string; limit: string }) =>
    `file '${p.path}' is larger than the limit of ${p.limit}`,
  "not-a-regular-file": (p: { path: string }) =>
    `'${p.path}' is not a regular file (a directory, device or pipe cannot be read as a source)`,
  "too-many-diagnostics": (p: { count: number; limit: number }) =>
    `${p.count} more errors not shown (only the first ${p.limit} are reported)`,

  // ---- files and imports --------------------------------------------------------------
  "file-not-found": (p: { path: string }) => `cannot read file '${p.path}'`,
  "import-not-found": (p: { path: string }) => `cannot find imported file '${p.path}'`,
  "import-cycle": (p: { path: string }) => `import cycle through '${p.path}'`,
  "no-model": () => `the file declares no model`,
  "unknown-model": (p: { name: string; available: string }) =>
    `no model named '${p.name}' (available: ${p.available})`,

  // ---- names and declarations ---------------------------------------------------------
  "undefined-name": (p: { name: string }) => `'${p.name}' is not defined`,
  "duplicate-declaration": (p: { name: string }) => `'${p.name}' is declared more than once`,
  "missing-declaration": (p: { what: string; model: string }) =>
    `model '${p.model}' has no ${p.what} declaration`,
  "unknown-type": (p: { name: string }) =>
    `unknown type '${p.name}' (expected real, binary, unit or categorical<K>)`,
  "invalid-size": (p: { value: string }) =>
    `'${p.value}' is not a valid size (sizes are positive integers)`,

  // ---- roles: prior p(z), encoder q(z|x), decoder p(x|z) ------------------------------
  "prior-must-be-over-latent": (p: { found: string; latent: string }) =>
    `the prior must be a distribution over the latent '${p.latent}', not '${p.found}'`,
  "prior-must-be-unconditional": (p: { latent: string }) =>
    `the prior p(${p.latent}) must not be conditioned on anything`,
  "encoder-must-condition-on-data": (p: { latent: string; data: string; found: string }) =>
    `the encoder must be q(${p.latent}|${p.data}), found q(${p.found})`,
  "decoder-must-condition-on-latent": (p: { latent: string; data: string; found: string }) =>
    `the decoder must be p(${p.data}|${p.latent}), found p(${p.found})`,
  "variable-out-of-scope": (p: { name: string; role: string; allowed: string }) =>
    `'${p.name}' cannot be used in the ${p.role} (it may use: ${p.allowed})`,

  // ---- distributions ------------------------------------------------------------------
  "unknown-distribution": (p: { name: string; available: string }) =>
    `unknown distribution '${p.name}' (available: ${p.available})`,
  "unknown-argument": (p: { name: string; callee: string; allowed: string }) =>
    `'${p.callee}' has no argument '${p.name}' (allowed: ${p.allowed})`,
  "missing-argument": (p: { callee: string; expected: string }) =>
    `'${p.callee}' needs ${p.expected}`,
  "conflicting-arguments": (p: { callee: string; names: string }) =>
    `'${p.callee}' takes only one of ${p.names}`,
  "duplicate-argument": (p: { name: string }) => `argument '${p.name}' is given more than once`,
  "positional-argument": (p: { callee: string }) =>
    `arguments of '${p.callee}' must be named (name: value)`,
  "support-mismatch": (p: { dist: string; support: string; variable: string; type: string }) =>
    `${p.dist} is a distribution over ${p.support} values, but '${p.variable}' has type ${p.type}`,

  // ---- shapes -------------------------------------------------------------------------
  "shape-mismatch": (p: { what: string; expected: string; found: string }) =>
    `shape mismatch in ${p.what}: expected ${p.expected}, found ${p.found}`,
  "net-input-mismatch": (p: { net: string; expected: string; found: string }) =>
    `net '${p.net}' takes input ${p.expected}, but is applied to ${p.found}`,

  // ---- nets ---------------------------------------------------------------------------
  "unknown-net": (p: { name: string; available: string }) =>
    `unknown net '${p.name}' (available: ${p.available})`,
  "invalid-architecture": (p: { net: string; reason: string }) =>
    `invalid architecture for ${p.net}: ${p.reason}`,
  "unknown-activation": (p: { name: string; available: string }) =>
    `unknown activation '${p.name}' (available: ${p.available})`,
  "not-a-net": (p: { name: string }) => `'${p.name}' is not a net and cannot be called`,
  "unknown-function": (p: { name: string; available: string }) =>
    `unknown function '${p.name}' (available: ${p.available})`,
  "unknown-head": (p: { name: string; net: string; available: string }) =>
    `net '${p.net}' has no output head '${p.name}' (heads: ${p.available})`,
  "heads-not-selected": (p: { net: string; available: string }) =>
    `net '${p.net}' has named outputs; select one with .name (heads: ${p.available})`,
  "no-heads": (p: { net: string }) => `net '${p.net}' has a single output; it has no named heads`,
  "invalid-expression": (p: { reason: string }) => `invalid expression: ${p.reason}`,

  // ---- objectives ---------------------------------------------------------------------
  "unknown-objective": (p: { name: string; available: string }) =>
    `unknown objective '${p.name}' (available: ${p.available})`,
  "unknown-term": (p: { name: string; available: string }) =>
    `'${p.name}' is not an objective term, parameter or objective (terms: ${p.available})`,
  "objective-argument-mismatch": (p: { objective: string; expected: string; found: string }) =>
    `objective '${p.objective}' takes (${p.expected}), found (${p.found})`,
  "objective-recursion": (p: { name: string }) => `objective '${p.name}' refers to itself`,
  "objective-too-large": (p: { what: string }) =>
    `with its named objectives inlined this objective is ${p.what}`,

  // ---- training options ---------------------------------------------------------------
  "unknown-train-option": (p: { name: string; available: string }) =>
    `unknown train option '${p.name}' (available: ${p.available})`,
  "invalid-train-value": (p: { name: string; expected: string }) =>
    `train option '${p.name}' expects ${p.expected}`,
  "unknown-optimizer": (p: { name: string; available: string }) =>
    `unknown optimizer '${p.name}' (available: ${p.available})`,
  "unknown-estimator": (p: { name: string; available: string }) =>
    `unknown estimator '${p.name}' (available: ${p.available})`,
  "estimator-not-applicable": (p: { estimator: string; reason: string; alternatives: string }) =>
    `estimator '${p.estimator}' cannot be used here: ${p.reason} (use: ${p.alternatives})`,
  "train-option-no-effect": (p: { option: string; reason: string }) =>
    `train option '${p.option}' has no effect: ${p.reason}`,

  // ---- data ---------------------------------------------------------------------------
  "unknown-dataset": (p: { name: string; available: string }) =>
    `unknown dataset '${p.name}' (available: ${p.available}, or a file path)`,
  "data-file-not-found": (p: { path: string }) => `data file '${p.path}' does not exist`,
  "data-unreadable": (p: { path: string; reason: string }) =>
    `cannot read data file '${p.path}': ${p.reason}`,
  "data-bad-width": (p: { expected: number; found: number }) =>
    `a row has ${p.found} values, but the data variable needs ${p.expected}`,
  "data-bad-value": (p: { value: string; expected: string }) =>
    `value '${p.value}' is not ${p.expected}`,
  "data-empty": (p: { path: string }) => `data file '${p.path}' holds no rows`,
  "data-checksum-mismatch": (p: { path: string; expected: string; found: string }) =>
    `checksum of '${p.path}' is ${p.found}, expected ${p.expected}`,
  "data-download-failed": (p: { url: string; reason: string }) =>
    `download of ${p.url} failed: ${p.reason}`,
  "dataset-mismatch": (p: { dataset: string; provides: string; variable: string; type: string }) =>
    `dataset '${p.dataset}' holds ${p.provides} points, but the data variable '${p.variable}' is ${p.type}`,
  "dataset-split-missing": (p: { dataset: string; split: string; available: string }) =>
    `dataset '${p.dataset}' has no ${p.split} split (available: ${p.available})`,

  // ---- command line and checkpoints ---------------------------------------------------
  "invalid-option": (p: { option: string; reason: string }) => `option ${p.option}: ${p.reason}`,
  "checkpoint-invalid": (p: { path: string; reason: string }) =>
    `checkpoint '${p.path}' is not usable: ${p.reason}`,
  "training-diverged": (p: {
    epoch: number;
    step: number;
    loss: string;
    detail: string;
    checkpoint: string;
  }) =>
    `training diverged at epoch ${p.epoch}, step ${p.step}: loss ${p.loss}; ${p.detail}; ${p.checkpoint}`,
  "run-folder-locked": (p: { path: string; holder: string }) =>
    `run folder '${p.path}' is in use by ${p.holder}; wait for that run to end or pass another --out`,
  "unknown-backend": (p: { name: string; available: string }) =>
    `unknown backend '${p.name}' (available: ${p.available})`,
  "backend-unavailable": (p: { name: string; reason: string }) =>
    `backend '${p.name}' is not available: ${p.reason}`,
  "codegen-unsupported": (p: { what: string }) =>
    `the TypeScript code generator does not support ${p.what}`,

  // ---- calls and params ---------------------------------------------------------------
  "argument-count": (p: { callee: string; expected: string; found: string }) =>
    `'${p.callee}' takes ${p.expected}, found ${p.found}`,
  "invalid-param-type": (p: { name: string; type: string }) =>
    `param '${p.name}' must be real-valued (real or real[n, ...]), found ${p.type}`,

  // ---- vae compare: --sweep ranges and run counts --------------------------------------
  "sweep-syntax": (p: { expected: string; found: string }) =>
    `malformed sweep: expected ${p.expected} but found ${p.found}`,
  "sweep-too-few-values": (p: { count: number }) =>
    `a sweep needs at least 2 values, found ${p.count}`,
  "sweep-too-many-values": (p: { count: number; limit: number }) =>
    `a sweep of ${p.count} values is more than the limit of ${p.limit}`,
  "sweep-log-nonpositive": (p: { value: string }) =>
    `a log-spaced range needs positive ends, found ${p.value}`,
  "sweep-empty-range": (p: { value: string }) =>
    `the range starts and ends at ${p.value}, so every value would be the same`,
  "sweep-several-ranges": (p: { first: string; second: string }) =>
    `a sweep varies one argument, but both '${p.first}' and '${p.second}' are ranges`,
  "sweep-no-range": (p: { name: string }) =>
    `the sweep of '${p.name}' has no range (write e.g. 'beta: 0.1..10 log 8' or 'beta: [0.5, 1, 2]'); use --objective for a single objective`,
  "compare-count-invalid": (p: { option: string; found: string }) =>
    `option ${p.option} must be a positive whole number, found '${p.found}'`,
} satisfies Record<string, (p: never) => string>;

export type DiagnosticCode = keyof typeof messages;
export type DiagnosticParams<C extends DiagnosticCode> = Parameters<
  (typeof messages)[C]
>[0] extends undefined
  ? Record<string, never>
  : Parameters<(typeof messages)[C]>[0];
