/**
 * The checks that look at the plan: `distinct_hosts` (no two allocations of the job, or group,
 * on one node) and `distinct_property` (at most N allocations per value of a node property),
 * and the property counts that spread scoring shares.
 *
 * Counts come from the proposed allocations of the nodes the job uses: the nodes of its
 * allocations in the state, and every node this stack has selected.
 *
 * @module
 */
import type { Constraint, Job, Node, TaskGroup } from "../structs/mod.ts";
import { targetResolver } from "./constraints.ts";
import { parseGoBool } from "../structs/go_bool.ts";
import { isTerminal } from "./util.ts";
import { type CountQuery, countQuery, type UsageCache } from "./resources_usage.ts";
import type { SchedulerState } from "./types.ts";

/** Whether a list of constraints turns `distinct_hosts` on (an empty value means true). */
export function hasDistinctHosts(constraints: readonly Constraint[] | null): boolean {
  const c = (constraints ?? []).find((c) => c.Operand === "distinct_hosts");
  if (c === undefined) return false;
  return c.RTarget === "" || parseGoBool(c.RTarget) !== false;
}

/**
 * The count that must be zero on a node for distinct_hosts: with a job-level constraint no
 * allocation of the job may be there, with a group-level one no allocation of the same group.
 */
export function distinctHostsQuery(job: Job, tg: string, jobLevel: boolean): CountQuery {
  const ns = job.Namespace ?? "default";
  const id = job.ID ?? "";
  return jobLevel ? countQuery("job", ns, id, "") : countQuery("job-group", ns, id, tg);
}

/** The nodes a job's allocations are or will be on. */
export class PlacementTracker {
  readonly #touched = new Map<string, Node>();
  /** Node ID -> groups with non-terminal allocations there in the state. */
  readonly #existing = new Map<string, Set<string>>();

  constructor(state: SchedulerState, job: Job) {
    for (const a of state.allocsByJob(job.Namespace ?? "default", job.ID ?? "")) {
      const node = this.#touched.get(a.NodeID) ?? state.node(a.NodeID);
      if (node === undefined) continue;
      this.#touched.set(a.NodeID, node);
      if (isTerminal(a)) continue;
      let groups = this.#existing.get(a.NodeID);
      if (groups === undefined) this.#existing.set(a.NodeID, groups = new Set());
      groups.add(a.TaskGroup);
    }
  }

  /** Notes a node the stack selected (the plan may now place the job there). */
  noteSelected(node: Node): void {
    if (!this.#touched.has(node.ID)) this.#touched.set(node.ID, node);
  }

  /** The nodes to count allocations on. */
  nodes(): IterableIterator<Node> {
    return this.#touched.values();
  }

  /** Whether the state has non-terminal allocations of the job (or group) on the node. */
  hadExisting(nodeId: string, group: string): boolean {
    const groups = this.#existing.get(nodeId);
    return groups !== undefined && (group === "" || groups.has(group));
  }
}

/**
 * How often each value of a node property is used by a job's (or group's) allocations: Nomad's
 * propertySet. With target values (spread), other values count under `*`.
 */
export class PropertySet {
  readonly attribute: string;
  /** The group the set counts, or "" for the whole job. */
  readonly group: string;
  /** How many allocations may share a value (distinct_property). */
  readonly allowed: number;
  readonly #error: string | null;
  readonly #targets: ReadonlySet<string>;
  #combined = new Map<string, number>();
  #min = 0;
  #max = 0;
  readonly #resolve: (node: Node) => string | undefined;

  constructor(opts: {
    attribute: string;
    group: string;
    allowed?: number;
    error?: string | null;
    targets?: readonly string[];
  }) {
    this.attribute = opts.attribute;
    this.group = opts.group;
    this.allowed = opts.allowed ?? 0;
    this.#error = opts.error ?? null;
    this.#targets = new Set(opts.targets ?? []);
    this.#resolve = targetResolver(this.attribute);
  }

