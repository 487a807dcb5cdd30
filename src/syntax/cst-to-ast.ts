import type { IToken } from "chevrotain";
import type {
  AdditiveCstNode,
  ArgumentCstNode,
  ArgumentListCstNode,
  BindingCstNode,
  CallCstNode,
  DeclarationCstNode,
  DistributionDeclCstNode,
  ExpressionCstNode,
  ImportDeclCstNode,
  ModelCstNode,
  MultiplicativeCstNode,
  NameOrCallCstNode,
  NetDeclCstNode,
  ObjectiveDeclCstNode,
  ObjectiveDefCstNode,
  ParamDeclCstNode,
  ParenthesizedCstNode,
  PostfixCstNode,
  PrimaryCstNode,
  ProgramCstNode,
  RecordCstNode,
  RecordFieldCstNode,
  TrainDeclCstNode,
  TrainEntryCstNode,
  TypeExprCstNode,
  UnaryCstNode,
  VariableDeclCstNode,
} from "../../grammar/cst.js";
import { StringLiteral } from "../../grammar/tokens.js";
import type { Position, Span } from "../diagnostics/span.js";
import type {
  Arg,
  Binding,
  Call,
  Decl,
  DistributionDecl,
  Expr,
  Ident,
  Import,
  Model,
  NetDecl,
  NodeBase,
  NumberLit,
  ObjectiveDecl,
  ObjectiveDef,
  ParamDecl,
  Program,
  RecordField,
  RecordLit,
  StringLit,
  TrainDecl,
  TrainEntry,
  TypeExpr,
  VariableDecl,
} from "./ast.js";

/**
 * CST → AST. Error recovery can leave any child of a CST node missing, or filled with a
 * token invented by single-token insertion (no position, empty image), whatever the
 * generated types claim. So every builder returns `undefined` for a node whose essential
 * parts are missing, and list builders drop those: the syntax diagnostics already explain
 * the gap. Spans are computed from real tokens only.
 */

type Located = IToken | NodeBase | Span | undefined;

/** A token that came from the source (not invented by recovery). */
function real(t: IToken | undefined): IToken | undefined {
  if (t === undefined || t.isInsertedInRecovery || Number.isNaN(t.startOffset)) return undefined;
  return t;
}

function first<T>(xs: readonly T[] | undefined): T | undefined {
  return xs?.[0];
}

function present<T>(xs: readonly (T | undefined)[]): T[] {
  return xs.filter((x): x is T => x !== undefined);
}

function isToken(x: IToken | NodeBase | Span): x is IToken {
  return (x as IToken).tokenType !== undefined;
}

function isSpan(x: NodeBase | Span): x is Span {
  return (x as Span).start !== undefined && (x as Span).file !== undefined;
}

export class AstBuilder {
  constructor(private readonly file: string) {}

  /** 1-based line/column, end exclusive, from chevrotain's inclusive token coordinates. */
  tokenSpan(t: IToken): Span | undefined {
    if (real(t) === undefined) return undefined;
    const start: Position = { offset: t.startOffset, line: t.startLine!, column: t.startColumn! };
    const end: Position = {
      offset: t.endOffset! + 1,
      line: t.endLine!,
      column: t.endColumn! + 1,
    };
    return { file: this.file, start, end };
  }

  /** The smallest span covering every located part; undefined when none is located. */
  cover(...parts: Located[]): Span | undefined {
    let start: Position | undefined;
    let end: Position | undefined;
    for (const part of parts) {
      if (part === undefined) continue;
      const s = isToken(part) ? this.tokenSpan(part) : isSpan(part) ? part : part.span;
      if (s === undefined) continue;
      if (start === undefined || s.start.offset < start.offset) start = s.start;
      if (end === undefined || s.end.offset > end.offset) end = s.end;
    }
    return start && end ? { file: this.file, start, end } : undefined;
  }

  ident(t: IToken | undefined): Ident | undefined {
    const tok = real(t);
    if (tok === undefined) return undefined;
    return { kind: "Ident", name: tok.image, span: this.tokenSpan(tok)! };
  }

  // ---- program ------------------------------------------------------------------------

  program(cst: ProgramCstNode, whole: Span): Program {
    const c = cst.children;
    return {
      kind: "Program",
      imports: present((c.importDecl ?? []).map((n) => this.importDecl(n))),
      models: present((c.model ?? []).map((n) => this.model(n))),
      objectives: present((c.objectiveDef ?? []).map((n) => this.objectiveDef(n))),
      span: whole,
    };
  }

