import type { IParserErrorMessageProvider, TokenType } from "chevrotain";
import { CstParser, EOF } from "./chevrotain.js";
import {
  AdditiveOperator,
  allTokens,
  Arrow,
  Colon,
  Comma,
  Data,
  Decoder,
  Dot,
  Encoder,
  Equals,
  Identifier,
  Import,
  LAngle,
  Latent,
  LCurly,
  LParen,
  LSquare,
  Minus,
  Model,
  MultiplicativeOperator,
  Net,
  NumberLiteral,
  Objective,
  Param,
  Pipe,
  Prior,
  RAngle,
  RCurly,
  RParen,
  RSquare,
  StringLiteral,
  Train,
  Where,
} from "./tokens.js";

/** Rules whose failure is best described as "expected an expression". */
const EXPRESSION_RULES = new Set([
  "expression",
  "additive",
  "multiplicative",
  "unary",
  "postfix",
  "primary",
]);

const DECLARATION =
  "a declaration (data, latent, param, net, prior, encoder, decoder, objective, train)";

/**
 * Where the expected token alone would mislead ("expected '}'" inside a model whose next
 * token is a misspelled keyword), say what may come there instead.
 */
const EXPECTED_OVERRIDES: Record<string, string> = {
  "program:EOF": "'model', 'objective' or 'import'",
  "model:RCurly": `${DECLARATION} or '}'`,
  "trainDecl:RCurly": "a train option (name: value) or '}'",
  "call:Identifier": "a call such as name(arguments)",
};

/** Rules whose closing bracket ends a comma-separated list. */
const LIST_RULES = new Set(["objectiveDef", "typeExpr", "call", "nameOrCall", "record"]);

function labelOf(t: TokenType): string {
  if (t === EOF) return "end of input";
  return t.LABEL ?? t.name;
}

/** "'a'", "'a' or 'b'", "'a', 'b' or 'c'" */
function alternatives(labels: readonly string[]): string {
  const unique = [...new Set(labels)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function firstTokens(paths: TokenType[][]): string[] {
  return paths.filter((p) => p.length > 0).map((p) => labelOf(p[0]!));
}

/**
 * The parser's "message" for each error is only the *expected* half, worded for humans;
 * the syntax stage pairs it with the offending token to build an `unexpected-token`
 * diagnostic, so message wording lives in one table (src/diagnostics/messages.ts).
 */
export const expectedMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, previous, ruleName }) {
    const override = EXPECTED_OVERRIDES[`${ruleName}:${expected.name}`];
    if (override !== undefined) return override;
    // A closing bracket after a list item: the user may have meant another item.
    if (LIST_RULES.has(ruleName) && (expected === RParen || expected === RSquare)) {
      const open = expected === RParen ? LParen : LSquare;
      if (previous.tokenType !== open) return `',' or ${labelOf(expected)}`;
    }
    return labelOf(expected);
  },
  buildNotAllInputParsedMessage({ ruleName }) {
    return EXPECTED_OVERRIDES[`${ruleName}:EOF`] ?? "end of input";
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, ruleName }) {
    if (EXPRESSION_RULES.has(ruleName)) return "an expression";
    if (ruleName === "declaration") return DECLARATION;
    return alternatives(expectedPathsPerAlt.flatMap(firstTokens));
  },
  buildEarlyExitMessage({ expectedIterationPaths, ruleName }) {
    if (EXPRESSION_RULES.has(ruleName)) return "an expression";
    return alternatives(firstTokens(expectedIterationPaths));
  },
};

/**
 * The .vae grammar. Rules are class properties so a misspelled rule name is a compile
 * error, and the CST types in cst.d.ts are generated from these definitions.
 *
 * The role declarations (prior/encoder/decoder) all accept `label(target | given?)`: the
 * parser stays lenient so the semantic checker can report `encoder q(z)` with a role
 * diagnostic instead of a bare syntax error.
 */
