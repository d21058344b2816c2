/**
 * Evaluates a parsed filter against a JSON datum (Nomad's API objects: PascalCase keys, nil
 * slices and maps as `null`), with go-bexpr's semantics:
 *
 * - The value written in the expression is converted to the type of the value selected:
 *   `Count == 3` compares numbers, `Stop == true` booleans (Go's `strconv.ParseBool`
 *   spellings), anything else compares strings.
 * - A key missing from a nested object is "not present": `==`, `in`, `matches`, `is not empty`
 *   and `is not nil` are false, their negations true. A field missing from the top-level
 *   object is an error (it names no field of the struct).
 * - A path through `null` (a nil pointer, map or slice) is not present either; go-bexpr
 *   would report the nil pointer as an error.
 * - `in`/`contains` look for a key in an object, an element in a list (elements of another
 *   type are skipped) or a substring in a string.
 *
 * @module
 */

import type { Binding, CollectionExpr, Expr, MatchExpr, Selector } from "./_bexpr_ast.ts";
import { BexprError } from "./_bexpr_error.ts";
import { parseGoBool } from "../structs/go_bool.ts";

/** A name bound by `any`/`all`: either to a path into the datum or to a map key / index. */
interface Local {
  readonly name: string;
  readonly path?: readonly string[];
  readonly value?: string | number;
}

const NOT_PRESENT = Symbol("not present");

/** go-bexpr's answer for an operator whose selector names a missing map key. */
const NOT_PRESENT_RESULT: Readonly<Record<MatchExpr["op"], boolean>> = {
  "==": false,
  "!=": true,
  "in": false,
  "not in": true,
  "is empty": true,
  "is not empty": false,
  "matches": false,
  "not matches": true,
  "is nil": true,
  "is not nil": false,
};

function pointer(path: readonly string[]): string {
  return "/" + path.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

/** The Go kind name of a JSON value, for messages. */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "ptr";
  if (Array.isArray(v)) return "slice";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float64";
    case "object":
      return "map";
    default:
      return typeof v;
  }
}

function selectorText(selector: Selector): string {
  return selector.type === "bexpr" ? selector.path.join(".") : selector.path.join("/");
}

/** Go's `strconv.ParseInt(raw, 0, 64)` (base prefixes and `_` separators), as a number. */
export function parseGoInt(raw: string): number | null {
  const sign = raw[0] === "-" || raw[0] === "+" ? raw[0] : "";
  let s = raw.slice(sign.length);
  let base = 10;
  let prefixed = true;
  if (/^0[xX]/.test(s)) base = 16;
  else if (/^0[oO]/.test(s)) base = 8;
  else if (/^0[bB]/.test(s)) base = 2;
  else prefixed = false;
  if (prefixed) s = s.slice(2);
  else if (s.length > 1 && s[0] === "0") {
    base = 8;
    prefixed = true;
    s = s.slice(1);
  }
  // Underscores must separate digits, or follow a base prefix.
  if (s.includes("_") && (s.includes("__") || s.endsWith("_") || (!prefixed && s[0] === "_"))) {
    return null;
  }
  s = s.replaceAll("_", "");
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base]!;
  if (!digits.test(s)) return null;
  const n = base === 10 ? Number(s) : parseInt(s, base);
  return sign === "-" ? -n : n;
}

/** Go's `strconv.ParseFloat(raw, 64)` for decimal, `inf` and `nan` spellings. */
export function parseGoFloat(raw: string): number | null {
  if (/^[+-]?(inf|infinity)$/i.test(raw)) return raw.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(raw)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return null;
  return Number(raw);
}

