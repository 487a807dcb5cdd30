// Generated from grammar/parser.ts by `npm run grammar`; do not edit by hand.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface ProgramCstNode extends CstNode {
  name: "program";
  children: ProgramCstChildren;
}

export type ProgramCstChildren = {
  importDecl?: ImportDeclCstNode[];
  model?: ModelCstNode[];
  objectiveDef?: ObjectiveDefCstNode[];
};

export interface ImportDeclCstNode extends CstNode {
  name: "importDecl";
  children: ImportDeclCstChildren;
}

export type ImportDeclCstChildren = {
  Import: IToken[];
  path: IToken[];
};

export interface ObjectiveDefCstNode extends CstNode {
  name: "objectiveDef";
  children: ObjectiveDefCstChildren;
}

export type ObjectiveDefCstChildren = {
  Objective: IToken[];
  name: IToken[];
  LParen?: IToken[];
  params?: IToken[];
  Comma?: IToken[];
  RParen?: IToken[];
  Equals: IToken[];
  body: ExpressionCstNode[];
};

export interface ModelCstNode extends CstNode {
  name: "model";
  children: ModelCstChildren;
}

export type ModelCstChildren = {
  Model: IToken[];
  name: IToken[];
  LCurly: IToken[];
  declaration?: DeclarationCstNode[];
  RCurly: IToken[];
};

export interface DeclarationCstNode extends CstNode {
  name: "declaration";
  children: DeclarationCstChildren;
}

export type DeclarationCstChildren = {
  variableDecl?: VariableDeclCstNode[];
  paramDecl?: ParamDeclCstNode[];
  netDecl?: NetDeclCstNode[];
  distributionDecl?: DistributionDeclCstNode[];
  objectiveDecl?: ObjectiveDeclCstNode[];
  trainDecl?: TrainDeclCstNode[];
};

export interface VariableDeclCstNode extends CstNode {
  name: "variableDecl";
  children: VariableDeclCstChildren;
}

export type VariableDeclCstChildren = {
  Data?: IToken[];
  Latent?: IToken[];
  name: IToken[];
  Colon: IToken[];
  typeExpr: TypeExprCstNode[];
};

export interface ParamDeclCstNode extends CstNode {
  name: "paramDecl";
  children: ParamDeclCstChildren;
}

export type ParamDeclCstChildren = {
  Param: IToken[];
  name: IToken[];
  Colon: IToken[];
  typeExpr: TypeExprCstNode[];
  Equals?: IToken[];
  init?: ExpressionCstNode[];
};

export interface NetDeclCstNode extends CstNode {
  name: "netDecl";
  children: NetDeclCstChildren;
}

export type NetDeclCstChildren = {
  Net: IToken[];
  name: IToken[];
  Equals: IToken[];
  def: CallCstNode[];
};

export interface DistributionDeclCstNode extends CstNode {
  name: "distributionDecl";
  children: DistributionDeclCstChildren;
}

export type DistributionDeclCstChildren = {
  Prior?: IToken[];
  Encoder?: IToken[];
  Decoder?: IToken[];
  label: IToken[];
  LParen: IToken[];
  target: IToken[];
  Pipe?: IToken[];
  given?: IToken[];
  RParen: IToken[];
  Equals: IToken[];
  dist: CallCstNode[];
  whereClause?: WhereClauseCstNode[];
};

export interface WhereClauseCstNode extends CstNode {
  name: "whereClause";
  children: WhereClauseCstChildren;
}

export type WhereClauseCstChildren = {
  Where: IToken[];
  binding: BindingCstNode[];
  Comma?: IToken[];
};

export interface BindingCstNode extends CstNode {
  name: "binding";
  children: BindingCstChildren;
}

export type BindingCstChildren = {
  name: IToken[];
  Equals: IToken[];
  value: ExpressionCstNode[];
};

export interface ObjectiveDeclCstNode extends CstNode {
  name: "objectiveDecl";
  children: ObjectiveDeclCstChildren;
}

export type ObjectiveDeclCstChildren = {
  Objective: IToken[];
  expression: ExpressionCstNode[];
};

export interface TrainDeclCstNode extends CstNode {
  name: "trainDecl";
  children: TrainDeclCstChildren;
}

export type TrainDeclCstChildren = {
  Train: IToken[];
  LCurly: IToken[];
  trainEntry?: TrainEntryCstNode[];
  RCurly: IToken[];
};

export interface TrainEntryCstNode extends CstNode {
  name: "trainEntry";
  children: TrainEntryCstChildren;
}

export type TrainEntryCstChildren = {
  key: IToken[];
  Colon: IToken[];
  value: ExpressionCstNode[];
  Comma?: IToken[];
};

export interface TypeExprCstNode extends CstNode {
  name: "typeExpr";
  children: TypeExprCstChildren;
}

export type TypeExprCstChildren = {
  base: IToken[];
  LAngle?: IToken[];
  categories?: IToken[];
  RAngle?: IToken[];
  LSquare?: IToken[];
  dims?: IToken[];
  Comma?: IToken[];
  RSquare?: IToken[];
};

export interface CallCstNode extends CstNode {
  name: "call";
  children: CallCstChildren;
}

export type CallCstChildren = {
  callee: IToken[];
  LParen: IToken[];
  argumentList?: ArgumentListCstNode[];
  RParen: IToken[];
};