  importDecl(cst: ImportDeclCstNode): Import | undefined {
    const c = cst.children;
    const path = this.stringLit(first(c.path));
    const span = this.cover(first(c.Import), path);
    if (path === undefined || span === undefined) return undefined;
    return { kind: "Import", path, span };
  }

  objectiveDef(cst: ObjectiveDefCstNode): ObjectiveDef | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const body = this.expression(first(c.body));
    const span = this.cover(first(c.Objective), name, body);
    if (name === undefined || body === undefined || span === undefined) return undefined;
    const params = present((c.params ?? []).map((t) => this.ident(t)));
    return { kind: "ObjectiveDef", name, params, body, span };
  }

  model(cst: ModelCstNode): Model | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const decls = present((c.declaration ?? []).map((n) => this.declaration(n)));
    const span = this.cover(first(c.Model), name, ...decls, first(c.RCurly));
    if (name === undefined || span === undefined) return undefined;
    return { kind: "Model", name, decls, span };
  }

  // ---- declarations -------------------------------------------------------------------

  declaration(cst: DeclarationCstNode): Decl | undefined {
    const c = cst.children;
    if (c.variableDecl) return this.variableDecl(c.variableDecl[0]!);
    if (c.paramDecl) return this.paramDecl(c.paramDecl[0]!);
    if (c.netDecl) return this.netDecl(c.netDecl[0]!);
    if (c.distributionDecl) return this.distributionDecl(c.distributionDecl[0]!);
    if (c.objectiveDecl) return this.objectiveDecl(c.objectiveDecl[0]!);
    if (c.trainDecl) return this.trainDecl(c.trainDecl[0]!);
    return undefined;
  }

  variableDecl(cst: VariableDeclCstNode): VariableDecl | undefined {
    const c = cst.children;
    const keyword = real(first(c.Data)) ?? real(first(c.Latent));
    const name = this.ident(first(c.name));
    const type = this.typeExpr(first(c.typeExpr));
    const span = this.cover(keyword, name, type);
    if (keyword === undefined || name === undefined || type === undefined || !span)
      return undefined;
    const role = c.Data ? "data" : "latent";
    return { kind: "VariableDecl", role, name, type, span };
  }

  paramDecl(cst: ParamDeclCstNode): ParamDecl | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const type = this.typeExpr(first(c.typeExpr));
    const init = this.expression(first(c.init));
    const span = this.cover(first(c.Param), name, type, init);
    if (name === undefined || type === undefined || span === undefined) return undefined;
    // `= ` with a broken initializer: dropping the declaration is better than silently
    // declaring a parameter without the initial value the user asked for.
    if (c.Equals && init === undefined) return undefined;
    return init === undefined
      ? { kind: "ParamDecl", name, type, span }
      : { kind: "ParamDecl", name, type, init, span };
  }

  netDecl(cst: NetDeclCstNode): NetDecl | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const def = this.call(first(c.def));
    const span = this.cover(first(c.Net), name, def);
    if (name === undefined || def === undefined || span === undefined) return undefined;
    return { kind: "NetDecl", name, def, span };
  }

  distributionDecl(cst: DistributionDeclCstNode): DistributionDecl | undefined {
    const c = cst.children;
    const role = c.Prior ? "prior" : c.Encoder ? "encoder" : "decoder";
    const keyword = real(first(c.Prior ?? c.Encoder ?? c.Decoder));
    const label = this.ident(first(c.label));
    const target = this.ident(first(c.target));
    const given = this.ident(first(c.given));
    const dist = this.call(first(c.dist));
    const where = first(c.whereClause);
    const bindings = present((where?.children.binding ?? []).map((b) => this.binding(b)));
    const span = this.cover(keyword, label, dist, ...bindings);
    if (!keyword || !label || !target || !dist || !span) return undefined;
    if (c.Pipe && given === undefined) return undefined;
    const decl: DistributionDecl = {
      kind: "DistributionDecl",
      role,
      label,
      target,
      dist,
      bindings,
      span,
    };
    if (given !== undefined) decl.given = given;
    return decl;
  }

  binding(cst: BindingCstNode): Binding | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const value = this.expression(first(c.value));
    const span = this.cover(name, value);
    if (name === undefined || value === undefined || span === undefined) return undefined;
    return { kind: "Binding", name, value, span };
  }

  objectiveDecl(cst: ObjectiveDeclCstNode): ObjectiveDecl | undefined {
    const c = cst.children;
    const expr = this.expression(first(c.expression));
    const span = this.cover(first(c.Objective), expr);
    if (expr === undefined || span === undefined) return undefined;
    return { kind: "ObjectiveDecl", expr, span };
  }

  trainDecl(cst: TrainDeclCstNode): TrainDecl | undefined {
    const c = cst.children;
    const entries = present((c.trainEntry ?? []).map((n) => this.trainEntry(n)));
    const span = this.cover(first(c.Train), ...entries, first(c.RCurly));
    if (span === undefined) return undefined;
    return { kind: "TrainDecl", entries, span };
  }

  trainEntry(cst: TrainEntryCstNode): TrainEntry | undefined {
    const c = cst.children;
    const key = this.ident(first(c.key));
    const value = this.expression(first(c.value));
    const span = this.cover(key, value);
    if (key === undefined || value === undefined || span === undefined) return undefined;
    return { kind: "TrainEntry", key, value, span };
  }

  typeExpr(cst: TypeExprCstNode | undefined): TypeExpr | undefined {
    if (cst === undefined) return undefined;
    const c = cst.children;
    const base = this.ident(first(c.base));
    if (base === undefined) return undefined;
    const categories = this.numberLit(first(c.categories));
    if (c.LAngle && categories === undefined) return undefined;
    const shape = present((c.dims ?? []).map((t) => this.numberLit(t)));
    if (c.LSquare && shape.length !== (c.dims?.length ?? 0)) return undefined;
    const span = this.cover(base, first(c.RAngle), ...shape, first(c.RSquare))!;
    return categories === undefined
      ? { kind: "TypeExpr", base, shape, span }
      : { kind: "TypeExpr", base, categories, shape, span };
  }

  // ---- expressions --------------------------------------------------------------------

  call(cst: CallCstNode | undefined): Call | undefined {
    if (cst === undefined) return undefined;
    const c = cst.children;
    return this.callFrom(first(c.callee), first(c.argumentList), first(c.RParen));
  }

  private callFrom(
    calleeToken: IToken | undefined,
    argList: ArgumentListCstNode | undefined,
    rparen: IToken | undefined,
  ): Call | undefined {
    const callee = this.ident(calleeToken);
    if (callee === undefined) return undefined;
    const argNodes = argList?.children.argument ?? [];
    const args = present(argNodes.map((a) => this.argument(a)));
    if (args.length !== argNodes.length) return undefined;
    const span = this.cover(callee, ...args, rparen)!;
    return { kind: "Call", callee, args, span };
  }

  argument(cst: ArgumentCstNode): Arg | undefined {
    const c = cst.children;
    const value = this.expression(first(c.value));
    if (value === undefined) return undefined;
    const name = this.ident(first(c.name));
    if (c.name && name === undefined) return undefined;
    const span = this.cover(name, value)!;
    return name === undefined ? { kind: "Arg", value, span } : { kind: "Arg", name, value, span };
  }

  expression(cst: ExpressionCstNode | undefined): Expr | undefined {
    if (cst === undefined) return undefined;
    const nodes = cst.children.items ?? [];
    const items = present(nodes.map((n) => this.additive(n)));
    if (items.length === 0 || items.length !== nodes.length) return undefined;
    if (items.length === 1) return items[0];
    return { kind: "Arrow", items, span: this.cover(...items)! };
  }

  additive(cst: AdditiveCstNode): Expr | undefined {
    const c = cst.children;
    return this.leftFold(
      (c.operands ?? []).map((n) => this.multiplicative(n)),
      c.operators ?? [],
    );
  }

  multiplicative(cst: MultiplicativeCstNode): Expr | undefined {
    const c = cst.children;
    return this.leftFold(
      (c.operands ?? []).map((n) => this.unary(n)),
      c.operators ?? [],
    );
  }

  /** `a op b op c` as `(a op b) op c`: every binary operator is left-associative. */
  private leftFold(operands: (Expr | undefined)[], operators: IToken[]): Expr | undefined {
    if (operands.length === 0 || operators.length !== operands.length - 1) return undefined;
    let acc = operands[0];
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i];
      const op = real(operators[i - 1]);
      if (acc === undefined || right === undefined || op === undefined) return undefined;
      const image = op.image as "+" | "-" | "*" | "/";
      acc = { kind: "Binary", op: image, left: acc, right, span: this.cover(acc, right)! };
    }
    return acc;
  }

  unary(cst: UnaryCstNode | undefined): Expr | undefined {
    if (cst === undefined) return undefined;
    const c = cst.children;
    if (c.Minus) {
      const operand = this.unary(first(c.operand));
      const span = this.cover(first(c.Minus), operand);
      if (operand === undefined || span === undefined) return undefined;
      return { kind: "Unary", op: "-", operand, span };
    }
    return this.postfix(first(c.postfix));
  }

  postfix(cst: PostfixCstNode | undefined): Expr | undefined {
    if (cst === undefined) return undefined;
    const c = cst.children;
    let acc = this.primary(first(c.primary));
    for (const t of c.members ?? []) {
      const member = this.ident(t);
      if (acc === undefined || member === undefined) return undefined;
      acc = { kind: "Member", object: acc, member, span: this.cover(acc, member)! };
    }
    if ((c.Dot?.length ?? 0) !== (c.members?.length ?? 0)) return undefined;
    return acc;
  }

  primary(cst: PrimaryCstNode | undefined): Expr | undefined {
    if (cst === undefined) return undefined;
    const c = cst.children;
    if (c.NumberLiteral) return this.numberLit(c.NumberLiteral[0]);
    if (c.StringLiteral) return this.stringLit(c.StringLiteral[0]);
    if (c.nameOrCall) return this.nameOrCall(c.nameOrCall[0]!);
    if (c.record) return this.record(c.record[0]!);
    if (c.parenthesized) return this.parenthesized(c.parenthesized[0]!);
    return undefined;
  }

  nameOrCall(cst: NameOrCallCstNode): Expr | undefined {
    const c = cst.children;
    if (c.LParen) return this.callFrom(first(c.name), first(c.argumentList), first(c.RParen));
    const name = this.ident(first(c.name));
    if (name === undefined) return undefined;
    return { kind: "Name", name: name.name, span: name.span };
  }

  record(cst: RecordCstNode): RecordLit | undefined {
    const c = cst.children;
    const nodes = c.fields ?? [];
    const fields = present(nodes.map((f) => this.recordField(f)));
    if (fields.length === 0 || fields.length !== nodes.length) return undefined;
    const span = this.cover(first(c.LParen), ...fields, first(c.RParen))!;
    return { kind: "RecordLit", fields, span };
  }

  recordField(cst: RecordFieldCstNode): RecordField | undefined {
    const c = cst.children;
    const name = this.ident(first(c.name));
    const value = this.expression(first(c.value));
    if (name === undefined || value === undefined) return undefined;
    return { kind: "RecordField", name, value, span: this.cover(name, value)! };
  }

  /** The parentheses are not a node; they widen the inner node's span so carets cover them. */
  parenthesized(cst: ParenthesizedCstNode): Expr | undefined {
    const c = cst.children;
    const inner = this.expression(first(c.expression));
    if (inner === undefined) return undefined;
    return { ...inner, span: this.cover(first(c.LParen), inner, first(c.RParen))! };
  }

  numberLit(t: IToken | undefined): NumberLit | undefined {
    const tok = real(t);
    if (tok === undefined) return undefined;
    return {
      kind: "NumberLit",
      value: Number(tok.image),
      text: tok.image,
      span: this.tokenSpan(tok)!,
    };
  }

  stringLit(t: IToken | undefined): StringLit | undefined {
    const tok = real(t);
    if (tok === undefined) return undefined;
    return { kind: "StringLit", value: stringValue(tok), span: this.tokenSpan(tok)! };
  }
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/**
 * The value of a string token. An unknown escape stands for the escaped character itself
 * (`"\q"` is `q`); an unterminated string (already reported) keeps what was written.
 */
export function stringValue(tok: IToken): string {
  const terminated = tok.tokenType === StringLiteral;
  const body = tok.image.slice(1, terminated ? -1 : undefined);
  return body.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|[\s\S]?)/g, (_, e: string) => {
    if (e.startsWith("u{")) {
      const code = parseInt(e.slice(2, -1), 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : e;
    }
    return ESCAPES[e] ?? e;
  });
}
