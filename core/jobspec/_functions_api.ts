/**
 * How HCL functions are declared: typed parameters (arguments are converted to them before the
 * call, as cty does), an optional variadic parameter, and the errors an implementation raises.
 *
 * @module
 */
import type { Expr } from "./_expr_ast.ts";
import { type HclType, type ObjectValue, T, type Value } from "./_hcl_types.ts";

/** What evaluation needs to know: variables, the job file's directory, file access. */
export interface Scope {
  /** The roots of variable references, normally `var` and `local` (objects). */
  variables: Record<string, Value>;
  /** The directory `file()` and friends resolve relative paths against. */
  baseDir: string;
  /** Whether filesystem functions (`file`, `fileexists`, ...) may run. */
  allowFS: boolean;
}

/** One parameter of a function. */
export interface Param {
  readonly name: string;
  readonly type: HclType;
  /** Whether `null` may be passed (it is refused otherwise). */
  readonly allowNull?: boolean;
}

/** What a function implementation may use besides its arguments. */
export interface CallContext {
  readonly scope: Scope;
  /** Evaluates template text with only `vars` as variables (for `templatefile`). */
  renderTemplate(text: string, vars: ObjectValue): Value;
}

/** A function whose arguments are evaluated and converted before the call. */
export interface FuncSpec {
  readonly params: readonly Param[];
  readonly varParam?: Param;
  readonly impl: (args: Value[], ctx: CallContext) => Value;
}

/** An argument of a lazy function: its expression and a way to evaluate it. */
export interface LazyArg {
  readonly expr: Expr;
  value(): Value;
}

/** A function that evaluates its own arguments (`try`, `can`, `convert`). */
export interface LazyFuncSpec {
  readonly params: readonly Param[];
  readonly varParam?: Param;
  readonly lazy: (args: readonly LazyArg[], ctx: CallContext) => Value;
}

/** Any function of the table. */
export type Func = FuncSpec | LazyFuncSpec;

/** A function failed: HCL reports `Call to function "f" failed: <message>.` */
export class FuncError extends Error {
  override readonly name = "FuncError";
}

/** One argument is unsuitable: HCL reports `Invalid value for "p" parameter: <message>.` */
export class ArgError extends Error {
  override readonly name = "ArgError";
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

/** A parameter declaration. */
export function param(name: string, type: HclType = T.any, allowNull = false): Param {
  return allowNull ? { name, type, allowNull } : { name, type };
}

/** A function of strings to a string. */
export function stringFunc(names: readonly string[], fn: (...args: string[]) => Value): FuncSpec {
  return {
    params: names.map((n) => param(n, T.string)),
    impl: (args) => fn(...(args as string[])),
  };
}

/** The grapheme clusters of a string, as cty counts characters. */
export function graphemes(s: string): string[] {
  return Array.from(SEGMENTER.segment(s), (x) => x.segment);
}

const SEGMENTER = new Intl.Segmenter("en", { granularity: "grapheme" });
