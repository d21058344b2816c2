/**
 * The template half of the HCL parser: literal text, `${...}` interpolations and the
 * `%{if}/%{else}/%{endif}` and `%{for}/%{endfor}` directives, with `~` strip markers removing
 * the whitespace next to them.
 *
 * @module
 */
import type { Expr, TemplatePart } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import type { Token, TokenType } from "./_expr_lexer.ts";
import type { Parser } from "./_expr_parser.ts";

type Flat =
  | { readonly k: "lit"; text: string; readonly start: number; readonly end: number }
  | (Marked & { readonly k: "interp"; readonly expr: Expr })
  | (Marked & { readonly k: "if"; readonly cond: Expr })
  | (Marked & { readonly k: "else" | "endif" | "endfor" })
  | (Marked & {
    readonly k: "for";
    readonly keyVar: string | null;
    readonly valueVar: string;
    readonly collection: Expr;
  });

interface Marked {
  readonly start: number;
  readonly end: number;
  readonly stripBefore: boolean;
  readonly stripAfter: boolean;
}

/**
 * Parses template tokens up to (not including) a token of type `close`, applies strip markers
 * and nests directives.
 *
 * @throws {ExprError} for unknown or unbalanced directives.
 */
export function parseTemplateParts(p: Parser, close: TokenType): TemplatePart[] {
  const flat: Flat[] = [];
  for (;;) {
    const t = p.peek();
    if (t.type === close || t.type === "eof") break;
    p.next();
    if (t.type === "lit") {
      flat.push({ k: "lit", text: t.value, start: t.start, end: t.end });
    } else if (t.type === "interp") {
      const expr = p.withNewlines(false, () => p.expression());
      const end = seqEnd(p, "interpolation");
      flat.push({ k: "interp", expr, ...marks(t, end) });
    } else if (t.type === "control") {
      flat.push(directive(p, t));
    } else {
      throw new ExprError(
        t.start,
        "Invalid template",
        `Unexpected ${JSON.stringify(t.value)} in template.`,
      );
    }
  }
  strip(flat);
  const [parts, i] = nest(flat, 0);
  if (i < flat.length) {
    const f = flat[i]!;
    throw new ExprError(
      f.start,
      `Unexpected ${f.k} directive`,
      `The "${f.k}" directive here does not match any open "if" or "for" directive.`,
    );
  }
  return parts;
}

/**
 * The expression of a parsed template spanning `start..end`: a `wrap` when it is exactly one
 * interpolation, a `template` otherwise.
 */
export function templateExpr(parts: TemplatePart[], start: number, end: number): Expr {
  const only = parts[0];
  if (parts.length === 1 && only?.kind === "interp") {
    return { type: "wrap", expr: only.expr, start, end };
  }
  return { type: "template", parts, start, end };
}

function marks(open: Token, close: Token): Marked {
  return { start: open.start, end: close.end, stripBefore: open.strip, stripAfter: close.strip };
}

function seqEnd(p: Parser, what: string): Token {
  const t = p.peek();
  if (t.type === "seqend") return p.next();
  if (t.type === "eof") {
    throw new ExprError(
      t.start,
      `Unterminated template ${what}`,
      `There is no closing brace for this ${what} sequence before the end of the text.`,
    );
  }
  throw new ExprError(
    t.start,
    `Extra characters after ${what} expression`,
    `Expected a closing brace to end the ${what} expression, but found extra characters.`,
  );
}

function directive(p: Parser, open: Token): Flat {
  const kw = p.peek();
  const word = kw.type === "ident" ? kw.value : "";
  const bad = (t: Token, detail: string) =>
    new ExprError(t.start, "Invalid template directive", detail);
  switch (word) {
    case "if": {
      p.next();
      const cond = p.withNewlines(false, () => p.expression());
      return { k: "if", cond, ...marks(open, seqEnd(p, "directive")) };
    }
    case "else":
    case "endif":
    case "endfor":
      p.next();
      return { k: word, ...marks(open, seqEnd(p, "directive")) };
    case "for": {
      p.next();
      return p.withNewlines(false, () => {
        const first = p.peek();
        if (first.type !== "ident") throw bad(first, "A 'for' directive requires a variable name.");
        p.next();
        let keyVar: string | null = null, valueVar = first.value;
        if (p.peek().type === ",") {
          p.next();
          const second = p.peek();
          if (second.type !== "ident") {
            throw bad(second, "A value variable name is required after the comma.");
          }
          p.next();
          keyVar = first.value;
          valueVar = second.value;
        }
        const inTok = p.peek();
        if (inTok.type !== "ident" || inTok.value !== "in") {
          throw bad(inTok, "A 'for' directive requires the 'in' keyword after its variable names.");
        }
        p.next();
        const collection = p.expression();
        return { k: "for", keyVar, valueVar, collection, ...marks(open, seqEnd(p, "directive")) };
      });
    }
  }
  throw bad(
    kw,
    'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
  );
}

/** Applies `~` markers: trailing whitespace before `${~`, leading whitespace after `~}`. */
function strip(flat: Flat[]): void {
  for (const [i, f] of flat.entries()) {
    if (f.k === "lit") continue;
    const before = flat[i - 1], after = flat[i + 1];
    if (f.stripBefore && before?.k === "lit") before.text = before.text.trimEnd();
    if (f.stripAfter && after?.k === "lit") after.text = after.text.trimStart();
  }
}

/** Nests directives from `flat[i]` on; stops at an unmatched `else`/`endif`/`endfor`. */
function nest(flat: Flat[], i: number): [TemplatePart[], number] {
  const parts: TemplatePart[] = [];
  while (i < flat.length) {
    const f = flat[i]!;
    switch (f.k) {
      case "lit":
        if (f.text !== "") {
          parts.push({ kind: "literal", text: f.text, start: f.start, end: f.end });
        }
        i++;
        break;
      case "interp":
        parts.push({ kind: "interp", expr: f.expr, start: f.start, end: f.end });
        i++;
        break;
      case "if": {
        const [then, j] = nest(flat, i + 1);
        let els: TemplatePart[] = [], k = j;
        if (flat[k]?.k === "else") [els, k] = nest(flat, k + 1);
        const end = flat[k];
        if (end?.k !== "endif") throw unclosed(f, "if", "endif", end);
        parts.push({ kind: "if", cond: f.cond, then, else: els, start: f.start, end: end.end });
        i = k + 1;
        break;
      }
      case "for": {
        const [body, j] = nest(flat, i + 1);
        const end = flat[j];
        if (end?.k !== "endfor") throw unclosed(f, "for", "endfor", end);
        parts.push({
          kind: "for",
          keyVar: f.keyVar,
          valueVar: f.valueVar,
          collection: f.collection,
          body,
          start: f.start,
          end: end.end,
        });
        i = j + 1;
        break;
      }
      default:
        return [parts, i];
    }
  }
  return [parts, i];
}

function unclosed(open: Flat, kw: string, want: string, found: Flat | undefined): ExprError {
  if (found) {
    return new ExprError(
      found.start,
      `Unexpected ${found.k} directive`,
      `Expected an "${want}" directive to close the "${kw}" directive, but found "${found.k}".`,
    );
  }
  return new ExprError(
    open.start,
    `Unterminated template ${kw} directive`,
    `There is no "${want}" directive to close this "${kw}" directive.`,
  );
}
