/**
 * The building blocks of the job diff: field diffs, their ordering, string sets, primitive
 * objects and sets of them, mirroring the helpers of Nomad's `nomad/structs/diff.go`.
 *
 * @module
 */
import type { DiffType, FieldDiff, ObjectDiff } from "./diff_types.ts";
import type { SObj } from "./_diff_server.ts";
import { deepEqual, type Flat, flatten, hashKey, type Spec } from "./_diff_flatten.ts";

/** Appends one item or a list to a Go-style nil-able slice. */
export function append<T>(to: T[] | null, more: T | T[] | null | undefined): T[] | null {
  if (more === null || more === undefined) return to;
  const items = Array.isArray(more) ? more : [more];
  if (items.length === 0) return to;
  return [...(to ?? []), ...items];
}

/** A new object diff with no fields or objects yet. */
export function newObject(name: string, type: DiffType = "None"): ObjectDiff {
  return { Type: type, Name: name, Fields: null, Objects: null };
}

/** Added, Deleted or Edited for a pair where at least one side is present. */
export function changeType(old: unknown, nu: unknown): DiffType {
  if (old === null || old === undefined) return "Added";
  if (nu === null || nu === undefined) return "Deleted";
  return "Edited";
}

/** The diff of one value; `null` when unchanged, unless `contextual`. */
export function fieldDiff(
  old: string,
  nu: string,
  name: string,
  contextual: boolean,
): FieldDiff | null {
  if (old === nu) {
    return contextual ? { Type: "None", Name: name, Old: old, New: nu, Annotations: null } : null;
  }
  const type: DiffType = old === "" ? "Added" : nu === "" ? "Deleted" : "Edited";
  return { Type: type, Name: name, Old: old, New: nu, Annotations: null };
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders field diffs by name, then old value, then new value. */
export function compareFields(a: FieldDiff, b: FieldDiff): number {
  return cmpStr(a.Name, b.Name) || cmpStr(a.Old, b.Old) || cmpStr(a.New, b.New);
}

const TYPE_ORDER: Record<DiffType, number> = { Edited: 0, Added: 1, Deleted: 2, None: 3 };

/**
 * Orders object diffs as Nomad does: by name, then Edited before Added before Deleted before
 * None, then fewer fields and objects first, then by their fields and objects.
 */
export function compareObjects(a: ObjectDiff, b: ObjectDiff): number {
  if (a === b) return 0;
  const byName = cmpStr(a.Name, b.Name);
  if (byName) return byName;
  if (a.Type !== b.Type) return TYPE_ORDER[a.Type] - TYPE_ORDER[b.Type];
  const fa = a.Fields ?? [];
  const fb = b.Fields ?? [];
  if (fa.length !== fb.length) return fa.length - fb.length;
  const oa = a.Objects ?? [];
  const ob = b.Objects ?? [];
  if (oa.length !== ob.length) return oa.length - ob.length;
  for (let i = 0; i < fa.length; i++) {
    const c = compareFields(fa[i] as FieldDiff, fb[i] as FieldDiff);
    if (c) return c;
  }
  for (let i = 0; i < oa.length; i++) {
    const c = compareObjects(oa[i] as ObjectDiff, ob[i] as ObjectDiff);
    if (c) return c;
  }
  return 0;
}

/** Sorts object diffs in place (see {@link compareObjects}) and returns them, `null` if none. */
export function sortObjects(list: ObjectDiff[] | null): ObjectDiff[] | null {
  if (!list || list.length === 0) return null;
  return list.sort(compareObjects);
}

/** Diffs two flattened objects key by key, sorted by name. `null` when nothing differs. */
export function fieldDiffs(
  old: Flat | null,
  nu: Flat | null,
  contextual: boolean,
): FieldDiff[] | null {
  const out: FieldDiff[] = [];
  for (const [k, o] of old ?? []) {
    const d = fieldDiff(o, nu?.get(k) ?? "", k, contextual);
    if (d) out.push(d);
  }
  for (const [k, n] of nu ?? []) {
    if (old?.has(k)) continue;
    const d = fieldDiff("", n, k, contextual);
    if (d) out.push(d);
  }
  return out.length ? out.sort(compareFields) : null;
}

/** The object type implied by its field diffs; `null` when no field changed. */
function typeFromFields(fields: FieldDiff[] | null): DiffType | null {
  let added = false;
  let deleted = false;
  for (const f of fields ?? []) {
    if (f.Type === "Edited") return "Edited";
    if (f.Type === "Added") added = true;
    if (f.Type === "Deleted") deleted = true;
  }
  if (added && deleted) return "Edited";
  return added ? "Added" : deleted ? "Deleted" : null;
}

/** Diffs two string lists as sets, each element a field named `name`. */
export function stringSetDiff(
  old: readonly string[] | null | undefined,
  nu: readonly string[] | null | undefined,
  name: string,
  contextual: boolean,
): ObjectDiff | null {
  const oldSet = new Set(old ?? []);
  const newSet = new Set(nu ?? []);
  const same = oldSet.size === newSet.size && [...oldSet].every((x) => newSet.has(x));
  if (same && !contextual) return null;
  const fields: FieldDiff[] = [];
  let added = false;
  let removed = false;
  const push = (d: FieldDiff | null) => d && fields.push(d);
  for (const k of oldSet) {
    if (!newSet.has(k)) {
      push(fieldDiff(k, "", name, contextual));
      removed = true;
    } else if (contextual) push(fieldDiff(k, k, name, contextual));
  }
  for (const k of newSet) {
    if (oldSet.has(k)) continue;
    push(fieldDiff("", k, name, contextual));
    added = true;
  }
  fields.sort(compareFields);
  let type: DiffType = "None";
  if (added && removed) type = "Edited";
  else if (added) type = "Added";
  else if (removed) type = "Deleted";
  else if (fields.length === 0) return null;
  return { Type: type, Name: name, Fields: fields.length ? fields : null, Objects: null };
}

/**
 * Diffs the value fields of two objects (either may be `null`). The type follows from the
 * fields; `null` when none changed, even in contextual mode.
 */
export function primitiveObjectDiff(
  spec: Spec,
  old: SObj | null,
  nu: SObj | null,
  filter: readonly string[],
  name: string,
  contextual: boolean,
): ObjectDiff | null {
  const fields = fieldDiffs(
    flatten(spec, old, true, filter),
    flatten(spec, nu, true, filter),
    contextual,
  );
  const type = typeFromFields(fields);
  return type ? { Type: type, Name: name, Fields: fields, Objects: null } : null;
}

/** Diffs flattened values; the type follows from the fields, `null` when none changed. */
export function flatObjectDiff(
  old: Flat | null,
  nu: Flat | null,
  name: string,
  contextual: boolean,
): ObjectDiff | null {
  const fields = fieldDiffs(old, nu, contextual);
  const type = typeFromFields(fields);
  return type ? { Type: type, Name: name, Fields: fields, Objects: null } : null;
}

/**
 * Diffs two lists of objects as sets keyed by `idOf` (or by their whole value): objects
 * missing on one side are Added or Deleted, objects with the same key are diffed.
 */
export function primitiveObjectSetDiff(
  spec: Spec,
  old: readonly SObj[] | null,
  nu: readonly SObj[] | null,
  filter: readonly string[],
  name: string,
  contextual: boolean,
  idOf?: (o: SObj) => string,
): ObjectDiff[] | null {
  const keyOf = (o: SObj) => idOf?.(o) || hashKey(o);
  const oldSet = new Map((old ?? []).map((o) => [keyOf(o), o]));
  const newSet = new Map((nu ?? []).map((o) => [keyOf(o), o]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldSet) {
    const d = primitiveObjectDiff(spec, o, newSet.get(k) ?? null, filter, name, contextual);
    if (d) out.push(d);
  }
  for (const [k, n] of newSet) {
    if (oldSet.has(k)) continue;
    const d = primitiveObjectDiff(spec, null, n, filter, name, contextual);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

/**
 * The common shape of Nomad's object diffs: `null` when equal, else Added/Deleted/Edited with
 * the flattened fields of the present side(s).
 */
export function structDiff(
  spec: Spec,
  old: SObj | null,
  nu: SObj | null,
  name: string,
  contextual: boolean,
  opts: { primitiveOnly?: boolean; filter?: readonly string[]; contextualFields?: boolean } = {},
): ObjectDiff | null {
  if (deepEqual(old, nu)) return null;
  const prim = opts.primitiveOnly ?? true;
  const filter = opts.filter ?? [];
  return {
    Type: changeType(old, nu),
    Name: name,
    Fields: fieldDiffs(
      old ? flatten(spec, old, prim, filter) : null,
      nu ? flatten(spec, nu, prim, filter) : null,
      opts.contextualFields ?? contextual,
    ),
    Objects: null,
  };
}

/**
 * Diffs two lists of objects matched by `keyOf` (last one wins on duplicate keys), with
 * `diffOne` giving the diff of a pair where either side may be `null`. Sorted.
 */
export function keyedDiffs<T>(
  old: readonly T[] | null,
  nu: readonly T[] | null,
  keyOf: (x: T) => string,
  diffOne: (o: T | null, n: T | null) => ObjectDiff | null,
): ObjectDiff[] | null {
  const oldMap = new Map((old ?? []).map((x) => [keyOf(x), x]));
  const newMap = new Map((nu ?? []).map((x) => [keyOf(x), x]));
  const out: ObjectDiff[] = [];
  for (const [k, o] of oldMap) {
    const d = diffOne(o, newMap.get(k) ?? null);
    if (d) out.push(d);
  }
  for (const [k, n] of newMap) {
    if (oldMap.has(k)) continue;
    const d = diffOne(null, n);
    if (d) out.push(d);
  }
  return sortObjects(out);
}

/** Diffs two lists position by position (extra items are Added or Deleted). Sorted. */
export function indexedDiffs<T>(
  old: readonly T[] | null,
  nu: readonly T[] | null,
  diffOne: (o: T | null, n: T | null) => ObjectDiff | null,
): ObjectDiff[] | null {
  const out: ObjectDiff[] = [];
  const len = Math.max(old?.length ?? 0, nu?.length ?? 0);
  for (let i = 0; i < len; i++) {
    const d = diffOne(old?.[i] ?? null, nu?.[i] ?? null);
    if (d) out.push(d);
  }
  return sortObjects(out);
}
