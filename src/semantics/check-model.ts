import { diagnostic, type Diagnostic, type Result } from "../diagnostics/index.js";
import { lookupDistribution } from "../stdlib/distributions/index.js";
import { lookupNet, netNames, type NetSignature } from "../stdlib/nets/index.js";
import type {
  Decl,
  DistributionDecl,
  Expr,
  Model,
  NumberLit,
  NetDecl,
  ObjectiveDecl,
  ParamDecl,
  Program,
  TrainDecl,
  VariableDecl,
} from "../syntax/ast.js";
import { fitsFloat32, FLOAT32_RANGE } from "../syntax/limits.js";
import { checkDistributionDecl, type DistributionContext } from "./check-distribution.js";
import { checkTrainDecl, ESTIMATORS } from "./check-train.js";
import { checkTypeExpr, formatCheckedType } from "./check-types.js";
import type {
  CheckedDistribution,
  CheckedModel,
  CheckedNet,
  CheckedParam,
  CheckedVariable,
} from "./types.js";

/** Declarations of a model sorted by kind, in source order. */
interface ModelParts {
  variables: VariableDecl[];
  params: ParamDecl[];
  nets: NetDecl[];
  distributions: DistributionDecl[];
  objectives: ObjectiveDecl[];
  trains: TrainDecl[];
}

function partsOf(model: Model): ModelParts {
  const parts: ModelParts = {
    variables: [],
    params: [],
    nets: [],
    distributions: [],
    objectives: [],
    trains: [],
  };
  for (const d of model.decls) {
    if (d.kind === "VariableDecl") parts.variables.push(d);
    else if (d.kind === "ParamDecl") parts.params.push(d);
    else if (d.kind === "NetDecl") parts.nets.push(d);
    else if (d.kind === "DistributionDecl") parts.distributions.push(d);
    else if (d.kind === "ObjectiveDecl") parts.objectives.push(d);
    else parts.trains.push(d);
  }
  return parts;
}

/** Reports models of a program that share a name (each is otherwise checked alone). */
export function verifyModelNames(program: Program): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const m of program.models) {
    if (seen.has(m.name.name)) {
      diagnostics.push(diagnostic("duplicate-declaration", m.name.span, { name: m.name.name }));
    }
    seen.add(m.name.name);
  }
  return diagnostics;
}

/**
 * Checks one model: names, roles, types, shapes and training options. Reports every
 * problem it finds; the checked model is returned only when there were no errors.
 */
