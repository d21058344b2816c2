/**
 * Version constraints as Nomad checks them: the `version` operator uses hashicorp/go-version
 * (lenient versions, `~>` pessimistic constraints, pre-releases only match pre-release
 * constraints), the `semver` operator uses Nomad's strict Semver 2.0 constraints.
 *
 * @module
 */

// go-version's VersionRegexpRaw and SemverRegexpRaw (the latter needs a `-` before a
// pre-release). Group 1 is the numeric segments, 4 or 7 the pre-release, 10 the metadata.
const PRE_NUM = String.raw`([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)`;
const PRE_ALPHA = String.raw`([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)`;
const META = String.raw`(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))??`;
const VERSION_RAW = String.raw`v?([0-9]+(\.[0-9]+)*?)(-${PRE_NUM}|(-?${PRE_ALPHA}))?${META}`;
const SEMVER_RAW = String.raw`v?([0-9]+(\.[0-9]+)*?)(-${PRE_NUM}|(-${PRE_ALPHA}))?${META}`;
const VERSION_RE = new RegExp(`^${VERSION_RAW}$`);
const SEMVER_RE = new RegExp(`^${SEMVER_RAW}$`);
// Go's `\s` is ASCII whitespace only.
const CONSTRAINT_RE = new RegExp(
  `^[\\t\\n\\f\\r ]*(<=|>=|!=|~>|<|>|=|)[\\t\\n\\f\\r ]*(${VERSION_RAW})[\\t\\n\\f\\r ]*$`,
);
const SEMVER_CONSTRAINT_RE = new RegExp(
  `^[\\t\\n\\f\\r ]*(<=|>=|!=|<|>|=|)[\\t\\n\\f\\r ]*(${SEMVER_RAW})[\\t\\n\\f\\r ]*$`,
);
const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;

/** A parsed version: numeric segments (at least three), pre-release and metadata. */
export interface Version {
  readonly segments: readonly number[];
  /** How many segments were written (`1.2` has 2). */
  readonly written: number;
  readonly pre: string;
  readonly metadata: string;
}

/** A checker for one constraint string, such as `>= 1.2, < 2`. */
export type VersionCheck = (v: Version) => boolean;

function parseWith(text: string, re: RegExp): Version | undefined {
  const m = re.exec(text);
  if (m === null) return undefined;
  const written = (m[1] ?? "").split(".");
  const segments: number[] = [];
  for (const s of written) {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) return undefined;
    segments.push(n);
  }
  while (segments.length < 3) segments.push(0);
  return { segments, written: written.length, pre: m[7] || m[4] || "", metadata: m[10] ?? "" };
}

/** Parses a version the lenient go-version way (`v1.2`, `1.2.3-beta+meta`, `1.2beta`). */
export function parseVersion(text: string): Version | undefined {
  return parseWith(text, VERSION_RE);
}

/** Parses a strict Semver 2.0 version (a pre-release needs a `-`). */
export function parseSemver(text: string): Version | undefined {
  return parseWith(text, SEMVER_RE);
}

/** The canonical text of a version: `1.2.0-beta+meta`. */
export function versionString(v: Version): string {
  let s = v.segments.join(".");
  if (v.pre !== "") s += `-${v.pre}`;
  if (v.metadata !== "") s += `+${v.metadata}`;
  return s;
}

function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : n;
}

function comparePart(self: string, other: string): number {
  if (self === other) return 0;
  const selfInt = parseInt64(self);
  const otherInt = parseInt64(other);
  if (self === "") return otherInt !== undefined ? -1 : 1;
  if (other === "") return selfInt !== undefined ? 1 : -1;
  if (selfInt !== undefined && otherInt === undefined) return -1;
  if (selfInt === undefined && otherInt !== undefined) return 1;
  if (selfInt === undefined && otherInt === undefined && self > other) return 1;
  if ((selfInt ?? 0n) > (otherInt ?? 0n)) return 1;
  return -1;
}

function comparePrereleases(self: string, other: string): number {
  if (self === other) return 0;
  const a = self.split(".");
  const b = other.split(".");
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(a[i] ?? "", b[i] ?? "");
    if (c !== 0) return c;
  }
  return 0;
}

