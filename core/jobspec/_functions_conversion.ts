/**
 * Conversion functions: HCL's `try` and `can` (they evaluate their arguments themselves and
 * catch only evaluation errors), `convert(value, type)` (a type expression as second argument)
 * and Terraform's `tostring`, `tonumber`, `tobool`, `tolist`, `tomap`, `toset`.
 *
 * @module
 */
import { ExprError } from "./_expr_error.ts";
import { ArgError, type Func, FuncError, type LazyArg, param } from "./_functions_api.ts";
import { typeFromExpr } from "./_hcl_typeexpr.ts";
import {
  ConversionError,
  convert,
  friendlyName,
  type HclType,
  mismatchMessage,
  T,
  typeOf,
  type Value,
} from "./_hcl_types.ts";

function tryArgs(args: readonly LazyArg[]): Value {
  if (args.length === 0) throw new FuncError("at least one argument is required");
  const problems: string[] = [];
  for (const a of args) {
    try {
      return a.value();
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      problems.push(`- ${err.summary}\n  ${err.detail}\n`);
    }
  }
  throw new FuncError(
    `no expression succeeded:\n${
      problems.join("")
    }\nAt least one expression must produce a successful result`,
  );
}

function canArg([a]: readonly LazyArg[]): Value {
  try {
    a!.value();
    return true;
  } catch (err) {
    if (err instanceof ExprError) return false;
    throw err;
  }
}

function convertArgs([value, type]: readonly LazyArg[]): Value {
  const want = typeFromExpr(type!.expr);
  const v = value!.value();
  try {
    return convert(v, want);
  } catch (err) {
    if (err instanceof ConversionError) throw new ArgError(0, err.message);
    throw err;
  }
}

/** Terraform's `to*` conversion, with its messages. */
function makeTo(want: HclType): Func {
  return {
    params: [param("v", T.any, true)],
    impl: ([v]) => {
      const got = typeOf(v!);
      const cannot = `cannot convert ${friendlyName(got)} to ${friendlyName(want, true)}`;
      if (mismatchMessage(got, want) !== null) throw new ArgError(0, cannot);
      try {
        return convert(v!, want);
      } catch (err) {
        if (!(err instanceof ConversionError)) throw err;
        if (typeof v === "string" && want.kind === "bool") {
          throw new ArgError(
            0,
            `cannot convert ${
              JSON.stringify(v)
            } to bool; only the strings "true" or "false" are allowed`,
          );
        }
        if (typeof v === "string" && want.kind === "number") {
          throw new ArgError(
            0,
            `cannot convert ${
              JSON.stringify(v)
            } to number; given string must be a decimal representation of a number`,
          );
        }
        throw new ArgError(0, cannot);
      }
    },
  };
}

/** The conversion functions by name. */
export const CONVERSION_FUNCTIONS: ReadonlyMap<string, Func> = new Map<string, Func>([
  ["try", { params: [], varParam: param("expressions", T.any, true), lazy: tryArgs }],
  ["can", { params: [param("expression", T.any, true)], lazy: canArg }],
  ["convert", { params: [param("value", T.any, true), param("type")], lazy: convertArgs }],
  ["tostring", makeTo(T.string)],
  ["tonumber", makeTo(T.number)],
  ["tobool", makeTo(T.bool)],
  ["tolist", makeTo(T.list(T.any))],
  ["tomap", makeTo(T.map(T.any))],
  ["toset", makeTo(T.set(T.any))],
]);
