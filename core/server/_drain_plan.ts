/**
 * What the drainer does next, decided on a state snapshot (pure, so it is tested without
 * timers): which allocations on draining nodes to mark for migration, and which nodes are done.
 *
 * As Nomad's drainer:
 * - a service group moves at most `migrate.max_parallel` allocations at a time, and only while
 *   the group keeps `count - max_parallel` allocations that have reported their health and are
 *   not themselves moving: a replacement must be healthy before the next one goes;
 * - batch allocations are left to finish, until the drain deadline;
 * - system allocations go once everything else has left the node (never with
 *   `IgnoreSystemJobs`);
 * - at the deadline (or with a negative deadline, `-force`) every remaining allocation goes;
 * - a node is done when none of the allocations it must lose is left running there.
 *
 * @module
 */
import { isClientTerminal, isTerminal, timeToNs } from "../scheduler/mod.ts";
import type { Allocation, Job, Node } from "../structs/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";

/** The drainer's next step. */
export interface DrainStep {
  /** Allocations to mark `DesiredTransition.Migrate`, with the node whose drain moves them. */
  readonly migrate: { alloc: Allocation; nodeId: string }[];
  /** Draining nodes with nothing left to move. */
  readonly complete: string[];
  /** The earliest drain deadline still ahead, in ns (`Infinity` when none). */
  readonly nextDeadline: number;
}

const isSystem = (job: Job | null) => job?.Type === "system" || job?.Type === "sysbatch";

/** Whether the allocation reported its health and is not itself being moved. */
function healthyForMigration(a: Allocation): boolean {
  return !isTerminal(a) && a.DeploymentStatus?.Healthy != null &&
    a.DesiredTransition.Migrate !== true;
}

/**
 * The service allocations of one job on draining nodes that may move now: per task group,
 * `healthy - (count - max_parallel)` of those not yet marked.
 */
function pacedMigrations(
  job: Job,
  allocs: readonly Allocation[],
  draining: ReadonlySet<string>,
): Allocation[] {
  const out: Allocation[] = [];
  for (const group of job.TaskGroups ?? []) {
    const mine = allocs.filter((a) => a.TaskGroup === group.Name);
    const healthy = mine.filter(healthyForMigration).length;
    const drainable = mine.filter((a) =>
      draining.has(a.NodeID) && !isTerminal(a) && !isClientTerminal(a) &&
      a.DesiredTransition.Migrate !== true
    );
    const maxParallel = group.Migrate?.MaxParallel ?? 1;
    const n = Math.min(drainable.length, healthy - ((group.Count ?? 0) - maxParallel));
    if (n > 0) out.push(...drainable.slice(0, n));
  }
  return out;
}

/** Decides the drainer's next step for the `draining` nodes at time `nowNs`. */
export function planDrain(
  snap: StateSnapshot,
  draining: Iterable<string>,
  nowNs: number,
): DrainStep {
  const nodes: Node[] = [];
  for (const id of draining) {
    const node = snap.node(id);
    if (node?.DrainStrategy) nodes.push(node);
  }
  const drainingIds = new Set(nodes.map((n) => n.ID));
  const migrate: { alloc: Allocation; nodeId: string }[] = [];
  const complete: string[] = [];
  const pacedJobs = new Set<string>(); // service jobs with allocations to move
  let nextDeadline = Infinity;
  for (const node of nodes) {
    const drain = node.DrainStrategy!;
    const deadline = timeToNs(drain.ForceDeadline);
    const forced = drain.Deadline < 0 || (deadline > 0 && nowNs >= deadline);
    if (deadline > nowNs) nextDeadline = Math.min(nextDeadline, deadline);
    const live = snap.allocsByNode(node.ID).filter((a) => !isTerminal(a));
    const others = live.filter((a) => !isSystem(a.Job));
    const system = drain.IgnoreSystemJobs ? [] : live.filter((a) => isSystem(a.Job));
    if (others.length + system.length === 0) {
      complete.push(node.ID);
      continue;
    }
    const unmarked = (a: Allocation) => a.DesiredTransition.Migrate !== true && a.Job !== null;
    if (forced) {
      for (const a of [...others, ...system].filter(unmarked)) {
        migrate.push({ alloc: a, nodeId: node.ID });
      }
      continue;
    }
    if (others.length === 0) {
      for (const a of system.filter(unmarked)) migrate.push({ alloc: a, nodeId: node.ID });
      continue;
    }
    for (const a of others) {
      if (a.Job?.Type === "service") pacedJobs.add(`${a.Namespace}\u0000${a.JobID}`);
    }
  }
  const marked = new Set(migrate.map((m) => m.alloc.ID));
  for (const key of pacedJobs) {
    const [namespace, jobId] = key.split("\u0000") as [string, string];
    const job = snap.job(namespace, jobId);
    if (job === undefined) continue;
    for (const alloc of pacedMigrations(job, snap.allocsByJob(namespace, jobId), drainingIds)) {
      if (!marked.has(alloc.ID)) migrate.push({ alloc, nodeId: alloc.NodeID });
    }
  }
  return { migrate, complete, nextDeadline };
}