function coerceNumber(raw: string, actual: number): number | Error {
  const n = parseGoInt(raw) ?? parseGoFloat(raw);
  if (n !== null) return n;
  const fn = Number.isInteger(actual) ? "ParseInt" : "ParseFloat";
  return new Error(`strconv.${fn}: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

function coerceBool(raw: string): boolean | Error {
  return parseGoBool(raw) ??
    new Error(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

function equal(expr: MatchExpr, value: unknown): boolean {
  const raw = expr.raw ?? "";
  if (typeof value === "string") return value === raw;
  let coerced: unknown;
  if (typeof value === "number") coerced = coerceNumber(raw, value);
  else if (typeof value === "boolean") coerced = coerceBool(raw);
  else {
    throw new BexprError(
      `unable to find suitable primitive comparison function for matching: ` +
        `${selectorText(expr.selector)} is a ${kindOf(value)}`,
    );
  }
  if (coerced instanceof Error) {
    throw new BexprError(`error getting match value in expression: ${coerced.message}`);
  }
  return coerced === value;
}

function contains(expr: MatchExpr, value: unknown): boolean {
  const raw = expr.raw ?? "";
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.includes(raw);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === "string") {
        if (item === raw) return true;
      } else if (typeof item === "number") {
        const n = coerceNumber(raw, item);
        if (n === item) return true;
      } else if (typeof item === "boolean") {
        if (coerceBool(raw) === item) return true;
      } else if (item !== null && item !== undefined) {
        throw new BexprError(
          `unable to find suitable primitive comparison function for "in" comparison in ` +
            `interface slice: ${kindOf(item)}`,
        );
      }
    }
    return false;
  }
  if (typeof value === "object") return Object.hasOwn(value, raw);
  throw new BexprError(
    `cannot perform in/contains operations on type ${kindOf(value)} for selector: ` +
      JSON.stringify(selectorText(expr.selector)),
  );
}

function isEmpty(expr: MatchExpr, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  throw new BexprError(
    `cannot perform is-empty operations on type ${kindOf(value)} for selector: ` +
      JSON.stringify(selectorText(expr.selector)),
  );
}

function isNil(expr: MatchExpr, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "object") return false;
  throw new BexprError(
    `cannot perform is-nil operations on type ${kindOf(value)} for selector: ` +
      JSON.stringify(selectorText(expr.selector)),
  );
}

function matches(expr: MatchExpr, value: unknown): boolean {
  if (typeof value !== "string") {
    throw new BexprError(`value of type ${kindOf(value)} is not convertible to []byte`);
  }
  return expr.regexp!.test(value);
}

class Evaluator {
  readonly #datum: unknown;
  readonly #locals: Local[] = [];

  constructor(datum: unknown) {
    this.#datum = datum;
  }

  run(expr: Expr): boolean {
    switch (expr.kind) {
      case "and":
        return expr.operands.every((e) => this.run(e));
      case "or":
        return expr.operands.some((e) => this.run(e));
      case "not":
        return !this.run(expr.operand);
      case "match":
        return this.#match(expr);
      case "collection":
        return this.#collection(expr);
    }
  }

  /** Resolves a selector: the value, or NOT_PRESENT for a missing key under an object. */
  #lookup(selector: Selector): unknown {
    let path = selector.path;
    for (let i = this.#locals.length - 1; i >= 0; i--) {
      const local = this.#locals[i]!;
      if (path[0] !== local.name) continue;
      if (local.path === undefined) {
        if (path.length > 1) {
          throw new BexprError(
            `${pointer([local.name])} references a ${kindOf(local.value)} so ` +
              `${pointer(path)} is invalid`,
          );
        }
        return local.value;
      }
      path = [...local.path, ...path.slice(1)];
    }
    let current: unknown = this.#datum;
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      if (current === null || current === undefined) {
        if (i > 0) return NOT_PRESENT;
      } else if (Array.isArray(current)) {
        const index = /^\d+$/.test(part) ? Number(part) : NaN;
        if (!(index < current.length)) {
          throw new BexprError(
            `error finding value in datum: ${pointer(path)} at part ${i}: ` +
              (Number.isNaN(index)
                ? `failed to parse index ${JSON.stringify(part)}`
                : `index out of range: ${index}`),
          );
        }
        current = current[index];
        continue;
      } else if (typeof current === "object") {
        if (Object.hasOwn(current, part)) {
          current = (current as Record<string, unknown>)[part];
          continue;
        }
        if (i > 0 && i === path.length - 1) return NOT_PRESENT;
        const what = i === 0 ? "struct field with name" : "key";
        throw new BexprError(
          `error finding value in datum: ${pointer(path)} at part ${i}: ` +
            `couldn't find ${what} ${JSON.stringify(part)}`,
        );
      }
      throw new BexprError(
        `error finding value in datum: ${pointer(path)} at part ${i}: ` +
          `invalid value kind: ${kindOf(current)}`,
      );
    }
    return current === undefined ? null : current;
  }

  #match(expr: MatchExpr): boolean {
    const value = this.#lookup(expr.selector);
    if (value === NOT_PRESENT) return NOT_PRESENT_RESULT[expr.op];
    switch (expr.op) {
      case "==":
        return equal(expr, value);
      case "!=":
        return !equal(expr, value);
      case "in":
        return contains(expr, value);
      case "not in":
        return !contains(expr, value);
      case "is empty":
        return isEmpty(expr, value);
      case "is not empty":
        return !isEmpty(expr, value);
      case "is nil":
        return isNil(expr, value);
      case "is not nil":
        return !isNil(expr, value);
      case "matches":
        return matches(expr, value);
      case "not matches":
        return !matches(expr, value);
    }
  }

  #collection(expr: CollectionExpr): boolean {
    const value = this.#lookup(expr.selector);
    const all = expr.op === "all";
    if (value === NOT_PRESENT || value === null) return all;
    if (typeof value !== "object") {
      throw new BexprError(`${selectorText(expr.selector)} is not a list or a map`);
    }
    const base = this.#basePath(expr.selector);
    const entries: Array<[string | number, string]> = Array.isArray(value)
      ? value.map((_, i) => [i, String(i)])
      : Object.keys(value).map((k) => [k, k]);
    for (const [key, part] of entries) {
      const bound = this.#bind(expr.binding, Array.isArray(value), key, [...base, part]);
      this.#locals.push(...bound);
      let result: boolean;
      try {
        result = this.run(expr.inner);
      } finally {
        this.#locals.length -= bound.length;
      }
      if (result !== all) return result;
    }
    return all;
  }

  /** The selector's path with leading local names replaced by what they stand for. */
  #basePath(selector: Selector): readonly string[] {
    let path = selector.path;
    for (let i = this.#locals.length - 1; i >= 0; i--) {
      const local = this.#locals[i]!;
      if (path[0] === local.name && local.path !== undefined) {
        path = [...local.path, ...path.slice(1)];
      }
    }
    return path;
  }

  #bind(
    binding: Binding,
    isList: boolean,
    key: string | number,
    itemPath: readonly string[],
  ): Local[] {
    const out: Local[] = [];
    if (binding.default !== undefined) {
      out.push(
        isList ? { name: binding.default, path: itemPath } : { name: binding.default, value: key },
      );
    }
    if (binding.index !== undefined) out.push({ name: binding.index, value: key });
    if (binding.value !== undefined) out.push({ name: binding.value, path: itemPath });
    return out;
  }
}

/**
 * Evaluates `expr` against `datum`.
 *
 * @throws {BexprError} When the expression names a field the datum lacks or compares values
 * that cannot be compared.
 */
export function evaluateExpression(expr: Expr, datum: unknown): boolean {
  return new Evaluator(datum).run(expr);
}
