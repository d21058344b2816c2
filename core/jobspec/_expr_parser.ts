/**
 * The parser of HCL expressions (hclsyntax's grammar): operators with HCL's precedence,
 * conditionals, `for` expressions, splats, traversals, function calls, tuples, objects and
 * quoted or heredoc templates. Templates themselves are parsed by `_expr_template.ts`.
 *
 * @module
 */
import type { BinaryOp, Expr, ObjectItem, TraversalStep } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import { type Token, tokenize, type TokenType } from "./_expr_lexer.ts";
import { parseForExpr } from "./_expr_parser_for.ts";
import { parseTemplateParts, templateExpr } from "./_expr_template.ts";

/** Parses a bare HCL expression. @throws {ExprError} on a syntax error. */
export function parseExpression(src: string): Expr {
  const p = new Parser(tokenize(src, "expression"));
  const e = p.expression();
  const extra = p.peek();
  if (extra.type !== "eof") {
    throw new ExprError(
      extra.start,
      "Extra characters after expression",
      "An expression was successfully parsed, but extra characters were found after it.",
    );
  }
  return e;
}

/** Parses template content (the text between the quotes, already unescaped). */
export function parseTemplate(src: string): Expr {
  const p = new Parser(tokenize(src, "template"));
  const parts = parseTemplateParts(p, "eof");
  return templateExpr(parts, 0, src.length);
}

const LEVELS: readonly (readonly BinaryOp[])[] = [
  ["||"],
  ["&&"],
  ["==", "!="],
  [">", ">=", "<", "<="],
  ["+", "-"],
  ["*", "/", "%"],
];

/** A recursive-descent parser over a token list; newlines matter only between object items. */
export class Parser {
  readonly #toks: readonly Token[];
  #i = 0;
  readonly #newlines: boolean[] = [false];

  constructor(toks: readonly Token[]) {
    this.#toks = toks;
  }

  /** The next token (skipping newlines where they do not matter), `n` tokens ahead. */
  peek(n = 0): Token {
    const skip = !this.#newlines.at(-1);
    let i = this.#i;
    for (;;) {
      while (skip && this.#toks[i]!.type === "newline") i++;
      if (n === 0 || this.#toks[i]!.type === "eof") return this.#toks[i]!;
      n--;
      i++;
    }
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const t = this.peek();
    this.#i = this.#toks.indexOf(t, this.#i) + (t.type === "eof" ? 0 : 1);
    return t;
  }

  /** Consumes a token of `type` or throws `summary`/`detail` at the token found. */
  expect(type: TokenType, summary: string, detail: string): Token {
    const t = this.peek();
    if (t.type !== type) throw new ExprError(t.start, summary, detail);
    return this.next();
  }

  /** Runs `fn` with newlines significant (`true`) or skipped. */
  withNewlines<R>(significant: boolean, fn: () => R): R {
    this.#newlines.push(significant);
    try {
      return fn();
    } finally {
      this.#newlines.pop();
    }
  }

  /** Parses a full expression, conditional included. */
  expression(): Expr {
    const cond = this.#binary(0);
    if (this.peek().type !== "?") return cond;
    this.next();
    const ifTrue = this.expression();
    this.expect(
      ":",
      "Missing false expression in conditional",
      "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
    );
    const ifFalse = this.expression();
    return { type: "conditional", cond, ifTrue, ifFalse, start: cond.start, end: ifFalse.end };
  }

  #binary(level: number): Expr {
    if (level === LEVELS.length) return this.#unary();
    let left = this.#binary(level + 1);
    for (;;) {
      const op = this.peek().type as BinaryOp;
      if (!LEVELS[level]!.includes(op)) return left;
      this.next();
      const right = this.#binary(level + 1);
      left = { type: "binary", op, left, right, start: left.start, end: right.end };
    }
  }

  #unary(): Expr {
    const t = this.peek();
    if (t.type !== "-" && t.type !== "!") return this.#postfix(this.#primary());
    this.next();
    const operand = this.#unary();
    return { type: "unary", op: t.type, operand, start: t.start, end: operand.end };
  }

