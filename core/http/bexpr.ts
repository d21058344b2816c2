/**
 * Nomad's filter expressions (`?filter=`), a TypeScript implementation of hashicorp/go-bexpr
 * evaluated over API JSON objects.
 *
 * Syntax: `Selector == value`, `!=`, `value in Selector`, `not in`, `Selector contains value`,
 * `not contains`, `is empty`, `is not empty`, `is nil`, `is not nil`, `matches "regexp"`,
 * `not matches`, combined with `and`, `or`, `not` and parentheses; `any`/`all` over a list or
 * map (`any TaskGroups as g { g.Name == web }`). Selectors are dotted field names
 * (`Job.Status`), with `["key"]` for map keys (`Meta["owner-team"]`), `.0` for list indices, or a
 * quoted JSON pointer (`"/Meta/owner-team"`). Values are unquoted words (`running`), numbers,
 * `"double-quoted"` (Go escapes) or `` `raw` `` strings.
 *
 * @example
 * ```ts
 * const filter = compileFilter('Status == running and "web" in Tags');
 * filter.matches({ Status: "running", Tags: ["web", "db"] }); // true
 * ```
 *
 * @module
 */

import type { Expr } from "./_bexpr_ast.ts";
import { BexprError } from "./_bexpr_error.ts";
import { evaluateExpression } from "./_bexpr_eval.ts";
import { parseExpression } from "./_bexpr_parser.ts";

export { BexprError } from "./_bexpr_error.ts";
export type { BexprPosition } from "./_bexpr_error.ts";

/** A compiled filter expression. Compile once per request, evaluate per object. */
export interface Filter {
  /** The expression as given. */
  readonly expression: string;
  /**
   * Whether `datum` satisfies the expression.
   *
   * @throws {BexprError} When the datum lacks a top-level field the expression names, or a
   * value cannot be compared as asked (`Tags == x` on a list).
   */
  matches(datum: unknown): boolean;
}

class CompiledFilter implements Filter {
  readonly expression: string;
  readonly #ast: Expr;

  constructor(expression: string, ast: Expr) {
    this.expression = expression;
    this.#ast = ast;
  }

  matches(datum: unknown): boolean {
    try {
      return evaluateExpression(this.#ast, datum);
    } catch (e) {
      if (e instanceof BexprError) throw e;
      // Anything else (say, a stack overflow on a pathological datum) still surfaces as ours.
      throw new BexprError(`failed to evaluate filter: ${(e as Error).message}`, undefined, {
        cause: e,
      });
    }
  }
}

/**
 * Parses a filter expression.
 *
 * @param expression The text of `?filter=`.
 * @returns A filter to test objects with.
 * @throws {BexprError} When the text is not a valid expression; the message starts with
 * `line:column (offset):`.
 *
 * @example
 * ```ts
 * compileFilter("Meta.env == prod").matches({ Meta: { env: "prod" } }); // true
 * compileFilter("Count == "); // throws BexprError "1:9 (8): no match found, expected: ..."
 * ```
 */
export function compileFilter(expression: string): Filter {
  let ast: Expr;
  try {
    ast = parseExpression(expression);
  } catch (e) {
    if (e instanceof BexprError) throw e;
    throw new BexprError(`failed to parse filter: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
  return new CompiledFilter(expression, ast);
}
