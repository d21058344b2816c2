/**
 * A small schema language for a driver's plugin config (`plugin "raw_exec" { config { ... } }`)
 * and task config (`task "x" { config { ... } }`), modelled on Nomad's `hclspec`: attributes
 * with a type, `required` or a `default`, and nested blocks. A schema is plain data, so it crosses
 * the Worker boundary and the client can show it. `decodeConfig` checks a value against a schema
 * and collects every problem into one `ConfigError`.
 *
 * @example
 * ```ts
 * const schema = {
 *   command: attr("string", { required: true }),
 *   args: attr("list(string)", { default: [] }),
 * };
 * const cfg = decodeConfig(schema, { command: "/bin/echo" }, "raw_exec task config");
 * cfg.args; // []
 * ```
 *
 * @module
 */
import { parseDuration } from "../core/structs/duration.ts";
import { ConfigError } from "./errors.ts";

/** The value types an attribute can have. `duration` takes Go text (`"5s"`) and gives nanoseconds. */
export type AttrType =
  | "string"
  | "number"
  | "bool"
  | "duration"
  | "list(string)"
  | "map(string)"
  | "list(map(string))"
  | "any";

/** The TypeScript type `decodeConfig` gives for an attribute type. */
export type ValueOf<T extends AttrType> = T extends "string" ? string
  : T extends "number" | "duration" ? number
  : T extends "bool" ? boolean
  : T extends "list(string)" ? string[]
  : T extends "map(string)" ? Record<string, string>
  : T extends "list(map(string))" ? Record<string, string>[]
  : unknown;

/** One attribute (`command = "/bin/echo"`). */
export interface AttrSpec<T extends AttrType = AttrType> {
  /** Marks an attribute. */
  readonly kind: "attr";
  /** Its value type. */
  readonly type: T;
  /** Whether it must be set. */
  readonly required?: boolean;
  /** The value used when it is not set. */
  readonly default?: ValueOf<T>;
  /** What it does, for humans. */
  readonly description?: string;
}

/** A nested block (`exec_command { ... }`); decoded to an object, or `undefined` when absent. */
export interface BlockSpec<S extends ConfigSchema = ConfigSchema> {
  /** Marks a block. */
  readonly kind: "block";
  /** The block's own attributes and blocks. */
  readonly schema: S;
  /** Whether it must be present. */
  readonly required?: boolean;
  /** What it does, for humans. */
  readonly description?: string;
}

/** A config schema: attribute and block names to their specs. */
export type ConfigSchema = { readonly [name: string]: AttrSpec | BlockSpec };

type Present<A> = A extends { required: true } ? true : A extends { default: unknown } ? true
: false;

type PresentKeys<S extends ConfigSchema> = {
  [K in keyof S]: Present<S[K]> extends true ? K : never;
}[keyof S];
type SpecValue<X> = X extends BlockSpec<infer B> ? Decoded<B>
  : X extends AttrSpec<infer T> ? ValueOf<T>
  : never;

/**
 * The object `decodeConfig(schema, ...)` returns: required attributes and those with a default
 * are always present; the others are absent when not set.
 */
export type Decoded<S extends ConfigSchema> =
  & { -readonly [K in PresentKeys<S>]: SpecValue<S[K]> }
  & { -readonly [K in Exclude<keyof S, PresentKeys<S>>]?: SpecValue<S[K]> };

/** Declares a required attribute. */
export function attr<T extends AttrType>(
  type: T,
  options: { required: true; description?: string },
): AttrSpec<T> & { required: true };
/** Declares an attribute with a default. */
export function attr<T extends AttrType>(
  type: T,
  options: { default: ValueOf<T>; description?: string },
): AttrSpec<T> & { default: ValueOf<T> };
/** Declares an optional attribute. */
export function attr<T extends AttrType>(type: T, options?: { description?: string }): AttrSpec<T>;
export function attr<T extends AttrType>(
  type: T,
  options: { required?: boolean; default?: ValueOf<T>; description?: string } = {},
): AttrSpec<T> {
  return { kind: "attr", type, ...options };
}

