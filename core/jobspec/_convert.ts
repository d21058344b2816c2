/**
 * Converts evaluated HCL values to the Go kinds of struct fields, with the conversions HCL's
 * `gohcl` and go-cty allow (`"5"` to a number, `5` to a string, `"true"` to a bool, a duration
 * string to nanoseconds) and its wording when a value does not fit.
 *
 * @module
 */
import { type Kind, parseDuration } from "../structs/mod.ts";
import type { Value } from "./expr.ts";
import type { Pos } from "./_scan.ts";

/** Where problems go. */
export interface Reporter {
  error(pos: Pos | undefined, summary: string, detail?: string): void;
}

class Unsuitable extends Error {}

function typeName(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "tuple";
  if (typeof v === "object") return "object";
  return typeof v;
}

/** HCL's text for a number: integers without a fraction, others in shortest form. */
export function numberToString(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

function toStr(v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  if (typeof v === "boolean") return String(v);
  throw new Unsuitable("string required");
}

function toNumber(v: Value, whole: boolean): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) n = Number(v);
  else throw new Unsuitable("a number is required");
  if (whole && !Number.isInteger(n)) throw new Unsuitable("a whole number is required");
  return n;
}

function toBool(v: Value): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new Unsuitable("a bool is required");
}

function toDuration(v: Value): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Unsuitable("a whole number is required");
    return v;
  }
  if (typeof v === "string") {
    try {
      return parseDuration(v);
    } catch (err) {
      throw new Unsuitable(`Unsuitable duration value: ${(err as Error).message}`);
    }
  }
  throw new Unsuitable(`Unsuitable value: expected a string but found ${typeName(v)}`);
}

function convert(kind: Kind, v: Value): unknown {
  switch (kind.k) {
    case "string":
      return v === null ? "" : toStr(v);
    case "int":
      return v === null ? 0 : toNumber(v, true);
    case "float":
      return v === null ? 0 : toNumber(v, false);
    case "bool":
      return v === null ? false : toBool(v);
    case "duration":
      if (v === null) throw new Unsuitable("Unsuitable duration value: nil");
      return toDuration(v);
    case "bytes":
      return v === null ? null : btoa(toStr(v));
    case "time":
      return v === null ? "0001-01-01T00:00:00Z" : toStr(v);
    case "any":
      return v;
    case "nullable":
      return v === null ? null : convert(kind.of, v);
    case "list":
      if (v === null) return null;
      if (!Array.isArray(v)) throw new Unsuitable(`list of ${kindName(kind.of)} required`);
      return v.map((item) => convert(kind.of, item));
    case "map": {
      if (v === null) return null;
      if (typeof v !== "object" || Array.isArray(v)) {
        throw new Unsuitable(`map of ${kindName(kind.of)} required`);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) out[key] = convert(kind.of, v[key] as Value);
      return out;
    }
    case "struct":
      throw new Unsuitable("a block is required");
  }
}

function kindName(kind: Kind): string {
  switch (kind.k) {
    case "int":
    case "float":
    case "duration":
      return "number";
    case "nullable":
      return kindName(kind.of);
    case "list":
      return `list of ${kindName(kind.of)}`;
    case "map":
      return `map of ${kindName(kind.of)}`;
    case "struct":
      return "object";
    default:
      return kind.k;
  }
}

/**
 * Converts `value` for attribute `name` to `kind`. Reports the problem and returns `undefined`
 * when it does not fit.
 */
export function convertKind(
  kind: Kind,
  value: Value,
  name: string,
  pos: Pos,
  out: Reporter,
): unknown {
  try {
    return convert(kind, value);
  } catch (err) {
    if (!(err instanceof Unsuitable)) throw err;
    const base = kind.k === "nullable" ? kind.of : kind;
    if (base.k === "duration") {
      out.error(pos, "Unsuitable value type", err.message);
    } else {
      out.error(
        pos,
        "Incorrect attribute value type",
        `Inappropriate value for attribute "${name}": ${err.message}.`,
      );
    }
    return undefined;
  }
}
