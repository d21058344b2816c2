/**
 * Command-line flags with the semantics of Go's `flag` package, which every Nomad command
 * uses: `-name` and `--name` are the same flag, a value follows after `=` or as the next
 * argument, a boolean flag never takes the next argument (`-detach`, `-detach=false`), `--`
 * ends the flags and parsing stops at the first argument that is not a flag.
 *
 * Flags are declared in one object and come back typed:
 *
 * ```ts
 * const { flags, args } = parseFlags({
 *   short: { type: "bool" },
 *   var: { type: "strings" },
 * }, ["-short", "-var", "a=1", "out.hcl"]);
 * flags.short; // true
 * flags.var; // ["a=1"]
 * args; // ["out.hcl"]
 * ```
 *
 * @module
 */
import { parseDuration } from "../structs/duration.ts";
import { parseGoBool as goBool } from "../structs/go_bool.ts";

/** A boolean flag: `-name` sets it, `-name=false` clears it; it never consumes the next argument. */
export interface BoolFlag {
  readonly type: "bool";
  readonly default?: boolean;
}
/** A string flag: `-name value` or `-name=value`. */
export interface StringFlag {
  readonly type: "string";
  readonly default?: string;
}
/** An integer flag, parsed like Go's `strconv.ParseInt(s, 0, 64)` (`0x1f`, `0o17`, `1_000`). */
export interface IntFlag {
  readonly type: "int";
  readonly default?: number;
}
/** A Go duration flag (`-wait 1m30s`); the value is in nanoseconds. */
export interface DurationFlag {
  readonly type: "duration";
  /** Nanoseconds, or a Go duration string such as `"5m"`. */
  readonly default?: number | string;
}
/** A repeatable string flag: `-var a=1 -var b=2` gives `["a=1", "b=2"]`. */
export interface StringsFlag {
  readonly type: "strings";
}

/** The declaration of one flag. */
export type FlagDef = BoolFlag | StringFlag | IntFlag | DurationFlag | StringsFlag;

/** Flag declarations by name, without the leading dash (`"var-file"`, `"short"`). */
export type FlagSpec = Readonly<Record<string, FlagDef>>;

/** The value type of one flag declaration. */
export type FlagValue<D extends FlagDef> = D extends BoolFlag ? boolean
  : D extends StringFlag ? string
  : D extends IntFlag | DurationFlag ? number
  : string[];

/** The parsed values, one per declared flag, defaults filled in. */
export type FlagValues<S extends FlagSpec> = { -readonly [K in keyof S]: FlagValue<S[K]> };

/** What {@link parseFlags} returns. */
export interface ParsedFlags<S extends FlagSpec> {
  /** Every declared flag, with its default when the command line did not set it. */
  readonly flags: FlagValues<S>;
  /** The arguments left after the flags. */
  readonly args: string[];
  /** The names of the flags the command line set, for flags whose default is not enough. */
  readonly set: ReadonlySet<keyof S & string>;
}

/**
 * The command line has a flag error. `message` is what Go's `flag` package prints (for example
 * `flag provided but not defined: -x`); `help` is true when the user asked for help with
 * `-h`/`-help` on a command that does not declare them, in which case `message` is empty.
 */
export class FlagError extends Error {
  override readonly name = "FlagError";
  /** True when the "error" is a request for help rather than a mistake. */
  readonly help: boolean;

  constructor(message: string, options?: ErrorOptions & { help?: boolean }) {
    super(message, options);
    this.help = options?.help ?? false;
  }
}

const PARSE_ERROR = "parse error";
const RANGE_ERROR = "value out of range";

/**
 * Parses a boolean the way Go's `strconv.ParseBool` does.
 *
 * @throws {RangeError} With Go's `parse error` wording when `text` is not a boolean.
 */
