/**
 * The `for` expressions of HCL: `[for k, v in coll : value if cond]` and
 * `{for k, v in coll : key => value... if cond}`, parsed after their opening bracket.
 *
 * @module
 */
import type { Expr } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import type { Token } from "./_expr_lexer.ts";
import type { Parser } from "./_expr_parser.ts";

/**
 * Parses a `for` expression whose opening bracket `open` was consumed; the next token is the
 * `for` keyword.
 *
 * @throws {ExprError} `Invalid 'for' expression` with what is missing.
 */
export function parseForExpr(p: Parser, open: Token, closeType: "]" | "}"): Expr {
  const bad = (t: Token, detail: string) =>
    new ExprError(t.start, "Invalid 'for' expression", detail);
  p.next();
  const first = p.peek();
  if (first.type !== "ident") {
    throw bad(first, "For expression requires variable name after 'for'.");
  }
  p.next();
  let keyVar: string | null = null, valueVar = first.value;
  if (p.peek().type === ",") {
    p.next();
    const second = p.peek();
    if (second.type !== "ident") {
      throw bad(second, "For expression requires value variable name after comma.");
    }
    p.next();
    keyVar = first.value;
    valueVar = second.value;
  }
  const inTok = p.peek();
  if (inTok.type !== "ident" || inTok.value !== "in") {
    throw bad(inTok, "For expression requires the 'in' keyword after its name declarations.");
  }
  p.next();
  const collection = p.expression();
  const colon = p.peek();
  if (colon.type !== ":") {
    throw bad(colon, "The 'for' expression requires a colon after the collection expression.");
  }
  p.next();
  let keyExpr: Expr | null = null;
  if (closeType === "}") {
    keyExpr = p.expression();
    const arrow = p.peek();
    if (arrow.type !== "=>") {
      throw bad(arrow, "The key expression of an object 'for' must be followed by \"=>\".");
    }
    p.next();
  }
  const valueExpr = p.expression();
  let group = false;
  if (closeType === "}" && p.peek().type === "...") {
    p.next();
    group = true;
  }
  let cond: Expr | null = null;
  if (p.peek().type === "ident" && p.peek().value === "if") {
    p.next();
    cond = p.expression();
  }
  const close = p.peek();
  if (close.type !== closeType) {
    throw bad(
      close,
      `Extra characters after the end of the 'for' expression; expected "${closeType}".`,
    );
  }
  p.next();
  return {
    type: "for",
    keyVar,
    valueVar,
    collection,
    keyExpr,
    valueExpr,
    cond,
    group,
    start: open.start,
    end: close.end,
  };
}
