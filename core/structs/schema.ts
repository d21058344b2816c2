/**
 * A small schema language for Nomad's API structs.
 *
 * Every struct of the job specification is declared once, as a {@link StructSpec}: its fields in
 * Nomad's API order, the Go kind of each field (pointer or value, list, map, nested struct) and
 * its HCL name. From that one declaration we derive the TypeScript type ({@link Infer}), the
 * zero value Go would marshal (nil pointers and nil slices are `null`), decoding of API JSON
 * (keys match case-insensitively, like Go's `encoding/json`), the job file decoder and the
 * structural diff.
 *
 * @module
 */

/** The Go kind of a field. */
export type Kind =
  | { readonly k: "string" }
  | { readonly k: "int" }
  | { readonly k: "float" }
  | { readonly k: "bool" }
  | { readonly k: "duration" }
  | { readonly k: "bytes" }
  | { readonly k: "time" }
  | { readonly k: "any" }
  | { readonly k: "nullable"; readonly of: Kind }
  | { readonly k: "list"; readonly of: Kind }
  | { readonly k: "map"; readonly of: Kind }
  | { readonly k: "struct"; readonly spec: StructSpec<unknown> };

/** How a field is written in a job file. */
export interface HclInfo {
  /** The attribute or block name (`max_parallel`, `group`). */
  readonly name: string;
  /** Written as a block (`update { ... }`) rather than an attribute. */
  readonly block?: boolean;
  /** Filled from the block label (`group "cache"` sets the group's `Name`). */
  readonly label?: boolean;
  /** The attribute must be written (Go's `hcl` tag without `optional`). */
  readonly required?: boolean;
}

/** One field of a struct. `T` is the TypeScript type of its value. */
export interface Field<T> {
  readonly kind: Kind;
  readonly hcl?: HclInfo;
  /** Left out of JSON when empty (Go's `json:",omitempty"`): the zero value is `undefined`. */
  readonly omitEmpty?: boolean;
  /** Phantom member that carries `T`; never set. */
  readonly __type?: T;
}

type AnyFields = Record<string, Field<unknown>>;
type FieldType<F> = F extends Field<infer T> ? T : never;

/** The TypeScript object type described by a field list. */
export type StructOf<F extends AnyFields> = { -readonly [K in keyof F]: FieldType<F[K]> };

/** A declared struct: its name, its fields in API order and its zero value. */
export interface StructSpec<T> {
  readonly name: string;
  readonly fields: Readonly<Record<string, Field<unknown>>>;
  /** Phantom member that carries `T`; never set. */
  readonly __type?: T;
}

/** The TypeScript type of a declared struct. */
export type Infer<S> = S extends StructSpec<infer T> ? T : never;

/**
 * Declares a struct.
 *
 * @example
 * ```ts
 * const Constraint = struct("Constraint", { LTarget: str("attribute") });
 * type Constraint = Infer<typeof Constraint>; // { LTarget: string }
 * ```
 */
export function struct<F extends AnyFields>(name: string, fields: F): StructSpec<StructOf<F>> {
  return { name, fields };
}

function hclOf(name: string | HclInfo | undefined): HclInfo | undefined {
  return typeof name === "string" ? { name } : name;
}

function field<T>(kind: Kind, hcl?: string | HclInfo): Field<T> {
  const info = hclOf(hcl);
  return info ? { kind, hcl: info } : { kind };
}

const STRING: Kind = { k: "string" };
const INT: Kind = { k: "int" };
const FLOAT: Kind = { k: "float" };
const BOOL: Kind = { k: "bool" };
const DURATION: Kind = { k: "duration" };

/** Go `string`. */
export const str = (hcl?: string | HclInfo): Field<string> => field(STRING, hcl);
/** Go `*string`. */
export const optStr = (hcl?: string | HclInfo): Field<string | null> =>
  field({ k: "nullable", of: STRING }, hcl);
/** Go `int`, `int64`, `uint64`, ... */
export const int = (hcl?: string | HclInfo): Field<number> => field(INT, hcl);
/** Go `*int` and friends. */
export const optInt = (hcl?: string | HclInfo): Field<number | null> =>
  field({ k: "nullable", of: INT }, hcl);