export function parseGoBool(text: string): boolean {
  const value = goBool(text);
  if (value === undefined) throw new RangeError(PARSE_ERROR);
  return value;
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

const BASES: Record<string, { digits: RegExp; marker: string }> = {
  x: { digits: /^[0-9a-fA-F]+$/, marker: "0x" },
  o: { digits: /^[0-7]+$/, marker: "0o" },
  b: { digits: /^[01]+$/, marker: "0b" },
  d: { digits: /^[0-9]+$/, marker: "" },
};

function underscoresOk(body: string, prefixed: boolean): boolean {
  if (!body.includes("_")) return true;
  if (body.includes("__") || body.endsWith("_")) return false;
  return prefixed || !body.startsWith("_");
}

/**
 * Parses an integer the way Go's `strconv.ParseInt(text, 0, 64)` does: an optional sign, then a
 * decimal, `0x` hex, `0o` or leading-`0` octal, or `0b` binary number, with `_` allowed between
 * digits.
 *
 * @throws {RangeError} `parse error` for text that is not an integer, `value out of range` for
 * one that does not fit in 64 bits.
 */
export function parseGoInt(text: string): number {
  let s = text;
  let negative = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  const prefix = /^0[xXoObB]/.exec(s)?.[0];
  const body = prefix ? s.slice(2) : s;
  const base = prefix
    ? BASES[prefix[1]!.toLowerCase()]!
    : body.length > 1 && body.startsWith("0")
    ? BASES.o!
    : BASES.d!;
  const digits = body.replaceAll("_", "");
  if (!base.digits.test(digits) || !underscoresOk(body, prefix !== undefined)) {
    throw new RangeError(PARSE_ERROR);
  }
  let n = BigInt(`${base.marker}${digits}`);
  if (negative) n = -n;
  if (n > MAX_INT64 || n < MIN_INT64) throw new RangeError(RANGE_ERROR);
  return Number(n);
}

function defaultOf(def: FlagDef): boolean | string | number | string[] {
  switch (def.type) {
    case "bool":
      return def.default ?? false;
    case "string":
      return def.default ?? "";
    case "int":
      return def.default ?? 0;
    case "duration":
      return typeof def.default === "string" ? parseDuration(def.default) : def.default ?? 0;
    case "strings":
      return [];
  }
}

function convert(def: FlagDef, value: string): string | number {
  switch (def.type) {
    case "int":
      return parseGoInt(value);
    case "duration":
      try {
        return parseDuration(value);
      } catch {
        throw new RangeError(PARSE_ERROR);
      }
    default:
      return value;
  }
}

/**
 * Parses `args` against the declared flags, with Go's `flag` package semantics.
 *
 * @param spec The flags the command accepts, by name without the dash.
 * @param args The command's arguments (after the command name).
 * @returns The typed values, the remaining arguments and the names that were set.
 * @throws {FlagError} With Go's message for an undefined flag, a missing or bad value, or bad
 * flag syntax; with `help: true` for `-h`/`-help` when the spec does not declare them.
 *
 * @example
 * ```ts
 * const { flags } = parseFlags({ detach: { type: "bool" } }, ["-detach=false"]);
 * flags.detach; // false
 * ```
 */
export function parseFlags<const S extends FlagSpec>(
  spec: S,
  args: readonly string[],
): ParsedFlags<S> {
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec)) values[name] = defaultOf(def);
  const set = new Set<keyof S & string>();
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg.length < 2 || arg[0] !== "-") break;
    let dashes = 1;
    if (arg[1] === "-") {
      dashes = 2;
      if (arg.length === 2) {
        i++; // "--" ends the flags and is consumed
        break;
      }
    }
    let name = arg.slice(dashes);
    if (name.length === 0 || name[0] === "-" || name[0] === "=") {
      throw new FlagError(`bad flag syntax: ${arg}`);
    }
    i++;
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (def === undefined) {
      if (name === "help" || name === "h") throw new FlagError("", { help: true });
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    if (def.type === "bool") {
      if (value === undefined) {
        values[name] = true;
      } else {
        try {
          values[name] = parseGoBool(value);
        } catch (err) {
          throw new FlagError(
            `invalid boolean value ${JSON.stringify(value)} for -${name}: ${PARSE_ERROR}`,
            { cause: err },
          );
        }
      }
    } else {
      if (value === undefined) {
        if (i >= args.length) throw new FlagError(`flag needs an argument: -${name}`);
        value = args[i++]!;
      }
      let converted: string | number;
      try {
        converted = convert(def, value);
      } catch (err) {
        const why = err instanceof RangeError ? err.message : PARSE_ERROR;
        throw new FlagError(
          `invalid value ${JSON.stringify(value)} for flag -${name}: ${why}`,
          { cause: err },
        );
      }
      if (def.type === "strings") (values[name] as string[]).push(value);
      else values[name] = converted;
    }
    set.add(name as keyof S & string);
  }
  return { flags: values as FlagValues<S>, args: args.slice(i), set };
}