export function checkModel(model: Model): Result<CheckedModel> {
  const diagnostics: Diagnostic[] = [];
  const parts = partsOf(model);
  /** The declaration that owns each model-level name: the first one, in source order. */
  const owner = new Map<string, Decl>();
  for (const d of model.decls) {
    if (d.kind !== "VariableDecl" && d.kind !== "ParamDecl" && d.kind !== "NetDecl") continue;
    if (owner.has(d.name.name)) {
      diagnostics.push(diagnostic("duplicate-declaration", d.name.span, { name: d.name.name }));
    } else {
      owner.set(d.name.name, d);
    }
  }
  const declared: ReadonlySet<string> = new Set(owner.keys());
  const owns = (d: VariableDecl | ParamDecl | NetDecl): boolean => owner.get(d.name.name) === d;
  /** Declared names whose declaration is broken: uses of them are not reported again. */
  const invalid = new Set<string>();

  let data: CheckedVariable | undefined;
  let latent: CheckedVariable | undefined;
  const seenVariableRoles = new Set<string>();
  for (const v of parts.variables) {
    if (seenVariableRoles.has(v.role)) {
      diagnostics.push(diagnostic("duplicate-declaration", v.span, { name: v.role }));
      if (owns(v)) invalid.add(v.name.name);
      continue;
    }
    seenVariableRoles.add(v.role);
    if (!owns(v)) continue;
    const type = checkTypeExpr(v.type, diagnostics);
    if (type === undefined) {
      invalid.add(v.name.name);
      continue;
    }
    const checked: CheckedVariable = { name: v.name.name, role: v.role, ...type, span: v.span };
    if (v.role === "data") data = checked;
    else latent = checked;
  }

  const params = new Map<string, CheckedParam>();
  for (const p of parts.params) {
    if (!owns(p)) continue;
    const param = checkParamDecl(p, diagnostics);
    if (param === undefined) invalid.add(p.name.name);
    else params.set(param.name, param);
  }

  const nets = new Map<string, { net: CheckedNet; signature: NetSignature }>();
  for (const n of parts.nets) {
    if (!owns(n)) continue;
    const signature = lookupNet(n.def.callee.name);
    if (signature === undefined) {
      diagnostics.push(
        diagnostic("unknown-net", n.def.callee.span, {
          name: n.def.callee.name,
          available: netNames().join(", "),
        }),
      );
      invalid.add(n.name.name);
      continue;
    }
    const r = signature.checkDefinition(n.name.name, n.def);
    diagnostics.push(...r.diagnostics);
    if (r.value === undefined) invalid.add(n.name.name);
    else nets.set(n.name.name, { net: { ...r.value, span: n.span }, signature });
  }

  const missing = (what: string): void => {
    diagnostics.push(
      diagnostic("missing-declaration", model.name.span, { what, model: model.name.name }),
    );
  };
  if (!seenVariableRoles.has("data")) missing("data");
  if (!seenVariableRoles.has("latent")) missing("latent");

  const ctx: DistributionContext = {
    data,
    latent,
    modelNames: declared,
    scope: { params, nets, invalid, diagnostics },
  };
  const roles: Record<DistributionDecl["role"], CheckedDistribution | undefined> = {
    prior: undefined,
    encoder: undefined,
    decoder: undefined,
  };
  const seenRoles = new Set<string>();
  for (const d of parts.distributions) {
    if (seenRoles.has(d.role)) {
      diagnostics.push(diagnostic("duplicate-declaration", d.span, { name: d.role }));
      continue;
    }
    seenRoles.add(d.role);
    roles[d.role] = checkDistributionDecl(d, ctx);
  }
  for (const role of ["prior", "encoder", "decoder"] as const) {
    if (!seenRoles.has(role)) missing(role);
  }

  for (const extra of parts.objectives.slice(1)) {
    diagnostics.push(diagnostic("duplicate-declaration", extra.span, { name: "objective" }));
  }
  for (const extra of parts.trains.slice(1)) {
    diagnostics.push(diagnostic("duplicate-declaration", extra.span, { name: "train" }));
  }
  const { train, estimatorSpan } = checkTrainDecl(parts.trains[0], diagnostics);

  const encoderDecl = parts.distributions.find((d) => d.role === "encoder");
  if (roles.encoder !== undefined && latent !== undefined && encoderDecl !== undefined) {
    const reason = estimatorProblem(train.estimator, roles.encoder, latent);
    if (reason !== undefined) {
      const alternatives = ESTIMATORS.filter(
        (e) => estimatorProblem(e, roles.encoder!, latent!) === undefined,
      );
      diagnostics.push(
        diagnostic("estimator-not-applicable", estimatorSpan ?? encoderDecl.dist.callee.span, {
          estimator: train.estimator,
          reason: estimatorSpan ? reason : `${reason}, and no estimator is named in train { }`,
          alternatives: alternatives.map((e) => `estimator: ${e}`).join(" or "),
        }),
      );
    }
  }

  const objective: Expr | null = parts.objectives[0]?.expr ?? null;
  if (
    diagnostics.some((d) => d.severity === "error") ||
    data === undefined ||
    latent === undefined ||
    roles.prior === undefined ||
    roles.encoder === undefined ||
    roles.decoder === undefined
  ) {
    return { diagnostics };
  }
  return {
    value: {
      name: model.name.name,
      span: model.span,
      data,
      latent,
      params: [...params.values()],
      nets: [...nets.values()].map((n) => n.net),
      prior: roles.prior,
      encoder: roles.encoder,
      decoder: roles.decoder,
      objective,
      train,
    },
    diagnostics,
  };
}

/**
 * Why `estimator` cannot train this encoder, or undefined when it can. The score-function
 * estimator only needs samples and densities, so it always applies.
 */
