/**
 * The HCL2 expression and template language of job files, evaluated the way Nomad's
 * `jobspec2` does: HCL's syntax and operators, go-cty's functions and conversions, and Nomad's
 * rule that a reference to an unknown root (`attr.kernel.name`, `NOMAD_TASK_DIR`, `meta.x`)
 * evaluates to its own text in `${...}`, so runtime interpolations reach the client untouched.
 *
 * The texts evaluated are those `@cdktf/hcl2json` returns: template content whose literal parts
 * are already unescaped (only `$${` and `%%{` remain escapes) and whose `${...}` parts are HCL
 * source.
 *
 * @example
 * ```ts
 * const scope = { variables: { var: { n: 2 }, local: {} }, baseDir: ".", allowFS: false };
 * evalTemplate("${var.n + 1}", scope); // 3
 * evalTemplate("${NOMAD_TASK_DIR}/x-${var.n}", scope); // "${NOMAD_TASK_DIR}/x-2"
 * ```
 *
 * @module
 */
import { ExprError } from "./_expr_error.ts";
import { evaluate } from "./_expr_eval.ts";
import { parseExpression, parseTemplate } from "./_expr_parser.ts";
import type { Scope } from "./_functions_api.ts";
import { typeFromExpr } from "./_hcl_typeexpr.ts";
import { convert, type HclType, type Value } from "./_hcl_types.ts";

export { ExprError } from "./_expr_error.ts";
export type { Scope } from "./_functions_api.ts";
export { ConversionError, typeString } from "./_hcl_types.ts";
export type { HclType, Value } from "./_hcl_types.ts";

function guarded<R>(fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ExprError) throw err;
    if (err instanceof RangeError) {
      throw new ExprError(
        0,
        "Expression too complex",
        "The expression is nested too deeply to evaluate.",
        {
          cause: err,
        },
      );
    }
    throw new ExprError(0, "Internal error", `Evaluating the expression failed: ${String(err)}.`, {
      cause: err,
    });
  }
}

/**
 * Evaluates template content as `@cdktf/hcl2json` returns it. A template that is exactly one
 * interpolation (`${expr}`) gives the expression's value unconverted; any other gives a string.
 *
 * @throws {ExprError} for syntax and evaluation errors, with the offset in `text`.
 */
export function evalTemplate(text: string, scope: Scope): Value {
  return guarded(() => evaluate(parseTemplate(text), scope, text));
}

/**
 * Evaluates a bare HCL expression (a `-var` value of a complex type, a value in a var file).
 *
 * @throws {ExprError} for syntax and evaluation errors, with the offset in `source`.
 */
export function evalExpression(source: string, scope: Scope): Value {
  return guarded(() => evaluate(parseExpression(source), scope, source));
}

/** Options of {@link parseTypeExpression}. */
export interface TypeExpressionOptions {
  /**
   * Refuse `any` and `optional(...)`, as Nomad's `variable` blocks do (HCL's exact types).
   * By default both are accepted, as in a type constraint.
   */
  readonly exact?: boolean;
}

/**
 * Parses the type of a `variable { type = ... }`: `string`, `number`, `bool`, `any`,
 * `list(T)`, `set(T)`, `map(T)`, `tuple([...])`, `object({...})` with `optional(T)` attributes.
 *
 * @throws {ExprError} `Invalid type specification` with HCL's detail.
 */
export function parseTypeExpression(source: string, options: TypeExpressionOptions = {}): HclType {
  return guarded(() => typeFromExpr(parseExpression(source), options.exact ?? false));
}

/**
 * Converts a value to a type as HCL does: `"5"` to 5 for number, 5 to `"5"` for string,
 * `"true"` to true for bool, tuples to lists and sets, objects to maps and object types
 * (attributes the type lacks are dropped; missing optional ones become null).
 *
 * @throws {ConversionError} whose message says what was expected, in cty's words
 * (`a number is required`, `attribute "port" is required`, `element 1: string required`).
 */
export function convertValue(value: Value, type: HclType): Value {
  return convert(value, type);
}
