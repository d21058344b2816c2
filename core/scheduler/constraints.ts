/**
 * Constraint targets and operators, as Nomad's feasibility checker evaluates them against a
 * node: `${attr.x}`, `${meta.x}`, `${node.unique.id}`, ... and `=`, `!=`, `<`, `regexp`,
 * `version`, `semver`, `set_contains_any`, `is_set`, ...
 *
 * @module
 */
import type { Constraint, Node } from "../structs/mod.ts";
import {
  parseSemverConstraint,
  parseVersion,
  parseVersionConstraint,
  type VersionCheck,
} from "./constraints_version.ts";

/** Resolves a constraint target on a node: its value, or undefined when the node lacks it. */
export type TargetResolver = (node: Node) => string | undefined;

const resolvers = new Map<string, TargetResolver>();

function compile(target: string): TargetResolver {
  if (!target.startsWith("${")) return () => target;
  switch (target) {
    case "${node.unique.id}":
      return (n) => n.ID;
    case "${node.datacenter}":
      return (n) => n.Datacenter;
    case "${node.unique.name}":
      return (n) => n.Name;
    case "${node.class}":
      return (n) => n.NodeClass;
    case "${node.pool}":
      return (n) => n.NodePool;
  }
  const key = (prefix: string) => target.slice(prefix.length).replace(/\}$/, "");
  if (target.startsWith("${attr.")) {
    const attr = key("${attr.");
    return (n) => n.Attributes?.[attr];
  }
  if (target.startsWith("${meta.")) {
    const meta = key("${meta.");
    return (n) => n.Meta?.[meta];
  }
  return () => undefined;
}

/**
 * The resolver of a target (compiled once per target string). Literals resolve to themselves;
 * unknown interpolations resolve to nothing.
 */
export function targetResolver(target: string): TargetResolver {
  let r = resolvers.get(target);
  if (r === undefined) {
    if (resolvers.size > 10_000) resolvers.clear();
    r = compile(target);
    resolvers.set(target, r);
  }
  return r;
}

/**
 * Resolves a constraint target on a node, as Nomad's `resolveTarget` does.
 *
 * @example
 * ```ts
 * resolveTarget("${attr.kernel.name}", node); // "linux", or undefined when unset
 * ```
 */
export function resolveTarget(target: string, node: Node): string | undefined {
  return targetResolver(target)(node);
}

/** A constraint as Nomad prints it in metrics: `${attr.kernel.name} = windows`. */
export function constraintString(c: Pick<Constraint, "LTarget" | "Operand" | "RTarget">): string {
  return `${c.LTarget} ${c.Operand} ${c.RTarget}`;
}

/** Whether a target escapes computed node classes (it names something unique to a node). */
export function targetEscapes(target: string): boolean {
  return target.startsWith("${unique.") || target.startsWith("${node.unique.") ||
    target.startsWith("${attr.unique.") || target.startsWith("${meta.unique.");
}

/** The constraints whose targets escape computed node classes. */
export function escapedConstraints(constraints: readonly Constraint[]): Constraint[] {
  return constraints.filter((c) => targetEscapes(c.LTarget) || targetEscapes(c.RTarget));
}

const INT_RE = /^[+-]?[0-9]+$/;
const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_FLOAT_RE = /^[+-]?(?:inf|infinity|nan)$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInteger(s: string): bigint | undefined {
  if (!INT_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function parseFloat64(s: string): number | undefined {
  if (FLOAT_RE.test(s)) return Number(s);
  if (!SPECIAL_FLOAT_RE.test(s)) return undefined;
  const lower = s.toLowerCase().replace(/^\+/, "");
  if (lower.endsWith("nan")) return NaN;
  return lower.startsWith("-") ? -Infinity : Infinity;
}

function compareOrder<T extends bigint | number | string>(op: string, l: T, r: T): boolean {
  switch (op) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    default:
      return false;
  }
}

/** `l op r`, as integers when both parse, else as floats, else lexically (Nomad's checkOrder). */
export function checkOrder(op: string, l: string, r: string): boolean {
  const li = parseInteger(l);
  const ri = li === undefined ? undefined : parseInteger(r);
  if (li !== undefined && ri !== undefined) return compareOrder(op, li, ri);
  const lf = parseFloat64(l);
  const rf = lf === undefined ? undefined : parseFloat64(r);
  if (lf !== undefined && rf !== undefined) return compareOrder(op, lf, rf);
  return compareOrder(op, l, r);
}

function splitSet(s: string): string[] {
  return s.split(",").map((x) => x.trim());
}

/** Whether every comma-separated value of `r` is among those of `l`. */
export function setContainsAll(l: string, r: string): boolean {
  const have = new Set(splitSet(l));
  return splitSet(r).every((x) => have.has(x));
}

/** Whether any comma-separated value of `r` is among those of `l`. */
export function setContainsAny(l: string, r: string): boolean {
  const have = new Set(splitSet(l));
  return splitSet(r).some((x) => have.has(x));
}

const regexps = new Map<string, RegExp | null>();
const versionChecks = new Map<string, VersionCheck | null>();
const semverChecks = new Map<string, VersionCheck | null>();

function cached<T>(cache: Map<string, T | null>, key: string, make: () => T | undefined): T | null {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size > 10_000) cache.clear();
    v = make() ?? null;
    cache.set(key, v);
  }
  return v;
}