function estimatorProblem(
  estimator: string,
  encoder: CheckedDistribution,
  latent: CheckedVariable,
): string | undefined {
  const sig = lookupDistribution(encoder.dist);
  if (sig === undefined) return undefined;
  if (estimator === "reparam" && !sig.reparameterizable) {
    return `the encoder's ${sig.name} distribution over '${latent.name}' is not reparameterizable`;
  }
  if (estimator === "enumerate") {
    if (!sig.enumerable) {
      return `the encoder's ${sig.name} distribution over '${latent.name}' has no finite support to sum over`;
    }
    if (latent.shape.length > 0) {
      return `enumeration sums over one categorical index, but '${latent.name}' has type ${formatCheckedType(latent)}`;
    }
  }
  return undefined;
}

function checkParamDecl(p: ParamDecl, diagnostics: Diagnostic[]): CheckedParam | undefined {
  const type = checkTypeExpr(p.type, diagnostics);
  let ok = type !== undefined;
  if (type !== undefined && type.kind !== "real") {
    diagnostics.push(
      diagnostic("invalid-param-type", p.type.span, {
        name: p.name.name,
        type: formatCheckedType(type),
      }),
    );
    ok = false;
  }
  let init = 0;
  let initScale: number | undefined;
  if (p.init !== undefined) {
    const random = p.init.kind === "Call" ? checkRandomInit(p.init, diagnostics) : undefined;
    const value = random?.loc ?? constantNumber(p.init);
    if (p.init.kind === "Call" && p.init.callee.name === "normal") {
      if (random === undefined) ok = false;
      else [init, initScale] = [random.loc, random.scale];
    } else if (value === undefined) {
      diagnostics.push(
        diagnostic("invalid-expression", p.init.span, {
          reason: "a param's initial value must be a number or normal(loc: m, scale: s)",
        }),
      );
      ok = false;
    } else init = value;
  }
  const huge = p.init && hugeLiteral(p.init);
  if (huge !== undefined) {
    diagnostics.push(
      diagnostic("number-out-of-range", huge.span, { text: huge.text, range: FLOAT32_RANGE }),
    );
    ok = false;
  }
  if (!ok || type === undefined) return undefined;
  const checked: CheckedParam = { name: p.name.name, shape: type.shape, init, span: p.span };
  if (initScale !== undefined) checked.initScale = initScale;
  return checked;
}

/**
 * `normal(loc: m, scale: s)` as a param initialiser: entries drawn independently from
 * N(m, s²), m defaulting to 0. Random starts break the symmetry between otherwise
 * interchangeable entries, e.g. the component means of a learned mixture prior.
 */
function checkRandomInit(
  call: Extract<Expr, { kind: "Call" }>,
  diagnostics: Diagnostic[],
): { loc: number; scale: number } | undefined {
  if (call.callee.name !== "normal") return undefined;
  const found: Record<string, number> = {};
  let ok = true;
  for (const arg of call.args) {
    const value = constantNumber(arg.value);
    const name = arg.name?.name;
    if (name !== "loc" && name !== "scale") {
      diagnostics.push(
        diagnostic("invalid-expression", arg.span, {
          reason: "normal(...) as a param's initial value takes only loc: m and scale: s",
        }),
      );
      ok = false;
    } else if (value === undefined || (name === "scale" && !(value > 0))) {
      diagnostics.push(
        diagnostic("invalid-expression", arg.value.span, {
          reason: `the ${name} of a random initial value must be a ${name === "scale" ? "positive " : ""}number`,
        }),
      );
      ok = false;
    } else found[name] = value;
  }
  if (ok && found["scale"] === undefined) {
    diagnostics.push(
      diagnostic("invalid-expression", call.span, {
        reason: "a random initial value needs a scale, as in normal(scale: 0.1)",
      }),
    );
    ok = false;
  }
  return ok ? { loc: found["loc"] ?? 0, scale: found["scale"]! } : undefined;
}

/** A number in a param's initialiser (`-1e39`, `normal(scale: 1e39)`) beyond float32. */
function hugeLiteral(init: Expr): NumberLit | undefined {
  const args = init.kind === "Call" ? init.args.map((a) => a.value) : [init];
  for (const e of args) {
    const lit = e.kind === "Unary" ? e.operand : e;
    if (lit.kind === "NumberLit" && !fitsFloat32(lit.value)) return lit;
  }
  return undefined;
}

function constantNumber(e: Expr): number | undefined {
  if (e.kind === "NumberLit") return e.value;
  if (e.kind === "Unary" && e.operand.kind === "NumberLit") return -e.operand.value;
  return undefined;
}
