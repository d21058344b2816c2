/**
 * Helpers of job validation: the problem collector and Go's formatting of values in messages.
 *
 * @module
 */
import { cleanPath } from "./_canonicalize_parts.ts";
import { formatDuration } from "./duration.ts";

/** Collects problems, each prefixed with where it is (`Task group "web": Task "app": `). */
export class Problems {
  readonly #out: string[];
  readonly #prefix: string;

  constructor(out: string[] = [], prefix = "") {
    this.#out = out;
    this.#prefix = prefix;
  }

  /** Records one problem. */
  add(message: string): void {
    this.#out.push(this.#prefix + message);
  }

  /** A collector whose problems are further prefixed (`prefix` ends with `": "` or similar). */
  at(prefix: string): Problems {
    return new Problems(this.#out, this.#prefix + prefix);
  }

  /** Every problem recorded through this collector and its children. */
  get all(): string[] {
    return this.#out;
  }
}

/** Go's `%v` of a `time.Duration` (nanoseconds). */
export const dur = (ns: number | null): string => formatDuration(ns ?? 0);

/** Go's `%q`: a double-quoted string with Go escapes; `ascii` escapes non-ASCII (`%+q`). */
export function quote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (ascii && c > 0x7e) {
      out += c > 0xffff
        ? "\\U" + c.toString(16).padStart(8, "0")
        : "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

/** Go's `%v`/`%s` of a `[]string`: `[a b c]`. */
export const goList = (items: readonly string[]): string => `[${items.join(" ")}]`;

/** Go's `len(s)`: the UTF-8 byte length. */
export const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/** Go's `filepath.Rel` for two absolute or two relative slash paths; `null` when impossible. */
export function relPath(base: string, target: string): string | null {
  const b = cleanPath(base), t = cleanPath(target);
  if (b.startsWith("/") !== t.startsWith("/")) return null;
  const bp = b === "." || b === "/" ? [] : b.replace(/^\//, "").split("/");
  const tp = t === "." || t === "/" ? [] : t.replace(/^\//, "").split("/");
  let i = 0;
  while (i < bp.length && i < tp.length && bp[i] === tp[i]) i++;
  if (bp.slice(i).includes("..")) return null;
  const rel = [...bp.slice(i).map(() => ".."), ...tp.slice(i)].join("/");
  return rel === "" ? "." : rel;
}

/**
 * Whether `path`, joined under `prefix` inside an allocation directory, leaves it
 * (Nomad's `escapingfs.PathEscapesAllocViaRelative`).
 */
export function escapesAlloc(prefix: string, path: string): boolean {
  const alloc = "/alloc-dir/alloc-id";
  const rel = relPath(alloc, cleanPath(`${alloc}/${prefix}/${path}`));
  return rel === null || rel.startsWith("..");
}

/**
 * Whether `path` is inside `parent` (Nomad's `helper.IsSubdirectory`).
 */
export function isSubdirectory(parent: string, path: string): boolean {
  const rel = relPath(parent, path);
  return rel !== null && !rel.startsWith("..");
}

/**
 * The problem with a Go (RE2) regular expression, or `null`. JavaScript's parser stands in for
 * RE2's; the constructs RE2 rejects and JavaScript accepts (look-around, back-references) are
 * checked first.
 */
export function regexpProblem(source: string): string | null {
  const look = /\(\?<?[=!]/.exec(source);
  if (look) return `error parsing regexp: invalid or unsupported Perl syntax: \`${look[0]}\``;
  const backref = /\\[1-9]/.exec(source);
  if (backref) return `error parsing regexp: invalid escape sequence: \`${backref[0]}\``;
  let body = source;
  let flags = "";
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    flags = [...new Set(leading[1]!.replace("U", ""))].join("");
    body = body.slice(leading[0].length);
  }
  try {
    new RegExp(body.replace(/\(\?P</g, "(?<"), flags);
    return null;
  } catch (e) {
    return `error parsing regexp: ${(e as Error).message}`;
  }
}

const VERSION = String.raw`v?([0-9]+(\.[0-9]+)*?)` +
  String
    .raw`(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?` +
  String.raw`(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?`;
const SEMVER = String.raw`v?([0-9]+(\.[0-9]+)*?)` +
  String
    .raw`(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?` +
  String.raw`(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?`;
const VERSION_CONSTRAINT = new RegExp(String.raw`^\s*(|=|!=|>|<|>=|<=|~>)\s*(${VERSION})\s*$`);
const SEMVER_CONSTRAINT = new RegExp(String.raw`^\s*(|=|!=|>|<|>=|<=)\s*(${SEMVER})\s*$`);

/**
 * The problem with a `version` (go-version) or `semver` constraint such as `">= 1.2, < 2"`,
 * or `null`.
 */
export function versionConstraintProblem(text: string, semver: boolean): string | null {
  const re = semver ? SEMVER_CONSTRAINT : VERSION_CONSTRAINT;
  for (const single of text.split(",")) {
    if (!re.test(single)) return `Malformed constraint: ${single}`;
  }
  return null;
}

/** Whether a host name is a DNS name (miekg/dns `IsDomainName`, which is liberal). */
export function isDomainName(name: string): boolean {
  if (name === ".") return true;
  const labels = (name.endsWith(".") ? name.slice(0, -1) : name).split(".");
  if (byteLength(name) > 254) return false;
  return labels.every((l) => l.length > 0 && byteLength(l) <= 63);
}

/** Go's `strconv.ParseUint(s, base, bits)` error text, or `null` when `s` parses. */
export function parseUintProblem(s: string, base: 8 | 10, bits: number): string | null {
  const digits = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return `strconv.ParseUint: parsing ${quote(s)}: invalid syntax`;
  if (BigInt(base === 8 ? `0o${s}` : s) >= 1n << BigInt(bits)) {
    return `strconv.ParseUint: parsing ${quote(s)}: value out of range`;
  }
  return null;
}