export class VaeParser extends CstParser {
  constructor() {
    super(allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "none",
      errorMessageProvider: expectedMessageProvider,
    });
    this.performSelfAnalysis();
  }

  public program = this.RULE("program", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.model) },
        { ALT: () => this.SUBRULE(this.objectiveDef) },
      ]);
    });
  });

  public importDecl = this.RULE("importDecl", () => {
    this.CONSUME(Import);
    this.CONSUME(StringLiteral, { LABEL: "path" });
  });

  public objectiveDef = this.RULE("objectiveDef", () => {
    this.CONSUME(Objective);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => {
        this.CONSUME2(Identifier, { LABEL: "params" });
        this.MANY(() => {
          this.CONSUME(Comma);
          this.CONSUME3(Identifier, { LABEL: "params" });
        });
      });
      this.CONSUME(RParen);
    });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: "body" });
  });

  public model = this.RULE("model", () => {
    this.CONSUME(Model);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.declaration));
    this.CONSUME(RCurly);
  });

  public declaration = this.RULE("declaration", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.variableDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.netDecl) },
      { ALT: () => this.SUBRULE(this.distributionDecl) },
      { ALT: () => this.SUBRULE(this.objectiveDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
    ]);
  });

  public variableDecl = this.RULE("variableDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(Data) }, { ALT: () => this.CONSUME(Latent) }]);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpr);
  });

  public paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(Param);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpr);
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.expression, { LABEL: "init" });
    });
  });

  public netDecl = this.RULE("netDecl", () => {
    this.CONSUME(Net);
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Equals);
    this.SUBRULE(this.call, { LABEL: "def" });
  });

  public distributionDecl = this.RULE("distributionDecl", () => {
    this.OR([
      { ALT: () => this.CONSUME(Prior) },
      { ALT: () => this.CONSUME(Encoder) },
      { ALT: () => this.CONSUME(Decoder) },
    ]);
    this.CONSUME(Identifier, { LABEL: "label" });
    this.CONSUME(LParen);
    this.CONSUME2(Identifier, { LABEL: "target" });
    this.OPTION(() => {
      this.CONSUME(Pipe);
      this.CONSUME3(Identifier, { LABEL: "given" });
    });
    this.CONSUME(RParen);
    this.CONSUME(Equals);
    this.SUBRULE(this.call, { LABEL: "dist" });
    this.OPTION2(() => this.SUBRULE(this.whereClause));
  });

  public whereClause = this.RULE("whereClause", () => {
    this.CONSUME(Where);
    this.SUBRULE(this.binding);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.binding);
    });
  });

  public binding = this.RULE("binding", () => {
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  public objectiveDecl = this.RULE("objectiveDecl", () => {
    this.CONSUME(Objective);
    this.SUBRULE(this.expression);
  });

  public trainDecl = this.RULE("trainDecl", () => {
    this.CONSUME(Train);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.trainEntry));
    this.CONSUME(RCurly);
  });

  public trainEntry = this.RULE("trainEntry", () => {
    this.CONSUME(Identifier, { LABEL: "key" });
    this.CONSUME(Colon);
    this.SUBRULE(this.expression, { LABEL: "value" });
    this.OPTION(() => this.CONSUME(Comma));
  });

  public typeExpr = this.RULE("typeExpr", () => {
    this.CONSUME(Identifier, { LABEL: "base" });
    this.OPTION(() => {
      this.CONSUME(LAngle);
      this.CONSUME(NumberLiteral, { LABEL: "categories" });
      this.CONSUME(RAngle);
    });
    this.OPTION2(() => {
      this.CONSUME(LSquare);
      this.CONSUME2(NumberLiteral, { LABEL: "dims" });
      this.MANY(() => {
        this.CONSUME(Comma);
        this.CONSUME3(NumberLiteral, { LABEL: "dims" });
      });
      this.CONSUME(RSquare);
    });
  });

  /** `f(args)`: the definition of a net or a distribution. */
  public call = this.RULE("call", () => {
    this.CONSUME(Identifier, { LABEL: "callee" });
    this.CONSUME(LParen);
    this.OPTION(() => this.SUBRULE(this.argumentList));
    this.CONSUME(RParen);
  });

  public argumentList = this.RULE("argumentList", () => {
    this.SUBRULE(this.argument);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.argument);
    });
  });

  public argument = this.RULE("argument", () => {
    this.OPTION(() => {
      this.CONSUME(Identifier, { LABEL: "name" });
      this.CONSUME(Colon);
    });
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  /** `a -> b -> c`: architectures; the loosest binding of all operators. */
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.additive, { LABEL: "items" });
    this.MANY(() => {
      this.CONSUME(Arrow);
      this.SUBRULE2(this.additive, { LABEL: "items" });
    });
  });

  public additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(AdditiveOperator, { LABEL: "operators" });
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  public multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(MultiplicativeOperator, { LABEL: "operators" });
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  public unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Minus);
          this.SUBRULE(this.unary, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  public postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME(Identifier, { LABEL: "members" });
    });
  });

  public primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
      {
        // `(name: ...` starts a record; a parenthesized expression never has ':' there.
        GATE: () => this.LA(2).tokenType === Identifier && this.LA(3).tokenType === Colon,
        ALT: () => this.SUBRULE(this.record),
      },
      { ALT: () => this.SUBRULE(this.parenthesized) },
    ]);
  });

  public nameOrCall = this.RULE("nameOrCall", () => {
    this.CONSUME(Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2(() => this.SUBRULE(this.argumentList));
      this.CONSUME(RParen);
    });
  });

  public record = this.RULE("record", () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.recordField, { LABEL: "fields" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.recordField, { LABEL: "fields" });
    });
    this.CONSUME(RParen);
  });

  public recordField = this.RULE("recordField", () => {
    this.CONSUME(Identifier, { LABEL: "name" });
    this.CONSUME(Colon);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  public parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(RParen);
  });
}
