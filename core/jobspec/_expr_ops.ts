/**
 * HCL's operators on values, attribute access, indexing and string conversion for templates,
 * each raising HCL's diagnostics (`Invalid operand`, `Unsupported attribute`, `Invalid index`,
 * `Invalid template interpolation value`, ...) at the offset it is given.
 *
 * @module
 */
import type { BinaryOp } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import {
  ConversionError,
  convert,
  friendlyName,
  getKey,
  isMapValue,
  isObject,
  T,
  typeOf,
  type Value,
  valuesEqual,
} from "./_hcl_types.ts";

/** Throws an {@link ExprError}. */
export function fail(offset: number, summary: string, detail: string): never {
  throw new ExprError(offset, summary, detail);
}

/** The cty message of a conversion failure, rethrowing anything else. */
export function conversionMessage(err: unknown): string {
  if (err instanceof ConversionError) return err.message;
  throw err;
}

/** Operand positions of a binary operation, for error offsets. */
export interface OperandSpans {
  readonly start: number;
  readonly left: number;
  readonly right: number;
}

/** Applies a binary operator with HCL's conversions (numbers for arithmetic, bools for logic). */
export function binaryOp(op: BinaryOp, l: Value, r: Value, at: OperandSpans): Value {
  if (op === "==") return valuesEqual(l, r);
  if (op === "!=") return !valuesEqual(l, r);
  const want = op === "&&" || op === "||" ? T.bool : T.number;
  const lv = operand(l, want, "left", at.left), rv = operand(r, want, "right", at.right);
  if (lv === null || rv === null) {
    fail(at.start, "Operation failed", "Error during operation: argument must not be null.");
  }
  if (typeof lv === "boolean") return op === "&&" ? lv && (rv as boolean) : lv || (rv as boolean);
  const a = lv as number, b = rv as number;
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0 && (a === 0 || !Number.isFinite(a))) {
        fail(
          at.start,
          "Operation failed",
          "Error during operation: can't divide zero by zero or infinity by infinity.",
        );
      }
      return a / b;
    case "%":
      // cty: x % 0 is x, and an infinite operand gives an infinity of the product's sign.
      if (b === 0) return a;
      return Number.isFinite(a) && Number.isFinite(b) ? a % b : a * b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

function operand(v: Value, want: typeof T.bool | typeof T.number, side: string, at: number): Value {
  try {
    return convert(v, want);
  } catch (err) {
    return fail(
      at,
      "Invalid operand",
      `Unsuitable value for ${side} operand: ${conversionMessage(err)}.`,
    );
  }
}

/** Applies `!` or unary `-`. */
export function unaryOp(op: "!" | "-", v: Value, start: number, operandAt: number): Value {
  const want = op === "!" ? T.bool : T.number;
  let x: Value;
  try {
    x = convert(v, want);
  } catch (err) {
    return fail(
      operandAt,
      "Invalid operand",
      `Unsuitable value for unary operand: ${conversionMessage(err)}.`,
    );
  }
  if (x === null) {
    fail(start, "Operation failed", "Error during operation: argument must not be null.");
  }
  return op === "!" ? !x : -(x as number);
}

/** `v.name`, as HCL's attribute access. */
export function getAttr(v: Value, name: string, at: number): Value {
  if (v === null) {
    fail(
      at,
      "Attempt to get attribute from null value",
      "This value is null, so it does not have any attributes.",
    );
  }
  if (isObject(v)) {
    const x = getKey(v, name);
    if (x !== undefined) return x;
    if (isMapValue(v)) {
      fail(
        at,
        "Missing map element",
        `This map does not have an element with the key ${JSON.stringify(name)}.`,
      );
    }
    fail(
      at,
      "Unsupported attribute",
      `This object does not have an attribute named ${JSON.stringify(name)}.`,
    );
  }
  if (Array.isArray(v)) {
    fail(
      at,
      "Unsupported attribute",
      v.length > 0 && v.every(isObject)
        ? "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?"
        : "This value does not have any attributes.",
    );
  }
  return fail(
    at,
    "Unsupported attribute",
    `Can't access attributes on a primitive-typed value (${typeOf(v).kind}).`,
  );
}

const NO_ELEMENT = "The given key does not identify an element in this collection value";

/** `v[key]`, as HCL's index operator. */
export function indexValue(v: Value, key: Value, at: number): Value {
  if (v === null) {
    fail(at, "Attempt to index null value", "This value is null, so it does not have any indices.");
  }
  if (key === null) fail(at, "Invalid index", "Can't use a null value as an indexing key.");
  if (Array.isArray(v)) {
    let n: Value;
    try {
      n = convert(key, T.number);
    } catch (err) {
      return fail(at, "Invalid index", `${NO_ELEMENT}: ${conversionMessage(err)}.`);
    }
    const i = n as number;
    if (!Number.isInteger(i)) {
      fail(at, "Invalid index", `${NO_ELEMENT}: the given index is not a whole number.`);
    }
    if (i < 0) {
      fail(
        at,
        "Invalid index",
        `${NO_ELEMENT}: a negative number is not a valid index for a sequence.`,
      );
    }
    if (i >= v.length) {
      fail(
        at,
        "Invalid index",
        `${NO_ELEMENT}: the given index is greater than or equal to the length of the collection.`,
      );
    }
    return v[i]!;
  }
  if (isObject(v)) {
    let k: Value;
    try {
      k = convert(key, T.string);
    } catch (err) {
      return fail(at, "Invalid index", `${NO_ELEMENT}: ${conversionMessage(err)}.`);
    }
    const x = getKey(v, k as string);
    if (x === undefined) fail(at, "Invalid index", `${NO_ELEMENT}.`);
    return x;
  }
  return fail(at, "Invalid index", "This value does not have any indices.");
}

/** Converts an interpolated value to its text in a template. */
export function templateString(v: Value, at: number): string {
  if (v === null) {
    fail(
      at,
      "Invalid template interpolation value",
      "The expression result is null. Cannot include a null value in a string template.",
    );
  }
  if (typeof v === "object") {
    fail(
      at,
      "Invalid template interpolation value",
      "Cannot include the given value in a string template: string required.",
    );
  }
  return convert(v, T.string) as string;
}

/** Converts a condition (of `?:`, `%{if}`) to a bool. */
export function conditionValue(v: Value, at: number): boolean {
  if (v === null) {
    fail(
      at,
      "Null condition",
      "The condition value is null. Conditions must either be true or false.",
    );
  }
  try {
    return convert(v, T.bool) as boolean;
  } catch (err) {
    conversionMessage(err);
    return fail(at, "Incorrect condition type", "The condition expression must be of type bool.");
  }
}

/** cty's name for the type of a value, e.g. `string`, `tuple`, `object`. */
export function valueTypeName(v: Value): string {
  return friendlyName(typeOf(v));
}