  /** Builds the set of a distinct_property constraint (RTarget: allowed count, default 1). */
  static forConstraint(c: Constraint, group: string): PropertySet {
    if (c.RTarget === "") return new PropertySet({ attribute: c.LTarget, group, allowed: 1 });
    if (!/^[0-9]+$/.test(c.RTarget)) {
      const error = `failed to convert RTarget ${JSON.stringify(c.RTarget)} to uint64: ` +
        `strconv.ParseUint: parsing ${JSON.stringify(c.RTarget)}: invalid syntax`;
      return new PropertySet({ attribute: c.LTarget, group, error });
    }
    return new PropertySet({ attribute: c.LTarget, group, allowed: Number(c.RTarget) });
  }

  /** The value counted for a node value: itself, or `*` when it is not a spread target. */
  targeted(value: string): string {
    return this.#targets.size === 0 || this.#targets.has(value) ? value : "*";
  }

  /** Recounts from the proposed allocations of the tracked nodes (Nomad's PopulateProposed). */
  populate(job: Job, tracker: PlacementTracker, usage: UsageCache): void {
    const combined = new Map<string, number>();
    const resolve = targetResolver(this.attribute);
    const kind = this.group === "" ? "live-job" : "live-job-group";
    const q = countQuery(kind, job.Namespace ?? "default", job.ID ?? "", this.group);
    for (const node of tracker.nodes()) {
      const value = this.attribute === "" ? undefined : resolve(node);
      if (value === undefined) continue;
      const n = usage.count(node, q);
      if (n === 0 && !tracker.hadExisting(node.ID, this.group)) continue;
      const key = this.targeted(value);
      combined.set(key, (combined.get(key) ?? 0) + n);
    }
    this.#combined = combined;
    // Nomad's even spread takes a zero count for "no minimum (maximum) yet".
    let min = 0;
    let max = 0;
    for (const v of combined.values()) {
      if (min === 0 || v < min) min = v;
      if (max === 0 || v > max) max = v;
    }
    this.#min = min;
    this.#max = max;
  }

  /** The least and most used counts, as Nomad's even spread computes them. */
  extremes(): { min: number; max: number } {
    return { min: this.#min, max: this.#max };
  }

  /** The count of each (targeted) value. */
  combinedUse(): ReadonlyMap<string, number> {
    return this.#combined;
  }

  /** The node's value of the property, undefined when it has none. */
  valueOf(node: Node): string | undefined {
    return this.attribute === "" ? undefined : this.#resolve(node);
  }

  /** A node's (targeted) value and how often it is used, or why it cannot be known. */
  usedCount(node: Node, raw = this.valueOf(node)): { value: string; error: string; count: number } {
    if (this.#error !== null) return { value: "", error: this.#error, count: 0 };
    if (raw === undefined) {
      return { value: "", error: `missing property ${JSON.stringify(this.attribute)}`, count: 0 };
    }
    const value = this.targeted(raw);
    return { value, error: "", count: this.#combined.get(value) ?? 0 };
  }

  /** Whether one more allocation may use the node's value, else Nomad's reason. */
  satisfies(node: Node): string | null {
    const { value, error, count } = this.usedCount(node);
    if (error !== "") return error;
    if (count < this.allowed) return null;
    return `distinct_property: ${this.attribute}=${value} used by ${count} allocs`;
  }
}

/** The distinct_property sets of a job (job-level) and of each of its groups. */
export class DistinctProperties {
  readonly #jobSets: PropertySet[];
  readonly #groupSets = new Map<string, PropertySet[]>();

  constructor(job: Job) {
    this.#jobSets = (job.Constraints ?? []).filter((c) => c.Operand === "distinct_property")
      .map((c) => PropertySet.forConstraint(c, ""));
  }

  /** The sets that apply to a group (the job's first). */
  setsFor(tg: TaskGroup): PropertySet[] {
    const name = tg.Name ?? "";
    let sets = this.#groupSets.get(name);
    if (sets === undefined) {
      sets = (tg.Constraints ?? []).filter((c) => c.Operand === "distinct_property")
        .map((c) => PropertySet.forConstraint(c, name));
      this.#groupSets.set(name, sets);
    }
    return sets.length === 0 ? this.#jobSets : [...this.#jobSets, ...sets];
  }
}
