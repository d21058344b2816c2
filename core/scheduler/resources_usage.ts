/**
 * What the proposed allocations of a node use (CPU, memory, disk, cores, ports, bandwidth),
 * cached per node and recomputed only when the plan changes what is on that node.
 *
 * A {@link PlanView} may offer `nodeVersion(nodeId)` (see {@link VersionedPlanView}); then a
 * node's use is recomputed only when its version changes. Without it, the proposed list is
 * fetched and compared element by element with the cached one (allocations are immutable
 * values: a changed allocation is a new object).
 *
 * @module
 */
import type { Allocation, Node } from "../structs/mod.ts";
import type { PlanView } from "./types.ts";
import { networkBase, PortUsage } from "./network.ts";
import { comparable, type NodeCapacity, nodeCapacity, type Utilization } from "./resources.ts";
import { isClientTerminal, isTerminal } from "./util.ts";

/** A {@link PlanView} that tells when the proposed allocations of a node change. */
export interface VersionedPlanView extends PlanView {
  /** A number that changes whenever `proposedAllocs(nodeId)` may give something else. */
  nodeVersion(nodeId: string): number;
}

/** What the proposed allocations of one node use. */
export interface NodeUsage {
  /** What the node offers. */
  readonly cap: NodeCapacity;
  readonly allocs: readonly Allocation[];
  /** How many proposed allocations the client has not finished. */
  readonly count: number;
  readonly util: Readonly<Utilization>;
  readonly cores: ReadonlySet<number>;
  readonly coreOverlap: boolean;
  readonly ports: PortUsage;
  /** Counts already asked for, by {@link CountQuery} key. */
  counts: Map<string, number> | null;
}

interface Entry {
  node: Node;
  version: number;
  usage: NodeUsage;
}

/** What a list of allocations uses on a node (client-terminal ones use nothing). */
export function computeUsage(node: Node, allocs: readonly Allocation[]): NodeUsage {
  const util: Utilization = { cpu: 0, memory: 0, disk: 0 };
  const cores = new Set<number>();
  const ports = new PortUsage(networkBase(node));
  let overlap = false;
  let count = 0;
  for (const a of allocs) {
    if (isClientTerminal(a)) continue;
    count++;
    const c = comparable(a.AllocatedResources);
    util.cpu += c.cpu;
    util.memory += c.memory;
    util.disk += c.disk;
    for (const core of c.cores) {
      if (cores.has(core)) overlap = true;
      cores.add(core);
    }
    ports.addAlloc(a);
  }
  const cap = nodeCapacity(node);
  return { cap, allocs, count, util, cores, coreOverlap: overlap, ports, counts: null };
}

function sameList(a: readonly Allocation[], b: readonly Allocation[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Which allocations a count query selects. */
export type CountKind =
  /** Same job ID and task group, any namespace (job anti-affinity). */
  | "group"
  /** Same namespace and job (distinct_hosts on the job). */
  | "job"
  /** Same namespace, job and task group (distinct_hosts on a group). */
  | "job-group"
  /** Same namespace and job, not terminal (distinct_property, spread on the job). */
  | "live-job"
  /** Same namespace, job and group, not terminal (distinct_property, spread on a group). */
  | "live-job-group";

/** A count of a job's (or group's) allocations on a node; make it once, ask it often. */
export interface CountQuery {
  readonly kind: CountKind;
  readonly namespace: string;
  readonly jobId: string;
  readonly group: string;
  readonly key: string;
}

/** Makes a {@link CountQuery}. */
export function countQuery(
  kind: CountKind,
  namespace: string,
  jobId: string,
  group: string,
): CountQuery {
  return {
    kind,
    namespace,
    jobId,
    group,
    key: `${kind}\u0000${namespace}\u0000${jobId}\u0000${group}`,
  };
}

/** Per-node usage of the proposed allocations, cached across placements of one plan. */
export class UsageCache {
  readonly #plan: PlanView;
  readonly #versioned: VersionedPlanView | null;
  readonly #entries = new Map<string, Entry>();

  constructor(plan: PlanView) {
    this.#plan = plan;
    const v = plan as Partial<VersionedPlanView>;
    this.#versioned = typeof v.nodeVersion === "function" ? plan as VersionedPlanView : null;
  }

  #entry(node: Node): Entry {
    const cached = this.#entries.get(node.ID);
    if (this.#versioned !== null) {
      const version = this.#versioned.nodeVersion(node.ID);
      if (cached !== undefined && cached.version === version && cached.node === node) {
        return cached;
      }
      const e = {
        node,
        version,
        usage: computeUsage(node, this.#plan.proposedAllocs(node.ID)),
        counts: null,
      };
      this.#entries.set(node.ID, e);
      return e;
    }
    const allocs = this.#plan.proposedAllocs(node.ID);
    if (cached !== undefined && cached.node === node && sameList(cached.usage.allocs, allocs)) {
      return cached;
    }
    const e = { node, version: 0, usage: computeUsage(node, allocs) };
    this.#entries.set(node.ID, e);
    return e;
  }

  /** What the proposed allocations of a node use. */
  usage(node: Node): NodeUsage {
    return this.#entry(node).usage;
  }

  /**
   * How many proposed (not client-terminal) allocations of a node belong to a job (and
   * group), by the query's {@link CountKind}.
   */
  count(node: Node, q: CountQuery): number {
    return countIn(this.usage(node), q);
  }
}

/** {@link UsageCache.count} on a node's usage. */
export function countIn(usage: NodeUsage, q: CountQuery): number {
  const hit = usage.counts?.get(q.key);
  if (hit !== undefined) return hit;
  let n = 0;
  for (const a of usage.allocs) {
    if (a.JobID !== q.jobId || isClientTerminal(a)) continue;
    switch (q.kind) {
      case "group":
        if (a.TaskGroup === q.group) n++;
        break;
      case "job":
        if (a.Namespace === q.namespace) n++;
        break;
      case "job-group":
        if (a.Namespace === q.namespace && a.TaskGroup === q.group) n++;
        break;
      case "live-job":
        if (a.Namespace === q.namespace && !isTerminal(a)) n++;
        break;
      case "live-job-group":
        if (a.Namespace === q.namespace && a.TaskGroup === q.group && !isTerminal(a)) n++;
        break;
    }
  }
  (usage.counts ??= new Map()).set(q.key, n);
  return n;
}
