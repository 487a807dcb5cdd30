import { diagnostic, joinSpans, type Diagnostic } from "../diagnostics/index.js";
import {
  componentCount,
  distributionNames,
  lookupDistribution,
  parameterNames,
  requiredParamShape,
  type DistributionSignature,
} from "../stdlib/distributions/index.js";
import type { Arg, Call, DistributionDecl } from "../syntax/ast.js";
import { checkTensorExpr, tensorOperand, type ExprScope } from "./check-expr.js";
import { formatCheckedType } from "./check-types.js";
import type { Shape } from "../ir/types.js";
import { broadcastsTo, elementCount, formatShape, isFlatVectorOf } from "./shapes.js";
import type { CheckedDistribution, CheckedExpr, CheckedVariable } from "./types.js";

/** Declared model-level things a distribution declaration is checked against. */
export interface DistributionContext {
  data: CheckedVariable | undefined;
  latent: CheckedVariable | undefined;
  /** Names declared at model level, which `where` bindings may not reuse. */
  modelNames: ReadonlySet<string>;
  scope: Omit<ExprScope, "role" | "visible" | "hidden" | "locals">;
}

/**
 * Checks `prior p(z) = ...`, `encoder q(z|x) = ...` or `decoder p(x|z) = ...`: the role's
 * variables, the visible names, the distribution's arguments, support and shapes.
 */
export function checkDistributionDecl(
  d: DistributionDecl,
  ctx: DistributionContext,
): CheckedDistribution | undefined {
  const diagnostics = ctx.scope.diagnostics;
  const before = diagnostics.length;
  verifyRoleVariables(d, ctx, diagnostics);

  const { data, latent } = ctx;
  const visible = d.role === "prior" ? undefined : d.role === "encoder" ? data : latent;
  const hidden = [data, latent].filter(
    (v): v is CheckedVariable => v !== undefined && v !== visible,
  );
  const scope: ExprScope = { ...ctx.scope, role: d.role, visible, hidden, locals: new Map() };

  const bindings: { name: string; value: CheckedExpr }[] = [];
  for (const b of d.bindings) {
    const value = checkTensorExpr(b.value, scope);
    const name = b.name.name;
    if (ctx.modelNames.has(name) || scope.locals.has(name)) {
      diagnostics.push(diagnostic("duplicate-declaration", b.name.span, { name }));
    }
    // Later uses see the binding even when its name was taken, so they are not reported
    // again as misuses of the other declaration.
    scope.locals.set(name, value);
    bindings.push({ name, value });
  }

  const callee = d.dist.callee;
  const signature = lookupDistribution(callee.name);
  if (signature === undefined) {
    diagnostics.push(
      diagnostic("unknown-distribution", callee.span, {
        name: callee.name,
        available: distributionNames().join(", "),
      }),
    );
  }
  const target = d.role === "decoder" ? data : latent;
  const supported =
    signature !== undefined && target !== undefined
      ? verifySupport(signature, target, d, diagnostics)
      : false;

  const params: Record<string, CheckedExpr> = {};
  const args = signature ? namedArguments(signature, d.dist, diagnostics) : [];
  const checkedArgs = new Set<Arg>();
  const shapes: Record<string, number[] | undefined> = {};
  for (const arg of args) {
    const value = checkTensorExpr(arg.value, scope);
    checkedArgs.add(arg);
    const name = arg.name!.name;
    params[name] = value;
    shapes[name] = tensorOperand(value, scope);
  }
  // A mixture's component count K comes from its component parameter as written.
  const components = signature ? componentCount(signature, shapes) : undefined;
  const mixture = signature?.paramShape === "components-and-event";
  for (const arg of args) {
    const name = arg.name!.name;
    const shape = shapes[name];
    if (mixture && components === undefined && name === signature?.componentParam) {
      if (shape !== undefined) {
        diagnostics.push(
          diagnostic("shape-mismatch", arg.value.span, {
            what: `parameter '${name}' of ${signature.name}`,
            expected: "[K], one score per mixture component",
            found: formatShape(shape),
          }),
        );
      }
      continue;
    }
    if (mixture && components === undefined) continue;
    if (shape !== undefined && supported && signature && target) {
      const required = requiredParamShape(signature, target, name, components);
      if (!broadcastsTo(shape, required) && !readsAsEvent(signature, shape, required)) {
        const flat = signature.paramShape === "event" && required.length >= 2;
        diagnostics.push(
          diagnostic("shape-mismatch", arg.value.span, {
            what: `parameter '${name}' of ${signature.name}`,
            expected:
              `${formatShape(required)} or a shape that broadcasts to it` +
              (flat ? `, or [${elementCount(required)}] read row-major` : ""),
            found: formatShape(shape),
          }),
        );
      }
    }
  }
  // Arguments rejected above still get their expressions checked, so all errors show.
  for (const arg of d.dist.args) if (!checkedArgs.has(arg)) checkTensorExpr(arg.value, scope);

  if (
    diagnostics.length > before ||
    signature === undefined ||
    data === undefined ||
    latent === undefined ||
    target === undefined
  ) {
    return undefined;
  }
  return {
    role: d.role,
    label: d.label.name,
    variable: target.name,
    given: d.role === "prior" ? null : d.role === "encoder" ? data.name : latent.name,
    dist: signature.name,
    params,
    bindings,
    span: d.span,
  };
}

