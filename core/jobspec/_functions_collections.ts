/**
 * Collection functions as go-cty's stdlib has them (Nomad's set): note that cty's `length`
 * takes lists, maps and tuples only, `index(collection, key)` reads an element (it is not
 * Terraform's search), and `coalesce` keeps empty strings. `sum`, `alltrue`, `anytrue`, `one`
 * and `transpose` follow Terraform.
 *
 * @module
 */
import { ArgError, FuncError, type FuncSpec, param } from "./_functions_api.ts";
import {
  compareStrings,
  convert,
  friendlyName,
  getKey,
  isMapValue,
  isObject,
  markMap,
  objectFrom,
  type ObjectValue,
  sortedKeys,
  T,
  typeOf,
  unifyTypes,
  type Value,
  valuesEqual,
} from "./_hcl_types.ts";

const typeName = (v: Value) => friendlyName(typeOf(v));

function whole(n: number, what: string): number {
  if (!Number.isInteger(n)) {
    throw new FuncError(
      `${what}: value must be a whole number, between -9223372036854775808 and 9223372036854775807`,
    );
  }
  return n;
}

function length(v: Value): number {
  if (Array.isArray(v)) return v.length;
  if (isMapValue(v)) return Object.keys(v as ObjectValue).length;
  throw new FuncError("collection must be a list, a map or a tuple");
}

function element(list: Value, index: number): Value {
  if (!Array.isArray(list)) throw new FuncError(`cannot read elements from ${typeName(list)}`);
  const i = whole(index, "invalid index");
  if (i < 0) throw new FuncError("cannot use element function with a negative index");
  if (list.length === 0) throw new FuncError("cannot use element function with an empty list");
  return list[i % list.length]!;
}

function index(coll: Value, key: Value): Value {
  if (Array.isArray(coll)) {
    if (typeof key !== "number") throw new FuncError("key for tuple must be number");
    const i = whole(key, "invalid key for tuple");
    if (i < 0 || i >= coll.length) {
      throw new FuncError(`key must be between 0 and ${coll.length} inclusive`);
    }
    return coll[i]!;
  }
  if (isMapValue(coll)) {
    if (typeof key !== "string") throw new FuncError("key for map must be string");
    const x = getKey(coll as ObjectValue, key);
    if (x === undefined) throw new FuncError("invalid index");
    return x;
  }
  throw new FuncError("collection must be a list, a map or a tuple");
}

function lookup(map: Value, key: string, defaults: Value[]): Value {
  if (defaults.length > 1) throw new FuncError("lookup() takes at most three arguments");
  if (!isObject(map)) throw new ArgError(0, "lookup() requires a map as the first argument");
  const x = getKey(map, key);
  if (x !== undefined) return x;
  if (defaults.length === 1) return defaults[0]!;
  if (isMapValue(map)) throw new FuncError(`lookup failed to find key ${JSON.stringify(key)}`);
  throw new ArgError(0, `the given object has no attribute ${JSON.stringify(key)}`);
}

function merge(args: Value[]): Value {
  const out: [string, Value][] = [];
  let allNull = true, allMaps = args.length > 0;
  for (const a of args) {
    if (a === null) continue;
    if (!isObject(a)) {
      throw new FuncError(`arguments must be maps or objects, got ${JSON.stringify(typeName(a))}`);
    }
    allNull = false;
    allMaps &&= isMapValue(a);
    for (const k of Object.keys(a)) out.push([k, a[k]!]);
  }
  if (allNull && args.length > 0) return null;
  const obj = objectFrom(new Map(out));
  return allMaps ? markMap(obj) : obj;
}

function flatten(v: Value): Value[] {
  if (!Array.isArray(v)) throw new FuncError("can only flatten lists, sets and tuples");
  return v.flatMap((x) => (Array.isArray(x) ? flatten(x) : [x]));
}

function slice(list: Value, start: number, end: number): Value {
  if (!Array.isArray(list)) throw new ArgError(0, "must be a list or tuple value");
  if (!Number.isInteger(start)) {
    throw new ArgError(1, "invalid start index: value must be a whole number");
  }
  if (!Number.isInteger(end)) {
    throw new ArgError(2, "invalid end index: value must be a whole number");
  }
  if (start < 0) throw new ArgError(1, "start index must not be less than zero");
  if (start > list.length) {
    throw new ArgError(1, "start index must not be greater than the length of the list");
  }
  if (end < 0) throw new ArgError(2, "end index must not be less than zero");
  if (end > list.length) {
    throw new ArgError(2, "end index must not be greater than the length of the list");
  }
  if (start > end) throw new ArgError(1, "start index must not be greater than end index");
  return list.slice(start, end);
}

