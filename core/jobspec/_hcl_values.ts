/**
 * HCL values as JSON-like data, and the helpers every part of the evaluator shares: cty's key
 * order, equality, set order, number formatting, and the marking of objects that are maps.
 *
 * @module
 */

/** A value of the HCL language, as JSON. Lists, sets and tuples are arrays. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** An object value. */
export type ObjectValue = { [key: string]: Value };

const MAP_VALUES = new WeakSet<object>();

/** Marks an object as a map (the result of a conversion to a map type). */
export function markMap<V extends ObjectValue>(obj: V): V {
  MAP_VALUES.add(obj);
  return obj;
}

/** Whether an object came from a conversion to a map type. */
export function isMapValue(v: Value): boolean {
  return typeof v === "object" && v !== null && MAP_VALUES.has(v);
}

/** Whether `v` is an object value (not null, not an array). */
export function isObject(v: Value | undefined): v is ObjectValue {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The keys of an object in cty's order (lexical). */
export function sortedKeys(obj: ObjectValue): string[] {
  return Object.keys(obj).sort(compareStrings);
}

/** Compares strings by code point, as Go compares UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ai = a[Symbol.iterator](), bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next(), y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Sets `obj[key]`, also for `__proto__`. */
export function setKey(obj: ObjectValue, key: string, value: Value): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else obj[key] = value;
}

/** Reads an own property of an object value. */
export function getKey(obj: ObjectValue, key: string): Value | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Builds an object value from entries, in cty's key order. */
export function objectFrom(entries: Iterable<readonly [string, Value]>): ObjectValue {
  const list = [...entries].sort((a, b) => compareStrings(a[0], b[0]));
  const out: ObjectValue = {};
  for (const [k, v] of list) setKey(out, k, v);
  return out;
}

/** Removes duplicates and orders the elements of a set as cty does (primitives sorted). */
export function toSetOrder(items: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.some((y) => valuesEqual(x, y))) out.push(x);
  if (out.every((x) => typeof x === "string")) return (out as string[]).sort(compareStrings);
  if (out.every((x) => typeof x === "number")) return (out as number[]).sort((a, b) => a - b);
  if (out.every((x) => typeof x === "boolean")) return out.sort((a, b) => Number(a) - Number(b));
  return out;
}

/** cty's equality: same type and same content; numbers compare by value. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, i) => valuesEqual(x, b[i]!));
  }
  const ak = sortedKeys(a), bk = sortedKeys(b);
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && valuesEqual(a[k]!, b[k]!));
}

/** Formats a number as cty converts it to a string: no exponent, no trailing zeros. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (Object.is(n, -0)) return "0";
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = "", expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  if (exp >= 0) {
    const intLen = 1 + exp;
    if (digits.length <= intLen) return sign + digits + "0".repeat(intLen - digits.length);
    return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}
