/**
 * HCL's values and types as go-cty sees them: the JSON-like {@link Value}, the {@link HclType}
 * of a `variable { type = ... }`, conversion between them with cty's rules and messages, and
 * type unification for conditionals and `list(any)`.
 *
 * Values carry no static type: an array is a tuple, an object an object, `null` a null of any
 * type. Objects converted to a map type are remembered (see {@link isMapValue}) so attribute
 * access can say `Missing map element` as HCL does.
 *
 * @module
 */

import {
  formatNumber,
  getKey,
  isMapValue,
  markMap,
  objectFrom,
  type ObjectValue,
  sortedKeys,
  toSetOrder,
  type Value,
} from "./_hcl_values.ts";

export * from "./_hcl_values.ts";

/** A type of HCL's type system (`string`, `list(number)`, `object({a = string})`, ...). */
export type HclType =
  | { readonly kind: "string" | "number" | "bool" | "any" }
  | { readonly kind: "list" | "set" | "map"; readonly element: HclType }
  | { readonly kind: "tuple"; readonly elements: readonly HclType[] }
  | {
    readonly kind: "object";
    readonly attributes: Readonly<Record<string, HclType>>;
    /** Names of the attributes declared with `optional(...)`. */
    readonly optional: readonly string[];
  };

/** The primitive types and `any`. */
export const T = {
  string: { kind: "string" },
  number: { kind: "number" },
  bool: { kind: "bool" },
  any: { kind: "any" },
  list: (element: HclType): HclType => ({ kind: "list", element }),
  set: (element: HclType): HclType => ({ kind: "set", element }),
  map: (element: HclType): HclType => ({ kind: "map", element }),
} as const satisfies Record<string, HclType | ((t: HclType) => HclType)>;

/** A value could not be converted; `message` is cty's, e.g. `string required`. */
export class ConversionError extends Error {
  override readonly name = "ConversionError";
}

/** The type of a value: arrays are tuples, objects are objects, `null` is `any`. */
export function typeOf(v: Value): HclType {
  if (v === null) return T.any;
  switch (typeof v) {
    case "string":
      return T.string;
    case "number":
      return T.number;
    case "boolean":
      return T.bool;
  }
  if (Array.isArray(v)) return { kind: "tuple", elements: v.map(typeOf) };
  if (isMapValue(v)) {
    const ety = unifyTypes(Object.values(v).map(typeOf));
    if (ety) return T.map(ety);
  }
  const attributes: Record<string, HclType> = {};
  for (const k of sortedKeys(v)) attributes[k] = typeOf(v[k]!);
  return { kind: "object", attributes, optional: [] };
}

/** Whether two types are the same. */
export function typeEquals(a: HclType, b: HclType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "list":
    case "set":
    case "map":
      return typeEquals(a.element, (b as typeof a).element);
    case "tuple": {
      const be = (b as typeof a).elements;
      return a.elements.length === be.length && a.elements.every((t, i) => typeEquals(t, be[i]!));
    }
    case "object": {
      const bo = b as typeof a;
      const ak = Object.keys(a.attributes).sort(), bk = Object.keys(bo.attributes).sort();
      return ak.length === bk.length &&
        ak.every((k, i) => k === bk[i] && typeEquals(a.attributes[k]!, bo.attributes[k]!)) &&
        [...a.optional].sort().join("\0") === [...bo.optional].sort().join("\0");
    }
    default:
      return true;
  }
}

/** cty's name of a type in messages: `string`, `list of number`, `tuple`, `object`. */
export function friendlyName(t: HclType, constraint = false): string {
  switch (t.kind) {
    case "any":
      return constraint ? "any type" : "dynamic";
    case "list":
    case "set":
    case "map":
      if (constraint && t.element.kind === "any") return `${t.kind} of any single type`;
      return `${t.kind} of ${friendlyName(t.element, constraint)}`;
    default:
      return t.kind;
  }
}

/** The HCL source of a type: `list(string)`, `object({a=number})`. */
export function typeString(t: HclType): string {
  switch (t.kind) {
    case "list":
    case "set":
    case "map":
      return `${t.kind}(${typeString(t.element)})`;
    case "tuple":
      return `tuple([${t.elements.map(typeString).join(", ")}])`;
    case "object": {
      const attrs = Object.keys(t.attributes).sort().map((k) => {
        const s = typeString(t.attributes[k]!);
        return `${k}=${t.optional.includes(k) ? `optional(${s})` : s}`;
      });
      return `object({${attrs.join(", ")}})`;
    }
    default:
      return t.kind;
  }
}

