/**
 * Caching feasibility by computed node class, as Nomad does: nodes that share datacenter,
 * attributes, meta, class, pool and devices (ignoring `unique.` keys) pass or fail the same
 * job and group checks, so each class is checked once per evaluation. Constraints on unique
 * targets "escape" the cache and are checked on every node.
 *
 * @module
 */
import type { Job, Node } from "../structs/mod.ts";
import { escapedConstraints } from "./constraints.ts";
import { type CheckContext, type Checker, FilterReason } from "./feasible.ts";

const classes = new WeakMap<Node, string>();

/** A 53-bit string hash (cyrb53). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Appends a map's non-unique entries, in key order. */
function appendMap(parts: string[], m: Record<string, unknown> | null | undefined): void {
  if (m === null || m === undefined) {
    parts.push("\u0001");
    return;
  }
  for (const k of Object.keys(m).sort()) if (!k.startsWith("unique.")) parts.push(k, String(m[k]));
  parts.push("\u0001");
}

/**
 * A node's computed class: its own `ComputedClass` when the server set one, else a hash of
 * what Nomad hashes (datacenter, non-unique attributes and meta, node class, pool, devices).
 * Servers should store it on the node when it registers, so that blocked evaluations and the
 * stack agree on class names.
 */
export function computedClass(node: Node): string {
  if (node.ComputedClass !== "") return node.ComputedClass;
  let c = classes.get(node);
  if (c === undefined) {
    const parts = [node.Datacenter, node.NodeClass, node.NodePool];
    appendMap(parts, node.Attributes);
    appendMap(parts, node.Meta);
    for (const d of node.NodeResources?.Devices ?? []) {
      parts.push(d.Vendor, d.Type, d.Name);
      appendMap(parts, (d as { Attributes?: Record<string, unknown> | null }).Attributes);
    }
    c = `v1:${hash53(parts.join("\u0000"))}`;
    classes.set(node, c);
  }
  return c;
}

/** Whether a class passed, failed, is not known yet, or cannot be cached (escaped). */
export type ClassStatus = "unknown" | "eligible" | "ineligible" | "escaped";

/** Feasibility by computed class over one evaluation (Nomad's EvalEligibility). */
export class EvalEligibility {
  #job = new Map<string, boolean>();
  #jobEscaped = false;
  #groups = new Map<string, Map<string, boolean>>();
  #groupEscaped = new Map<string, boolean>();

  /** Forgets every class (the system stack does this before each placement). */
  reset(): void {
    this.#job = new Map();
    this.#groups = new Map();
    this.#groupEscaped = new Map();
  }

  /** Notes which of the job's and groups' constraints escape classes; forgets old verdicts. */
  setJob(job: Job): void {
    this.#job = new Map();
    this.#groups = new Map();
    this.#jobEscaped = escapedConstraints(job.Constraints ?? []).length > 0;
    this.#groupEscaped = new Map();
    for (const tg of job.TaskGroups ?? []) {
      const constraints = [...(tg.Constraints ?? [])];
      for (const t of tg.Tasks ?? []) constraints.push(...(t.Constraints ?? []));
      const csi = Object.values(tg.Volumes ?? {}).some((v) => v.Type === "csi");
      this.#groupEscaped.set(tg.Name ?? "", escapedConstraints(constraints).length > 0 || csi);
    }
  }

  /** Whether any constraint of the job escapes computed classes. */
  hasEscaped(): boolean {
    return this.#jobEscaped || [...this.#groupEscaped.values()].some((e) => e);
  }

  /**
   * The classes seen, true when some group may run there (Nomad's GetClasses, which blocked
   * evaluations keep as `ClassEligibility`).
   */
  classes(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const byClass of this.#groups.values()) {
      for (const [cls, ok] of byClass) {
        if (ok) out[cls] = true;
        else if (!(cls in out)) out[cls] = false;
      }
    }
    for (const [cls, ok] of this.#job) {
      if (ok) {
        if (!(cls in out)) out[cls] = true;
      } else out[cls] = false;
    }
    return out;
  }

  /** The job's verdict for a class. */
  jobStatus(cls: string): ClassStatus {
    if (this.#jobEscaped) return "escaped";
    const v = this.#job.get(cls);
    return v === undefined ? "unknown" : v ? "eligible" : "ineligible";
  }

  /** Records the job's verdict for a class. */
  setJobEligibility(ok: boolean, cls: string): void {
    this.#job.set(cls, ok);
  }

  /** A group's verdict for a class. */
  groupStatus(tg: string, cls: string): ClassStatus {
    if (this.#groupEscaped.get(tg) === true) return "escaped";
    const v = this.#groups.get(tg)?.get(cls);
    return v === undefined ? "unknown" : v ? "eligible" : "ineligible";
  }

  /** Records a group's verdict for a class. */
  setGroupEligibility(ok: boolean, tg: string, cls: string): void {
    let m = this.#groups.get(tg);
    if (m === undefined) this.#groups.set(tg, m = new Map());
    m.set(cls, ok);
  }
}

/** The checks the wrapper runs: cached by class (job, group) or always (available). */
export interface WrappedChecks {
  readonly job: readonly Checker[];
  readonly group: readonly Checker[];
  /** Transient checks (host and CSI volumes) that never touch the class cache. */
  readonly available: readonly Checker[];
}

/**
 * Whether a node passes the job and group checks, consulting and filling the class cache the
 * way Nomad's FeasibilityWrapper does.
 */
export function wrappedFeasible(
  ctx: CheckContext,
  elig: EvalEligibility,
  checks: WrappedChecks,
  tg: string,
  node: Node,
  cls: string = computedClass(node),
): boolean {
  const jobStatus = elig.jobStatus(cls);
  if (jobStatus === "ineligible") {
    ctx.metrics.filterNode(node, FilterReason.ClassIneligible);
    return false;
  }
  // Nomad re-runs the job checks on an eligible class; they only look at what the class
  // hashes, so they would pass again: skip them.
  if (jobStatus !== "eligible") {
    for (const check of checks.job) {
      if (!check(node)) {
        if (jobStatus !== "escaped") elig.setJobEligibility(false, cls);
        return false;
      }
    }
    if (jobStatus === "unknown") elig.setJobEligibility(true, cls);
  }

  const tgStatus = elig.groupStatus(tg, cls);
  if (tgStatus === "ineligible") {
    ctx.metrics.filterNode(node, FilterReason.ClassIneligible);
    return false;
  }
  if (tgStatus !== "eligible") {
    for (const check of checks.group) {
      if (!check(node)) {
        if (tgStatus !== "escaped") elig.setGroupEligibility(false, tg, cls);
        return false;
      }
    }
    if (tgStatus === "unknown") elig.setGroupEligibility(true, tg, cls);
  }
  return checks.available.every((check) => check(node));
}
