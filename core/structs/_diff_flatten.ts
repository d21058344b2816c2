/**
 * The value layer of the job diff: converting API-shaped values to Nomad's server structs,
 * flattening them to `path -> string` maps the way Nomad's `flatmap.Flatten` does, and
 * comparing them.
 *
 * @module
 */
import type { Kind, StructSpec } from "./schema.ts";
import type { SObj } from "./_diff_server.ts";
import { parseDuration } from "./duration.ts";

/** A struct declaration of any type. */
export type Spec = StructSpec<unknown>;
/** A flattened object: dotted/bracketed path to the value as Nomad prints it. */
export type Flat = Map<string, string>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const normalize = (key: string) => key.toLowerCase().replaceAll("_", "");

/**
 * Converts an API-shaped (or job-file-shaped, for free-form blocks such as a Connect proxy)
 * value to the server struct `spec`: keys match exactly, then case- and underscore-blind, then
 * by the field's alternate name; a block given as a one-element list is unwrapped; value fields
 * that are `null` take Go's zero value; empty lists and maps become `null`, as Nomad's
 * canonicalization makes them.
 */
export function toServer(spec: Spec, v: unknown): SObj {
  const src = Array.isArray(v) ? v[0] : v;
  const obj: Record<string, unknown> = isObject(src) ? src : {};
  let byNorm: Map<string, unknown> | undefined;
  const out: SObj = {};
  for (const [name, f] of Object.entries(spec.fields)) {
    let raw = Object.hasOwn(obj, name) ? obj[name] : undefined;
    if (raw === undefined) {
      byNorm ??= new Map(Object.entries(obj).map(([k, x]) => [normalize(k), x]));
      raw = byNorm.get(normalize(name));
      if (raw === undefined && f.hcl) raw = byNorm.get(normalize(f.hcl.name));
    }
    out[name] = convert(f.kind, raw);
  }
  return out;
}

function toNanos(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v !== "string") return 0;
  try {
    return parseDuration(v);
  } catch {
    return 0;
  }
}

function convert(kind: Kind, v: unknown): unknown {
  switch (kind.k) {
    case "string":
      if (typeof v === "string") return v;
      return typeof v === "number" || typeof v === "boolean" ? String(v) : "";
    case "int":
      return typeof v === "number" ? Math.trunc(v) : 0;
    case "duration":
      return toNanos(v);
    case "float":
      return typeof v === "number" ? v : 0;
    case "bool":
      return v === true;
    case "bytes":
    case "any":
      return v ?? null;
    case "time":
      return typeof v === "string" ? v : "";
    case "nullable":
      return v === null || v === undefined ? null : convert(kind.of, v);
    case "list": {
      const items = Array.isArray(v) ? v : isObject(v) ? [v] : [];
      return items.length === 0 ? null : items.map((x) => convert(kind.of, x));
    }
    case "map": {
      if (!isObject(v)) return null;
      const entries = Object.entries(v);
      if (entries.length === 0) return null;
      return Object.fromEntries(entries.map(([k, x]) => [k, convert(kind.of, x)]));
    }
    case "struct":
      return toServer(kind.spec, v);
  }
}

/**
 * Formats a number as Go's `%v` formats a `float64`: shortest digits, exponent form below
 * 1e-4 and from 1e+06 on (`1e+06`, `2.5e-05`).
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mant = "", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  return String(n);
}

const subField = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const subKey = (prefix: string, key: string) => (prefix ? `${prefix}[${key}]` : key);

/** Flattens a free-form (Go `interface{}`) value such as a driver config. */
function flattenAny(v: unknown, prefix: string, out: Flat): void {
  if (v === null || v === undefined) out.set(prefix, "nil");
  else if (typeof v === "number") out.set(prefix, goFloat(v));
  else if (typeof v === "string") out.set(prefix, v);
  else if (typeof v === "boolean") out.set(prefix, v ? "true" : "false");
  else if (Array.isArray(v)) v.forEach((x, i) => flattenAny(x, `${prefix}[${i}]`, out));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) flattenAny(x, subKey(prefix, k), out);
  } else out.set(prefix, String(v));
}

function flattenKind(
  kind: Kind,
  v: unknown,
  prefix: string,
  primitiveOnly: boolean,
  entered: boolean,
  out: Flat,
): void {
  switch (kind.k) {
    case "string":
      out.set(prefix, typeof v === "string" ? v : "");
      return;
    case "int":
    case "duration":
      out.set(prefix, String(typeof v === "number" ? Math.trunc(v) : 0));
      return;
    case "float":
      out.set(prefix, goFloat(typeof v === "number" ? v : 0));
      return;
    case "bool":
      out.set(prefix, v === true ? "true" : "false");
      return;
    case "bytes":
      if (!primitiveOnly && v === null) out.set(prefix, "nil");
      return;
    case "time":
      out.set(prefix, typeof v === "string" ? v : "");
      return;
    case "any":
      if (!primitiveOnly) flattenAny(v, prefix, out);
      return;
    case "nullable":
      if (primitiveOnly && entered) return;
      if (v === null || v === undefined) out.set(prefix, "nil");
      else flattenKind(kind.of, v, prefix, primitiveOnly, entered, out);
      return;
    case "list":
      if (primitiveOnly) return;
      if (!Array.isArray(v)) out.set(prefix, "nil");
      else v.forEach((x, i) => flattenKind(kind.of, x, `${prefix}[${i}]`, false, entered, out));
      return;
    case "map":
      if (!isObject(v)) return;
      for (const [k, x] of Object.entries(v)) {
        flattenKind(kind.of, x, subKey(prefix, k), primitiveOnly, entered, out);
      }
      return;
    case "struct": {
      if (primitiveOnly && entered) return;
      const obj = isObject(v) ? v : {};
      for (const [name, f] of Object.entries(kind.spec.fields)) {
        flattenKind(f.kind, obj[name], subField(prefix, name), primitiveOnly, true, out);
      }
      return;
    }
  }
}

/**
 * Flattens a server struct. With `primitiveOnly`, only the struct's own value fields and the
 * entries of its string maps are kept (`Meta[owner]`); otherwise pointers are followed and
 * lists indexed (`Args[0]`), nil ones showing as `"nil"`. `null` flattens to `null`, as a nil
 * object does in Nomad. Keys in `filter` are dropped.
 */
export function flatten(
  spec: Spec,
  v: SObj | null | undefined,
  primitiveOnly: boolean,
  filter: readonly string[] = [],
): Flat | null {
  if (v === null || v === undefined) return null;
  const out: Flat = new Map();
  flattenKind({ k: "struct", spec }, v, "", primitiveOnly, false, out);
  for (const f of filter) out.delete(f);
  return out;
}

/** Flattens a map (string values, lists of strings or free-form values) as Nomad does. */
export function flattenMap(v: Record<string, unknown> | null | undefined): Flat {
  const out: Flat = new Map();
  if (v) flattenAny(v, "", out);
  return out;
}

/** Structural equality of converted values (Go's `reflect.DeepEqual` for our purposes). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return a === b || (a === undefined && b === null) || (a === null && b === undefined);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!deepEqual(ra[k], rb[k])) return false;
  return true;
}

/** A stable text key for a value (Nomad hashes the struct; equal values give equal keys). */
export function hashKey(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x: unknown) =>
      isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}