  #primary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case "number":
        this.next();
        return { type: "literal", value: Number(t.value), start: t.start, end: t.end };
      case "ident":
        return this.#identifier();
      case "oquote":
      case "oheredoc": {
        this.next();
        const close = t.type === "oquote" ? "cquote" : "cheredoc";
        const parts = parseTemplateParts(this, close);
        const end = this.peek();
        if (end.type !== close) {
          throw new ExprError(
            t.start,
            "Unterminated template string",
            "No closing marker was found for the string.",
          );
        }
        this.next();
        return templateExpr(parts, t.start, end.end);
      }
      case "(":
        return this.withNewlines(false, () => {
          this.next();
          const expr = this.expression();
          const close = this.expect(
            ")",
            "Unbalanced parentheses",
            "Expected a closing parenthesis to terminate the expression.",
          );
          return { type: "paren", expr, start: t.start, end: close.end };
        });
      case "[":
        return this.withNewlines(false, () => {
          this.next();
          if (this.#isFor()) return parseForExpr(this, t, "]");
          return this.#tuple(t);
        });
      case "{":
        if (this.#objectForFollows()) {
          return this.withNewlines(false, () => {
            this.next();
            return parseForExpr(this, t, "}");
          });
        }
        return this.withNewlines(true, () => this.#object(t));
    }
    throw new ExprError(
      t.start,
      "Invalid expression",
      t.type === "eof"
        ? "Expected the start of an expression, but found the end of the text."
        : `Expected the start of an expression, but found ${describe(t)}.`,
    );
  }