/** Go `float64`. */
export const float = (hcl?: string | HclInfo): Field<number> => field(FLOAT, hcl);
/** Go `bool`. */
export const bool = (hcl?: string | HclInfo): Field<boolean> => field(BOOL, hcl);
/** Go `*bool`. */
export const optBool = (hcl?: string | HclInfo): Field<boolean | null> =>
  field({ k: "nullable", of: BOOL }, hcl);
/** Go `time.Duration`: nanoseconds. */
export const dur = (hcl?: string | HclInfo): Field<number> => field(DURATION, hcl);
/** Go `*time.Duration`: nanoseconds or `null`. */
export const optDur = (hcl?: string | HclInfo): Field<number | null> =>
  field({ k: "nullable", of: DURATION }, hcl);
/** Go `[]byte`: base64 text in JSON. */
export const bytes = (hcl?: string | HclInfo): Field<string | null> => field({ k: "bytes" }, hcl);
/** The JSON of Go's zero `time.Time`. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";
/** Go `time.Time`: RFC 3339 text, {@link ZERO_TIME} when unset. */
export const time = (hcl?: string | HclInfo): Field<string> => field({ k: "time" }, hcl);
/** Go `map[string]int`. */
export const intMap = (hcl?: string | HclInfo): Field<Record<string, number> | null> =>
  field({ k: "map", of: INT }, hcl);
/** Go `map[string]float64`. */
export const floatMap = (hcl?: string | HclInfo): Field<Record<string, number> | null> =>
  field({ k: "map", of: FLOAT }, hcl);
/** Go `map[string]bool`. */
export const boolMap = (hcl?: string | HclInfo): Field<Record<string, boolean> | null> =>
  field({ k: "map", of: BOOL }, hcl);
/** A free-form value (kept as decoded). */
export const anyValue = (hcl?: string | HclInfo): Field<unknown> => field({ k: "any" }, hcl);
/** Go `[]string`. */
export const strList = (hcl?: string | HclInfo): Field<string[] | null> =>
  field({ k: "list", of: STRING }, hcl);
/** Go `[]int`. */
export const intList = (hcl?: string | HclInfo): Field<number[] | null> =>
  field({ k: "list", of: INT }, hcl);
/** Go `map[string]string`. */
export const strMap = (hcl?: string | HclInfo): Field<Record<string, string> | null> =>
  field({ k: "map", of: STRING }, hcl);
/** Go `map[string][]string`. */
export const strListMap = (hcl?: string | HclInfo): Field<Record<string, string[]> | null> =>
  field({ k: "map", of: { k: "list", of: STRING } }, hcl);
/** Go `map[string]any`: free-form (driver config, scaling policy). */
export const anyMap = (hcl?: string | HclInfo): Field<Record<string, unknown> | null> =>
  field({ k: "map", of: { k: "any" } }, hcl);
/** Go `*Struct`. */
export const ref = <T>(spec: StructSpec<T>, hcl?: string | HclInfo): Field<T | null> =>
  field({ k: "nullable", of: { k: "struct", spec: spec as StructSpec<unknown> } }, hcl);
/** Go `Struct` held by value. */
export const inline = <T>(spec: StructSpec<T>, hcl?: string | HclInfo): Field<T> =>
  field({ k: "struct", spec: spec as StructSpec<unknown> }, hcl);
/** Go `[]*Struct` or `[]Struct`. */
export const list = <T>(spec: StructSpec<T>, hcl?: string | HclInfo): Field<T[] | null> =>
  field({ k: "list", of: { k: "struct", spec: spec as StructSpec<unknown> } }, hcl);
/** Go `map[string]*Struct`. */
export const structMap = <T>(
  spec: StructSpec<T>,
  hcl?: string | HclInfo,
): Field<Record<string, T> | null> =>
  field({ k: "map", of: { k: "struct", spec: spec as StructSpec<unknown> } }, hcl);

/** Marks a field `json:",omitempty"`: empty values are `undefined`, so JSON leaves them out. */
export function omitEmpty<T>(f: Field<T>): Field<T | undefined> {
  return { ...f, omitEmpty: true };
}

/** The value Go's zero value marshals to for a kind. */
export function zeroOfKind(kind: Kind): unknown {
  switch (kind.k) {
    case "string":
      return "";
    case "int":
    case "float":
    case "duration":
      return 0;
    case "bool":
      return false;
    case "struct":
      return zero(kind.spec);
    case "time":
      return ZERO_TIME;
    default:
      return null;
  }
}

