/**
 * Helpers for the tests of the expression language: a scope with `var` and `local`, and
 * assertions on values and on {@link ExprError}s (summary, detail, offset).
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { evalExpression, evalTemplate, ExprError, type Scope, type Value } from "./expr.ts";

/** A scope whose `var` root holds `vars`. */
export function scopeWith(vars: Record<string, Value> = {}, extra: Partial<Scope> = {}): Scope {
  return { variables: { var: vars, local: {} }, baseDir: "/nonexistent", allowFS: false, ...extra };
}

/** Evaluates a bare expression with `var` set to `vars`. */
export function run(
  src: string,
  vars: Record<string, Value> = {},
  extra: Partial<Scope> = {},
): Value {
  return evalExpression(src, scopeWith(vars, extra));
}

/** Evaluates template content with `var` set to `vars`. */
export function tmpl(src: string, vars: Record<string, Value> = {}): Value {
  return evalTemplate(src, scopeWith(vars));
}

/** What an expected error looks like; each field present is checked. */
export interface Expected {
  readonly summary?: string;
  readonly detail?: string;
  readonly offset?: number;
}

/** Asserts that `fn` throws an {@link ExprError} matching `want` (detail by inclusion). */
export function assertExprError(fn: () => unknown, want: Expected): ExprError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert(caught instanceof ExprError, `expected an ExprError, got ${String(caught)}`);
  const e = caught as ExprError;
  if (want.summary !== undefined) assertEquals(e.summary, want.summary, e.message);
  if (want.detail !== undefined) assertStringIncludes(e.detail, want.detail);
  if (want.offset !== undefined) assertEquals(e.offset, want.offset, e.message);
  return e;
}

/** Asserts that a function call fails with `Invalid value for "<param>" parameter: <detail>`. */
export function assertArgError(
  src: string,
  param: string,
  detail: string,
  vars?: Record<string, Value>,
) {
  return assertExprError(() => run(src, vars), {
    summary: "Invalid function argument",
    detail: `Invalid value for "${param}" parameter: ${detail}`,
  });
}

/** Asserts that a function call fails with `Call to function "<fn>" failed: <detail>`. */
export function assertCallError(
  src: string,
  fn: string,
  detail: string,
  extra: Partial<Scope> = {},
) {
  return assertExprError(() => run(src, {}, extra), {
    summary: "Error in function call",
    detail: `Call to function "${fn}" failed: ${detail}`,
  });
}