/** Declares a nested block. */
export function block<S extends ConfigSchema>(
  schema: S,
  options: { required?: boolean; description?: string } = {},
): BlockSpec<S> {
  return { kind: "block", schema, ...options };
}

/**
 * Checks `raw` against `schema`, fills in defaults, and converts values the way HCL would
 * (`"3"` to a number, `"true"` to a bool, `"5s"` to nanoseconds).
 *
 * @param schema The schema.
 * @param raw The config as JSON (an object; `null`/`undefined` count as empty).
 * @param what What is being decoded, for the error (`"raw_exec task config"`).
 * @throws {ConfigError} Listing every problem: unknown names, missing required ones, wrong types.
 */
export function decodeConfig<S extends ConfigSchema>(
  schema: S,
  raw: unknown,
  what: string,
): Decoded<S> {
  const problems: string[] = [];
  const out = decodeObject(schema, raw, "", problems);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${what}`, problems);
  }
  return out as Decoded<S>;
}

function decodeObject(
  schema: ConfigSchema,
  raw: unknown,
  path: string,
  problems: string[],
): Record<string, unknown> {
  const obj = raw ?? {};
  if (typeof obj !== "object" || Array.isArray(obj)) {
    problems.push(`${path ? `"${path}"` : "the config"} must be an object, got ${show(raw)}`);
    return {};
  }
  const input = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!(key in schema)) {
      const known = Object.keys(schema).sort().join(", ") || "none";
      problems.push(`"${path}${key}" is not a known option (known: ${known})`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const name = `${path}${key}`;
    const value = input[key];
    if (value === undefined || value === null) {
      if (spec.required) problems.push(`"${name}" is required`);
      else if (spec.kind === "attr" && spec.default !== undefined) {
        out[key] = structuredClone(spec.default);
      }
      continue;
    }
    if (spec.kind === "block") {
      // HCL-to-JSON gives a block as a list of one object.
      const body = Array.isArray(value) && value.length === 1 ? value[0] : value;
      out[key] = decodeObject(spec.schema, body, `${name}.`, problems);
    } else {
      const decoded = decodeAttr(spec.type, value, name, problems);
      if (decoded !== undefined) out[key] = decoded;
    }
  }
  return out;
}

function decodeAttr(type: AttrType, value: unknown, name: string, problems: string[]): unknown {
  const bad = (want: string) => {
    problems.push(`"${name}" must be ${want}, got ${show(value)}`);
    return undefined;
  };
  switch (type) {
    case "any":
      return value;
    case "string":
      return toStr(value) ?? bad("a string");
    case "number": {
      const n = typeof value === "number"
        ? value
        : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
      return Number.isFinite(n) ? n : bad("a number");
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      return bad("a bool (true or false)");
    case "duration":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "string") {
        try {
          return parseDuration(value);
        } catch (err) {
          return bad(`a duration such as "5s" (${(err as Error).message})`);
        }
      }
      return bad('a duration such as "5s"');
    case "list(string)": {
      if (!Array.isArray(value)) return bad("a list of strings");
      const items = value.map(toStr);
      return items.every((s) => s !== undefined) ? items : bad("a list of strings");
    }
    case "map(string)":
      return toStrMap(value) ?? bad("a map of strings");
    case "list(map(string))": {
      const list = Array.isArray(value) ? value : [value];
      const maps = list.map(toStrMap);
      return maps.every((m) => m !== undefined) ? maps : bad("a list of maps of strings");
    }
  }
}

function toStr(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function toStrMap(value: unknown): Record<string, string> | undefined {
  // HCL-to-JSON may give a map attribute as a list of one object.
  const obj = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const s = toStr(v);
    if (s === undefined) return undefined;
    out[k] = s;
  }
  return out;
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `list ${JSON.stringify(value).slice(0, 60)}`;
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