/**
 * True when a parameter of shape `shape` is a vector of the variable's values in row-major
 * order (a net's [784] output for a binary[28, 28] image); lowering reshapes it. Only for
 * families whose parameters have the event shape itself.
 */
function readsAsEvent(signature: DistributionSignature, shape: Shape, required: Shape): boolean {
  return signature.paramShape === "event" && isFlatVectorOf(shape, required);
}

function verifyRoleVariables(
  d: DistributionDecl,
  ctx: DistributionContext,
  diagnostics: Diagnostic[],
): void {
  const { data, latent } = ctx;
  if (data === undefined || latent === undefined) return;
  const target = d.target.name;
  const given = d.given?.name;
  const found = given === undefined ? target : `${target}|${given}`;
  const span = d.given ? joinSpans(d.target.span, d.given.span) : d.target.span;
  if (d.role === "prior") {
    if (target !== latent.name) {
      diagnostics.push(
        diagnostic("prior-must-be-over-latent", d.target.span, {
          found: target,
          latent: latent.name,
        }),
      );
    }
    if (d.given !== undefined) {
      diagnostics.push(
        diagnostic("prior-must-be-unconditional", d.given.span, { latent: latent.name }),
      );
    }
  } else if (d.role === "encoder") {
    if (target !== latent.name || given !== data.name) {
      diagnostics.push(
        diagnostic("encoder-must-condition-on-data", span, {
          latent: latent.name,
          data: data.name,
          found,
        }),
      );
    }
  } else if (target !== data.name || given !== latent.name) {
    diagnostics.push(
      diagnostic("decoder-must-condition-on-latent", span, {
        latent: latent.name,
        data: data.name,
        found,
      }),
    );
  }
}

function verifySupport(
  signature: DistributionSignature,
  target: CheckedVariable,
  d: DistributionDecl,
  diagnostics: Diagnostic[],
): boolean {
  if (signature.support.includes(target.kind)) return true;
  const s = [...signature.support];
  const support = s.length === 1 ? s[0]! : s.slice(0, -1).join(", ") + " or " + s[s.length - 1];
  diagnostics.push(
    diagnostic("support-mismatch", d.dist.callee.span, {
      dist: signature.name,
      support,
      variable: target.name,
      type: formatCheckedType(target),
    }),
  );
  return false;
}

function quoteList(names: readonly string[], last: string): string {
  const q = names.map((n) => `'${n}'`);
  return q.length === 1 ? q[0]! : q.slice(0, -1).join(", ") + ` ${last} ` + q[q.length - 1];
}

/**
 * The distribution's named arguments that are well-formed: reports positional, unknown,
 * duplicate, missing and conflicting arguments against the signature's parameter groups.
 */
function namedArguments(
  signature: DistributionSignature,
  call: Call,
  diagnostics: Diagnostic[],
): Arg[] {
  const { args } = call;
  const callee = call.callee.name;
  const allowed = parameterNames(signature);
  const seen = new Map<string, Arg>();
  let rejected = 0;
  for (const arg of args) {
    if (arg.name === undefined) {
      rejected++;
      diagnostics.push(diagnostic("positional-argument", arg.span, { callee }));
    } else if (!allowed.includes(arg.name.name)) {
      rejected++;
      diagnostics.push(
        diagnostic("unknown-argument", arg.name.span, {
          name: arg.name.name,
          callee,
          allowed: allowed.join(", "),
        }),
      );
    } else if (seen.has(arg.name.name)) {
      diagnostics.push(diagnostic("duplicate-argument", arg.name.span, { name: arg.name.name }));
    } else {
      seen.set(arg.name.name, arg);
    }
  }
  for (const group of signature.paramGroups) {
    const given = group.filter((n) => seen.has(n));
    // A rejected argument was most likely meant as the missing one: say it once.
    if (given.length === 0 && rejected === 0) {
      diagnostics.push(
        diagnostic("missing-argument", call.span, {
          callee,
          expected: group.length === 1 ? `'${group[0]}'` : `one of ${quoteList(group, "or")}`,
        }),
      );
    } else if (given.length > 1) {
      diagnostics.push(
        diagnostic("conflicting-arguments", seen.get(given[1]!)!.span, {
          callee,
          names: quoteList(group, "and"),
        }),
      );
    }
  }
  return [...seen.values()];
}
