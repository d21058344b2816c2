/**
 * Small pure helpers of the state store: Go-style times, keys, deep equality and freezing.
 *
 * @module
 */
import { ZERO_TIME } from "../structs/mod.ts";

/** The key of a namespaced object (`namespace` + NUL + `id`), ordered like Nomad's memdb index. */
export function nsKey(namespace: string | null | undefined, id: string | null | undefined): string {
  return `${namespace ?? ""}\u0000${id ?? ""}`;
}

/** Unix nanoseconds as Go marshals a `time.Time` in UTC (RFC 3339 with trimmed nanoseconds). */
export function nanosToTime(nanos: number): string {
  if (nanos === 0) return ZERO_TIME;
  const ms = Math.floor(nanos / 1e6);
  const subMs = Math.round(nanos - ms * 1e6);
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const frac = String((ms % 1000 + 1000) % 1000 * 1e6 + subMs).padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

/** The Unix nanoseconds of an RFC 3339 time; 0 for Go's zero time or unparsable text. */
export function timeToNanos(time: string): number {
  if (time === ZERO_TIME || time === "") return 0;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return 0;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return 0;
  const frac = Number((m[2] ?? "").padEnd(9, "0").slice(0, 9));
  return seconds * 1e6 + frac;
}

/** Whether a Go time is the zero time. */
export function isZeroTime(time: string): boolean {
  return time === ZERO_TIME || time === "";
}

/**
 * Deep equality of JSON-like values, the way Go's `reflect.DeepEqual` compares decoded structs:
 * `null` differs from an empty list or map; an `undefined` property equals a missing one.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const k in ra) {
    if (ra[k] === undefined) continue;
    count++;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (rb[k] !== undefined) count--;
  return count === 0;
}

/** Freezes a value and everything it holds (stops at values already frozen). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/** Compares strings by UTF-16 code units (the order of Nomad's radix-tree indexes for ASCII IDs). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