/**
 * The zero value of a struct: every field present, as Go would marshal a fresh struct.
 *
 * @example
 * ```ts
 * zero(Constraint); // { LTarget: "", RTarget: "", Operand: "" }
 * ```
 */
export function zero<T>(spec: StructSpec<T>): T {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.fields)) {
    out[name] = f.omitEmpty ? undefined : zeroOfKind(f.kind);
  }
  return out as T;
}

/** A problem found while decoding: where and what. */
export interface DecodeProblem {
  /** Dotted path from the root, e.g. `TaskGroups[0].Count`. */
  readonly path: string;
  readonly message: string;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function decodeKind(kind: Kind, v: unknown, path: string, problems: DecodeProblem[]): unknown {
  switch (kind.k) {
    case "string":
      if (v === null || v === undefined) return "";
      if (typeof v === "string") return v;
      problems.push({ path, message: `expected a string, got ${describe(v)}` });
      return "";
    case "int":
    case "duration":
      if (v === null || v === undefined) return 0;
      if (typeof v === "number" && Number.isInteger(v)) return v;
      problems.push({ path, message: `expected an integer, got ${describe(v)}` });
      return 0;
    case "float":
      if (v === null || v === undefined) return 0;
      if (typeof v === "number") return v;
      problems.push({ path, message: `expected a number, got ${describe(v)}` });
      return 0;
    case "bool":
      if (v === null || v === undefined) return false;
      if (typeof v === "boolean") return v;
      problems.push({ path, message: `expected a boolean, got ${describe(v)}` });
      return false;
    case "bytes":
      if (v === null || v === undefined) return null;
      if (typeof v === "string") return v;
      problems.push({ path, message: `expected base64 text, got ${describe(v)}` });
      return null;
    case "any":
      return v === undefined ? null : v;
    case "time":
      if (v === null || v === undefined) return ZERO_TIME;
      if (typeof v === "string") return v;
      problems.push({ path, message: `expected an RFC 3339 time, got ${describe(v)}` });
      return ZERO_TIME;
    case "nullable":
      if (v === null || v === undefined) return null;
      return decodeKind(kind.of, v, path, problems);
    case "list": {
      if (v === null || v === undefined) return null;
      if (!Array.isArray(v)) {
        problems.push({ path, message: `expected an array, got ${describe(v)}` });
        return null;
      }
      return v.map((item, i) => decodeKind(kind.of, item, `${path}[${i}]`, problems));
    }
    case "map": {
      if (v === null || v === undefined) return null;
      if (typeof v !== "object" || Array.isArray(v)) {
        problems.push({ path, message: `expected an object, got ${describe(v)}` });
        return null;
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        out[key] = decodeKind(kind.of, item, `${path}.${key}`, problems);
      }
      return out;
    }
    case "struct":
      return decodeStruct(kind.spec, v, path, problems);
  }
}

function decodeStruct(
  spec: StructSpec<unknown>,
  v: unknown,
  path: string,
  problems: DecodeProblem[],
): unknown {
  if (v === null || v === undefined) return zero(spec);
  if (typeof v !== "object" || Array.isArray(v)) {
    problems.push({ path, message: `expected an object, got ${describe(v)}` });
    return zero(spec);
  }
  const byLower = new Map<string, unknown>();
  for (const [key, item] of Object.entries(v)) byLower.set(key.toLowerCase(), item);
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec.fields)) {
    const item = Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : byLower.get(
      name.toLowerCase(),
    );
    const value = decodeKind(f.kind, item, path ? `${path}.${name}` : name, problems);
    out[name] = f.omitEmpty && value === null ? undefined : value;
  }
  return out;
}

/**
 * Decodes API JSON into a struct the way Go's `encoding/json` does: keys match
 * case-insensitively, unknown keys are ignored, missing fields take their zero value, and a
 * value of the wrong type is reported (all problems, not just the first).
 */
export function decode<T>(
  spec: StructSpec<T>,
  input: unknown,
): { value: T; problems: DecodeProblem[] } {
  const problems: DecodeProblem[] = [];
  const value = decodeStruct(spec as StructSpec<unknown>, input, "", problems) as T;
  return { value, problems };
}