  #identifier(): Expr {
    const t = this.next();
    if (t.value === "true" || t.value === "false") {
      return { type: "literal", value: t.value === "true", start: t.start, end: t.end };
    }
    if (t.value === "null") return { type: "literal", value: null, start: t.start, end: t.end };
    if (this.peek().type !== "(") {
      return { type: "traversal", root: t.value, steps: [], start: t.start, end: t.end };
    }
    return this.withNewlines(false, () => {
      this.next();
      const args: Expr[] = [];
      let expand = false;
      while (this.peek().type !== ")") {
        args.push(this.expression());
        if (this.peek().type === "...") {
          this.next();
          expand = true;
          if (this.peek().type === ",") this.next();
          break;
        }
        if (this.peek().type !== ",") break;
        this.next();
      }
      const close = this.expect(
        ")",
        "Missing argument separator",
        "A comma is required to separate each function argument from the next.",
      );
      return { type: "call", name: t.value, args, expand, start: t.start, end: close.end };
    });
  }

  #isFor(): boolean {
    return this.peek().type === "ident" && this.peek().value === "for" &&
      this.peek(1).type === "ident";
  }

  /** Whether the `{` at hand opens an object `for` expression (newlines aside). */
  #objectForFollows(): boolean {
    return this.withNewlines(false, () => {
      const kw = this.peek(1);
      return kw.type === "ident" && kw.value === "for" && this.peek(2).type === "ident";
    });
  }

  #tuple(open: Token): Expr {
    const items: Expr[] = [];
    while (this.peek().type !== "]") {
      items.push(this.expression());
      if (this.peek().type !== ",") break;
      this.next();
    }
    const close = this.expect(
      "]",
      "Missing item separator",
      "Expected a comma to mark the beginning of the next item.",
    );
    return { type: "tuple", items, start: open.start, end: close.end };
  }

  #object(open: Token): Expr {
    this.next();
    const items: ObjectItem[] = [];
    for (;;) {
      while (this.peek().type === "newline") this.next();
      if (this.peek().type === "}") break;
      let key = this.expression();
      if (key.type === "traversal" && key.steps.length === 0) {
        key = { type: "literal", value: key.root, start: key.start, end: key.end };
      }
      const sep = this.peek();
      if (sep.type !== "=" && sep.type !== ":") {
        throw new ExprError(
          sep.start,
          "Missing key/value separator",
          'Expected an equals sign ("=") to mark the beginning of the attribute value.',
        );
      }
      this.next();
      items.push({ key, value: this.expression() });
      const after = this.peek();
      if (after.type === "," || after.type === "newline") this.next();
      else if (after.type !== "}") {
        throw new ExprError(
          after.start,
          "Missing attribute separator",
          "Expected a newline or comma to mark the beginning of the next attribute.",
        );
      }
    }
    const close = this.next();
    return { type: "object", items, start: open.start, end: close.end };
  }

  /** Applies `.attr`, `.0`, `[key]`, `.*` and `[*]` to `expr`. */
  #postfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.type === ".") {
        this.next();
        const name = this.peek();
        if (name.type === "ident") {
          this.next();
          expr = attrStep(expr, name.value, t.start, name.end);
        } else if (name.type === "number" && /^\d+(\.\d+)?$/.test(name.value)) {
          this.next();
          for (const part of name.value.split(".")) {
            expr = indexStep(expr, literal(Number(part), name), t.start, name.end);
          }
        } else if (name.type === "*") {
          this.next();
          let each: Expr = { type: "splatitem", start: name.start, end: name.end };
          while (this.peek().type === "." && this.peek(1).type === "ident") {
            const dot = this.next(), attr = this.next();
            each = attrStep(each, attr.value, dot.start, attr.end);
          }
          expr = { type: "splat", source: expr, each, start: expr.start, end: each.end };
        } else {
          throw new ExprError(
            name.start,
            "Invalid attribute name",
            "An attribute name is required after a dot.",
          );
        }
      } else if (t.type === "[") {
        this.next();
        if (this.peek().type === "*" && this.peek(1).type === "]") {
          this.next();
          const close = this.next();
          const each = this.#postfix({ type: "splatitem", start: t.start, end: close.end });
          return { type: "splat", source: expr, each, start: expr.start, end: each.end };
        }
        const key = this.withNewlines(false, () => this.expression());
        const close = this.expect(
          "]",
          "Missing close bracket on index",
          'The index operator must end with a closing bracket ("]").',
        );
        expr = indexStep(expr, key, t.start, close.end);
      } else return expr;
    }
  }
}

function literal(value: number, at: Token): Expr {
  return { type: "literal", value, start: at.start, end: at.end };
}

function attrStep(target: Expr, name: string, start: number, end: number): Expr {
  if (target.type === "traversal") {
    const step: TraversalStep = { kind: "attr", name, start, end };
    return { ...target, steps: [...target.steps, step], end };
  }
  return { type: "getattr", target, name, at: start, start: target.start, end };
}

function indexStep(target: Expr, key: Expr, start: number, end: number): Expr {
  const lit = literalKey(key);
  if (target.type === "traversal" && lit !== undefined) {
    const step: TraversalStep = { kind: "index", key: lit, start, end };
    return { ...target, steps: [...target.steps, step], end };
  }
  return { type: "index", target, key, at: start, start: target.start, end };
}

/** The value of a literal number or literal-only string key; undefined otherwise. */
function literalKey(key: Expr): number | string | undefined {
  if (key.type === "literal" && (typeof key.value === "number" || typeof key.value === "string")) {
    return key.value;
  }
  if (key.type === "template" && key.parts.every((p) => p.kind === "literal")) {
    return key.parts.map((p) => (p.kind === "literal" ? p.text : "")).join("");
  }
  return undefined;
}

function describe(t: Token): string {
  switch (t.type) {
    case "newline":
      return "a newline";
    case "seqend":
      return "the end of the interpolation";
    case "cquote":
      return "the end of the string";
    default:
      return JSON.stringify(t.value);
  }
}