function chunklist(list: Value[], size: number): Value {
  if (list.length === 0) return [];
  const n = whole(size, "invalid index");
  if (n < 0) throw new FuncError("the size argument must be positive");
  if (n === 0) return [list];
  const out: Value[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

function zipmap(keys: Value[], values: Value): Value {
  if (!Array.isArray(values)) {
    throw new ArgError(1, "values argument must be a list or tuple value");
  }
  if (keys.length !== values.length) {
    throw new FuncError(
      `number of keys (${keys.length}) does not match number of values (${values.length})`,
    );
  }
  return objectFrom(keys.map((k, i) => {
    if (k === null) throw new FuncError(`keys list has null value at index ${i}`);
    return [k as string, values[i]!];
  }));
}

function coalesce(args: Value[]): Value {
  const t = unifyTypes(args.map(typeOf));
  if (!t) throw new FuncError("all arguments must have the same type");
  const found = args.find((a) => a !== null);
  if (found === undefined) throw new FuncError("no non-null arguments");
  return convert(found, t);
}

function coalescelist(args: Value[]): Value {
  if (args.length === 0) throw new FuncError("at least one argument is required");
  if (!args.every(Array.isArray)) {
    throw new FuncError("coalescelist arguments must be lists or tuples");
  }
  const found = (args as Value[][]).find((a) => a.length > 0);
  if (!found) throw new FuncError("no non-null arguments");
  return found;
}

function concat(args: Value[]): Value {
  if (args.length === 0) throw new FuncError("at least one argument is required");
  return args.flatMap((a, i) => {
    if (!Array.isArray(a)) {
      throw new ArgError(i, `all arguments must be lists or tuples; got ${typeName(a)}`);
    }
    return a;
  });
}

function distinct(list: Value[]): Value[] {
  const out: Value[] = [];
  for (const x of list) if (!out.some((y) => valuesEqual(x, y))) out.push(x);
  return out;
}

function oneOf(v: Value): Value {
  if (!Array.isArray(v)) {
    throw new ArgError(0, "must be a list, set, or tuple value with either zero or one elements");
  }
  if (v.length > 1) {
    throw new ArgError(0, "must be a list, set, or tuple value with either zero or one elements");
  }
  return v[0] ?? null;
}

function sum(v: Value): Value {
  if (!Array.isArray(v)) throw new ArgError(0, "cannot sum noniterable");
  if (v.length === 0) throw new ArgError(0, "cannot sum an empty list");
  return v.reduce<number>((acc, x, i) => {
    if (x === null) throw new ArgError(0, "argument must be list, set, or tuple of number values");
    try {
      return acc + (convert(x, T.number) as number);
    } catch {
      throw new ArgError(0, `element ${i}: a number is required`);
    }
  }, 0);
}

function transpose(m: ObjectValue): Value {
  const out = new Map<string, string[]>();
  for (const k of sortedKeys(m)) {
    for (const v of m[k] as (string | null)[]) {
      if (v === null) throw new ArgError(0, "input lists must not contain null values");
      out.set(v, [...(out.get(v) ?? []), k]);
    }
  }
  return markMap(objectFrom(out));
}

/** The collection functions by name. */
export const COLLECTION_FUNCTIONS: ReadonlyMap<string, FuncSpec> = new Map<string, FuncSpec>([
  ["length", { params: [param("collection")], impl: ([v]) => length(v!) }],
  ["element", {
    params: [param("list"), param("index", T.number)],
    impl: ([l, i]) => element(l!, i as number),
  }],
  ["index", { params: [param("collection"), param("key")], impl: ([c, k]) => index(c!, k!) }],
  ["contains", {
    params: [param("list"), param("value")],
    impl: ([l, v]) => {
      if (!Array.isArray(l)) throw new FuncError("argument must be list, tuple, or set");
      return l.some((x) => valuesEqual(x, v!));
    },
  }],
  ["keys", {
    params: [param("inputMap")],
    impl: ([m]) => {
      if (!isObject(m!)) throw new ArgError(0, "must have map or object type");
      return sortedKeys(m);
    },
  }],
  ["values", {
    params: [param("values")],
    impl: ([m]) => {
      if (!isObject(m!)) throw new FuncError("values() requires a map as the first argument");
      return sortedKeys(m).map((k) => m[k]!);
    },
  }],
  ["lookup", {
    params: [param("inputMap"), param("key", T.string)],
    varParam: param("default", T.any, true),
    impl: ([m, k, ...d]) => lookup(m!, k as string, d),
  }],
  ["merge", { params: [], varParam: param("maps", T.any, true), impl: merge }],
  ["flatten", { params: [param("list")], impl: ([v]) => flatten(v!) }],
  ["slice", {
    params: [param("list"), param("start_index", T.number), param("end_index", T.number)],
    impl: ([l, s, e]) => slice(l!, s as number, e as number),
  }],
  ["chunklist", {
    params: [param("list", T.list(T.any)), param("size", T.number)],
    impl: ([l, n]) => chunklist(l as Value[], n as number),
  }],
  ["zipmap", {
    params: [param("keys", T.list(T.string)), param("values")],
    impl: ([k, v]) => zipmap(k as Value[], v!),
  }],
  ["coalesce", { params: [], varParam: param("vals", T.any, true), impl: coalesce }],
  ["coalescelist", { params: [], varParam: param("vals", T.any, true), impl: coalescelist }],
  ["compact", {
    params: [param("list", T.list(T.string))],
    impl: ([l]) => (l as Value[]).filter((x) => x !== null && x !== ""),
  }],
  ["concat", { params: [], varParam: param("seqs"), impl: concat }],
  ["distinct", { params: [param("list", T.list(T.any))], impl: ([l]) => distinct(l as Value[]) }],
  ["sort", {
    params: [param("list", T.list(T.string))],
    impl: ([l]) =>
      (l as Value[]).map((x, i) => {
        if (x === null) {
          throw new ArgError(0, `given list element ${i} is null; a null string cannot be sorted`);
        }
        return x as string;
      }).sort(compareStrings),
  }],
  ["one", { params: [param("list")], impl: ([v]) => oneOf(v!) }],
  ["sum", { params: [param("list")], impl: ([v]) => sum(v!) }],
  ["alltrue", {
    params: [param("list", T.list(T.bool))],
    impl: ([l]) => (l as Value[]).every((x) => x === true),
  }],
  ["anytrue", {
    params: [param("list", T.list(T.bool))],
    impl: ([l]) => (l as Value[]).some((x) => x === true),
  }],
  ["transpose", {
    params: [param("values", T.map(T.list(T.string)))],
    impl: ([m]) => transpose(m as ObjectValue),
  }],
]);