const PRIMITIVE = new Set(["string", "number", "bool"]);

/**
 * The type all of `types` convert to, as cty's unification: nulls (`any`) are ignored; objects
 * with the same attributes unify attribute by attribute, other objects to a map; tuples of one
 * length unify element by element, others to a list; otherwise the first of the given types
 * (strings first, then numbers, bools) that all convert to. `null` when there is none.
 */
export function unifyTypes(types: readonly HclType[]): HclType | null {
  const known = types.filter((t) => t.kind !== "any");
  if (known.length === 0) return T.any;
  const first = known[0]!;
  if (known.every((t) => typeEquals(t, first))) return first;
  const objects = known.filter((t) => t.kind === "object");
  const tuples = known.filter((t) => t.kind === "tuple");
  if (objects.length > 0 && tuples.length > 0) return null;
  if (objects.length === known.length) return unifyObjects(objects);
  if (tuples.length === known.length) return unifyTuples(tuples);
  const order = ["string", "number", "bool"];
  const rank = (t: HclType) => (order.includes(t.kind) ? order.indexOf(t.kind) : order.length);
  for (const want of [...known].sort((a, b) => rank(a) - rank(b))) {
    if (known.every((t) => typeEquals(t, want) || mismatchMessage(t, want) === null)) return want;
  }
  return null;
}

function unifyObjects(objs: Extract<HclType, { kind: "object" }>[]): HclType | null {
  const names = Object.keys(objs[0]!.attributes).sort().join("\0");
  if (!objs.every((o) => Object.keys(o.attributes).sort().join("\0") === names)) {
    const ety = unifyTypes(objs.flatMap((o) => Object.values(o.attributes)));
    return ety ? T.map(ety) : null;
  }
  const attributes: Record<string, HclType> = {};
  for (const k of Object.keys(objs[0]!.attributes)) {
    const u = unifyTypes(objs.map((o) => o.attributes[k]!));
    if (!u) return null;
    attributes[k] = u;
  }
  return { kind: "object", attributes, optional: [] };
}

function unifyTuples(tuples: Extract<HclType, { kind: "tuple" }>[]): HclType | null {
  const n = tuples[0]!.elements.length;
  if (!tuples.every((t) => t.elements.length === n)) {
    const ety = unifyTypes(tuples.flatMap((t) => t.elements));
    return ety ? T.list(ety) : null;
  }
  const elements: HclType[] = [];
  for (let i = 0; i < n; i++) {
    const u = unifyTypes(tuples.map((t) => t.elements[i]!));
    if (!u) return null;
    elements.push(u);
  }
  return { kind: "tuple", elements };
}

/**
 * Why a value of type `got` cannot convert to `want`, in cty's words, or `null` when a
 * conversion exists (it may still fail on the value, e.g. `"abc"` to number).
 */
export function mismatchMessage(got: HclType, want: HclType): string | null {
  if (want.kind === "any" || got.kind === "any") return null;
  if (PRIMITIVE.has(want.kind)) {
    if (got.kind === want.kind) return null;
    if (want.kind === "string" && PRIMITIVE.has(got.kind)) return null;
    if (got.kind === "string") return null;
    return `${friendlyName(want, true)} required`;
  }
  switch (want.kind) {
    case "list":
    case "set":
    case "map":
      return collectionMismatch(got, want);
    case "tuple": {
      if (got.kind !== "tuple" && got.kind !== "list" && got.kind !== "set") {
        return "tuple required";
      }
      if (got.kind !== "tuple") return null;
      if (got.elements.length !== want.elements.length) return "tuple required";
      return got.elements.every((t, i) => mismatchMessage(t, want.elements[i]!) === null)
        ? null
        : "tuple required";
    }
    case "object":
      if (got.kind === "map") return null;
      if (got.kind !== "object") return "object required";
      return objectMismatch(got, want);
  }
  return `${friendlyName(want, true)} required`;
}