function compileRegexp(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** Whether `l` matches the regular expression `r` (invalid expressions match nothing). */
export function checkRegexp(l: string, r: string): boolean {
  const re = cached(regexps, r, () => compileRegexp(r));
  return re !== null && re.test(l);
}

/** Whether version `l` satisfies the go-version constraint `r` (`>= 1.2, < 2`, `~> 1.2`). */
export function checkVersion(l: string, r: string, semver = false): boolean {
  const version = parseVersion(l);
  if (version === undefined) return false;
  const check = semver
    ? cached(semverChecks, r, () => parseSemverConstraint(r))
    : cached(versionChecks, r, () => parseVersionConstraint(r));
  return check !== null && check(version);
}

/**
 * Whether a constraint (or affinity) operand holds between two resolved targets; `undefined`
 * means the node lacks the target. `distinct_hosts` and `distinct_property` always hold here:
 * they are checked against the plan elsewhere.
 *
 * @example
 * ```ts
 * checkConstraint("set_contains_any", "r1,r2", "r2,r9"); // true
 * checkConstraint("is_set", undefined, undefined); // false
 * ```
 */
export function checkConstraint(
  operand: string,
  l: string | undefined,
  r: string | undefined,
): boolean {
  switch (operand) {
    case "distinct_hosts":
    case "distinct_property":
      return true;
    case "=":
    case "==":
    case "is":
      return l !== undefined && r !== undefined && l === r;
    case "!=":
    case "not":
      // Nomad compares the zero value ("") for a missing target.
      return (l ?? "") !== (r ?? "");
    case "<":
    case "<=":
    case ">":
    case ">=":
      return l !== undefined && r !== undefined && checkOrder(operand, l, r);
    case "is_set":
      return l !== undefined;
    case "is_not_set":
      return l === undefined;
    case "version":
      return l !== undefined && r !== undefined && checkVersion(l, r);
    case "semver":
      return l !== undefined && r !== undefined && checkVersion(l, r, true);
    case "regexp":
      return l !== undefined && r !== undefined && checkRegexp(l, r);
    case "set_contains":
    case "set_contains_all":
      return l !== undefined && r !== undefined && setContainsAll(l, r);
    case "set_contains_any":
      return l !== undefined && r !== undefined && setContainsAny(l, r);
    default:
      return false;
  }
}

/** Whether a node meets one constraint (or affinity rule). */
export function meetsConstraint(
  c: Pick<Constraint, "LTarget" | "Operand" | "RTarget">,
  node: Node,
): boolean {
  return checkConstraint(
    c.Operand,
    targetResolver(c.LTarget)(node),
    targetResolver(c.RTarget)(node),
  );
}

/**
 * Matches a datacenter pattern the way Nomad does (ryanuber/go-glob): `*` matches any run of
 * characters, nothing else is special.
 */
export function globMatch(pattern: string, subject: string): boolean {
  if (pattern === "") return subject === "";
  if (pattern === "*") return true;
  const parts = pattern.split("*");
  if (parts.length === 1) return subject === pattern;
  const leading = pattern.startsWith("*");
  const trailing = pattern.endsWith("*");
  const end = parts.length - 1;
  let rest = subject;
  for (let i = 0; i < end; i++) {
    const part = parts[i] ?? "";
    const idx = rest.indexOf(part);
    if (i === 0 ? !leading && idx !== 0 : idx < 0) return false;
    rest = rest.slice(idx + part.length);
  }
  return trailing || rest.endsWith(parts[end] ?? "");
}