function equalSegments(a: Version, b: Version): boolean {
  if (a.segments.length !== b.segments.length) return false;
  return a.segments.every((s, i) => s === b.segments[i]);
}

/** Compares two versions the go-version way: -1, 0 or 1. Metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  if (versionString(a) === versionString(b)) return 0;
  if (equalSegments(a, b)) {
    if (a.pre === "" && b.pre === "") return 0;
    if (a.pre === "") return 1;
    if (b.pre === "") return -1;
    return comparePrereleases(a.pre, b.pre);
  }
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const l = a.segments[i];
    const r = b.segments[i];
    if (l === undefined) return b.segments.slice(i).every((s) => s === 0) ? 0 : -1;
    if (r === undefined) return a.segments.slice(i).every((s) => s === 0) ? 0 : 1;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

function prereleaseCheck(v: Version, c: Version): boolean {
  const vPre = v.pre !== "";
  const cPre = c.pre !== "";
  if (cPre && vPre) return equalSegments(v, c);
  return !(vPre && !cPre);
}

function pessimistic(v: Version, c: Version): boolean {
  if (!prereleaseCheck(v, c) || (c.pre !== "" && v.pre === "")) return false;
  if (compareVersions(v, c) < 0) return false;
  const cs = c.segments.length;
  if (cs > v.segments.length) return false;
  for (let i = 0; i < c.written - 1; i++) {
    if (v.segments[i] !== c.segments[i]) return false;
  }
  return (c.segments[cs - 1] ?? 0) <= (v.segments[cs - 1] ?? 0);
}

type Op = (v: Version, c: Version) => boolean;

const VERSION_OPS: Readonly<Record<string, Op>> = {
  "": (v, c) => compareVersions(v, c) === 0,
  "=": (v, c) => compareVersions(v, c) === 0,
  "!=": (v, c) => compareVersions(v, c) !== 0,
  ">": (v, c) => prereleaseCheck(v, c) && compareVersions(v, c) === 1,
  "<": (v, c) => prereleaseCheck(v, c) && compareVersions(v, c) === -1,
  ">=": (v, c) => prereleaseCheck(v, c) && compareVersions(v, c) >= 0,
  "<=": (v, c) => prereleaseCheck(v, c) && compareVersions(v, c) <= 0,
  "~>": pessimistic,
};

const SEMVER_OPS: Readonly<Record<string, Op>> = {
  "": (v, c) => compareVersions(v, c) === 0,
  "=": (v, c) => compareVersions(v, c) === 0,
  "!=": (v, c) => compareVersions(v, c) !== 0,
  ">": (v, c) => compareVersions(v, c) === 1,
  "<": (v, c) => compareVersions(v, c) === -1,
  ">=": (v, c) => compareVersions(v, c) >= 0,
  "<=": (v, c) => compareVersions(v, c) <= 0,
};

function parseConstraints(
  text: string,
  re: RegExp,
  ops: Readonly<Record<string, Op>>,
  parse: (s: string) => Version | undefined,
): VersionCheck | undefined {
  const checks: Array<[Op, Version]> = [];
  for (const single of text.split(",")) {
    const m = re.exec(single);
    if (m === null) return undefined;
    const op = ops[m[1] ?? ""];
    const version = parse(m[2] ?? "");
    if (op === undefined || version === undefined) return undefined;
    checks.push([op, version]);
  }
  return (v) => checks.every(([op, c]) => op(v, c));
}

/**
 * Parses a go-version constraint string (`>= 1.0, < 2`, `~> 1.2`), or undefined when malformed.
 *
 * @example
 * ```ts
 * const check = parseVersionConstraint("~> 1.2")!;
 * check(parseVersion("1.9.1")!); // true
 * ```
 */
export function parseVersionConstraint(text: string): VersionCheck | undefined {
  return parseConstraints(text, CONSTRAINT_RE, VERSION_OPS, parseVersion);
}

/** Parses a strict Semver constraint string (`>= 1.0.0-beta`), or undefined when malformed. */
export function parseSemverConstraint(text: string): VersionCheck | undefined {
  return parseConstraints(text, SEMVER_CONSTRAINT_RE, SEMVER_OPS, parseSemver);
}