function collectionMismatch(
  got: HclType,
  want: Extract<HclType, { kind: "list" | "set" | "map" }>,
): string | null {
  const required = `${friendlyName(want, true)} required`;
  const ety = want.element;
  if (want.kind === "map") {
    if (got.kind === "map") return elementMismatch("map", got.element, ety);
    if (got.kind !== "object") return required;
    if (ety.kind === "any") {
      return unifyTypes(Object.values(got.attributes))
        ? null
        : "all map elements must have the same type";
    }
    for (const k of Object.keys(got.attributes).sort()) {
      const m = mismatchMessage(got.attributes[k]!, ety);
      if (m) return `element ${JSON.stringify(k)}: ${m}`;
    }
    return null;
  }
  if (got.kind === "list" || got.kind === "set") {
    return elementMismatch(want.kind, got.element, ety);
  }
  if (got.kind !== "tuple") return required;
  if (ety.kind === "any") {
    return unifyTypes(got.elements) ? null : `all ${want.kind} elements must have the same type`;
  }
  for (const [i, t] of got.elements.entries()) {
    const m = mismatchMessage(t, ety);
    if (m) return `element ${i}: ${m}`;
  }
  return null;
}

function elementMismatch(noun: string, got: HclType, want: HclType): string | null {
  const m = mismatchMessage(got, want);
  return m ? `incorrect ${noun} element type: ${m}` : null;
}

function objectMismatch(
  got: Extract<HclType, { kind: "object" }>,
  want: Extract<HclType, { kind: "object" }>,
): string | null {
  const missing = Object.keys(want.attributes)
    .filter((k) => !(k in got.attributes) && !want.optional.includes(k)).sort();
  if (missing.length === 1) return `attribute ${JSON.stringify(missing[0])} is required`;
  if (missing.length === 2) {
    return `attributes ${JSON.stringify(missing[0])} and ${
      JSON.stringify(missing[1])
    } are required`;
  }
  if (missing.length > 2) {
    const q = missing.map((m) => JSON.stringify(m));
    return `attributes ${q.slice(0, -1).join(", ")}, and ${q.at(-1)} are required`;
  }
  for (const k of Object.keys(want.attributes).sort()) {
    const g = got.attributes[k];
    if (!g) continue;
    const m = mismatchMessage(g, want.attributes[k]!);
    if (m) return `attribute ${JSON.stringify(k)}: ${m}`;
  }
  return null;
}

/**
 * Converts a value to a type with HCL's rules: `"5"` to 5 for number, 5 to `"5"` for string,
 * `"true"` to true for bool, tuples to lists and sets, objects to maps and to object types
 * (dropping attributes the type does not declare, `null` for missing optional ones).
 *
 * @throws {ConversionError} with cty's message, e.g. `a number is required`.
 */
export function convert(v: Value, want: HclType): Value {
  const m = mismatchMessage(typeOf(v), want);
  if (m) throw new ConversionError(m);
  return convertChecked(v, want);
}

function convertChecked(v: Value, want: HclType): Value {
  if (v === null || want.kind === "any") return v;
  switch (want.kind) {
    case "string":
      return typeof v === "string" ? v : typeof v === "number" ? formatNumber(v) : String(v);
    case "number":
      return typeof v === "number" ? v : parseNumberString(v as string);
    case "bool":
      return typeof v === "boolean" ? v : parseBoolString(v as string);
    case "list":
    case "set": {
      const items = v as Value[];
      const ety = want.element.kind === "any" ? unifyTypes(items.map(typeOf))! : want.element;
      const out = items.map((x) => convertChecked(x, ety));
      return want.kind === "set" ? toSetOrder(out) : out;
    }
    case "map": {
      const obj = v as ObjectValue;
      const ety = want.element.kind === "any"
        ? unifyTypes(Object.values(obj).map(typeOf))!
        : want.element;
      return markMap(objectFrom(sortedKeys(obj).map((k) => [k, convertChecked(obj[k]!, ety)])));
    }
    case "tuple":
      return (v as Value[]).map((x, i) => convertChecked(x, want.elements[i]!));
    case "object": {
      const obj = v as ObjectValue;
      return objectFrom(
        Object.keys(want.attributes).map((k) => {
          const x = getKey(obj, k);
          return [k, x === undefined ? null : convertChecked(x, want.attributes[k]!)];
        }),
      );
    }
  }
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a string as a number the way cty converts strings. */
export function parseNumberString(s: string): number {
  const n = NUMBER_RE.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) throw new ConversionError("a number is required");
  return n;
}

function parseBoolString(s: string): boolean {
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  const lower = s.toLowerCase();
  if (lower === "true" || lower === "false") {
    throw new ConversionError(
      `a bool is required; to convert from string, use lowercase "${lower}"`,
    );
  }
  throw new ConversionError("a bool is required");
}