export interface ArgumentListCstNode extends CstNode {
  name: "argumentList";
  children: ArgumentListCstChildren;
}

export type ArgumentListCstChildren = {
  argument: ArgumentCstNode[];
  Comma?: IToken[];
};

export interface ArgumentCstNode extends CstNode {
  name: "argument";
  children: ArgumentCstChildren;
}

export type ArgumentCstChildren = {
  name?: IToken[];
  Colon?: IToken[];
  value: ExpressionCstNode[];
};

export interface ExpressionCstNode extends CstNode {
  name: "expression";
  children: ExpressionCstChildren;
}

export type ExpressionCstChildren = {
  items: AdditiveCstNode[];
  Arrow?: IToken[];
};

export interface AdditiveCstNode extends CstNode {
  name: "additive";
  children: AdditiveCstChildren;
}

export type AdditiveCstChildren = {
  operands: MultiplicativeCstNode[];
  operators?: IToken[];
};

export interface MultiplicativeCstNode extends CstNode {
  name: "multiplicative";
  children: MultiplicativeCstChildren;
}

export type MultiplicativeCstChildren = {
  operands: UnaryCstNode[];
  operators?: IToken[];
};

export interface UnaryCstNode extends CstNode {
  name: "unary";
  children: UnaryCstChildren;
}

export type UnaryCstChildren = {
  Minus?: IToken[];
  operand?: UnaryCstNode[];
  postfix?: PostfixCstNode[];
};

export interface PostfixCstNode extends CstNode {
  name: "postfix";
  children: PostfixCstChildren;
}

export type PostfixCstChildren = {
  primary: PrimaryCstNode[];
  Dot?: IToken[];
  members?: IToken[];
};

export interface PrimaryCstNode extends CstNode {
  name: "primary";
  children: PrimaryCstChildren;
}

export type PrimaryCstChildren = {
  NumberLiteral?: IToken[];
  StringLiteral?: IToken[];
  nameOrCall?: NameOrCallCstNode[];
  record?: RecordCstNode[];
  parenthesized?: ParenthesizedCstNode[];
};

export interface NameOrCallCstNode extends CstNode {
  name: "nameOrCall";
  children: NameOrCallCstChildren;
}

export type NameOrCallCstChildren = {
  name: IToken[];
  LParen?: IToken[];
  argumentList?: ArgumentListCstNode[];
  RParen?: IToken[];
};

export interface RecordCstNode extends CstNode {
  name: "record";
  children: RecordCstChildren;
}

export type RecordCstChildren = {
  LParen: IToken[];
  fields: RecordFieldCstNode[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface RecordFieldCstNode extends CstNode {
  name: "recordField";
  children: RecordFieldCstChildren;
}

export type RecordFieldCstChildren = {
  name: IToken[];
  Colon: IToken[];
  value: ExpressionCstNode[];
};

export interface ParenthesizedCstNode extends CstNode {
  name: "parenthesized";
  children: ParenthesizedCstChildren;
}

export type ParenthesizedCstChildren = {
  LParen: IToken[];
  expression: ExpressionCstNode[];
  RParen: IToken[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  program(children: ProgramCstChildren, param?: IN): OUT;
  importDecl(children: ImportDeclCstChildren, param?: IN): OUT;
  objectiveDef(children: ObjectiveDefCstChildren, param?: IN): OUT;
  model(children: ModelCstChildren, param?: IN): OUT;
  declaration(children: DeclarationCstChildren, param?: IN): OUT;
  variableDecl(children: VariableDeclCstChildren, param?: IN): OUT;
  paramDecl(children: ParamDeclCstChildren, param?: IN): OUT;
  netDecl(children: NetDeclCstChildren, param?: IN): OUT;
  distributionDecl(children: DistributionDeclCstChildren, param?: IN): OUT;
  whereClause(children: WhereClauseCstChildren, param?: IN): OUT;
  binding(children: BindingCstChildren, param?: IN): OUT;
  objectiveDecl(children: ObjectiveDeclCstChildren, param?: IN): OUT;
  trainDecl(children: TrainDeclCstChildren, param?: IN): OUT;
  trainEntry(children: TrainEntryCstChildren, param?: IN): OUT;
  typeExpr(children: TypeExprCstChildren, param?: IN): OUT;
  call(children: CallCstChildren, param?: IN): OUT;
  argumentList(children: ArgumentListCstChildren, param?: IN): OUT;
  argument(children: ArgumentCstChildren, param?: IN): OUT;
  expression(children: ExpressionCstChildren, param?: IN): OUT;
  additive(children: AdditiveCstChildren, param?: IN): OUT;
  multiplicative(children: MultiplicativeCstChildren, param?: IN): OUT;
  unary(children: UnaryCstChildren, param?: IN): OUT;
  postfix(children: PostfixCstChildren, param?: IN): OUT;
  primary(children: PrimaryCstChildren, param?: IN): OUT;
  nameOrCall(children: NameOrCallCstChildren, param?: IN): OUT;
  record(children: RecordCstChildren, param?: IN): OUT;
  recordField(children: RecordFieldCstChildren, param?: IN): OUT;
  parenthesized(children: ParenthesizedCstChildren, param?: IN): OUT;
}
