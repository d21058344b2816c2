/**
 * The node reconciler of system and sysbatch jobs (Nomad's `NodeReconciler`, without system
 * deployments): every ready node of the job's datacenters and pool should run one allocation
 * of each group (per count index); this says, node by node, what to place, update, migrate,
 * stop, ignore or replace as lost. Running allocations of a disconnected node turn `unknown`
 * (and are left alone while so), unless their group's `lost_after` has passed, when they are
 * lost; those back from a disconnect are recorded as reconnected.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  AllocDesiredStatus,
  type Job,
  type Node,
  NodeStatus,
  type TaskGroup,
} from "../structs/mod.ts";
import { disconnectExpired, needsToReconnect, withClientState } from "./disconnect.ts";
import { UNKNOWN_DESCRIPTION } from "./reconcile_types.ts";
import { isTerminal, jobStopped, ranSuccessfully } from "./util.ts";

/** One allocation slot: its name, group, node and the allocation there (if any). */
export interface AllocTuple {
  readonly name: string;
  /** Null for allocations of a group the job no longer has. */
  readonly taskGroup: TaskGroup | null;
  readonly nodeId: string;
  /** The existing allocation; for placements, the terminal one it follows on this node. */
  readonly alloc: Allocation | null;
}

/** What the node reconciler decided. */
export interface NodeReconcileResult {
  place: AllocTuple[];
  /** Allocations of an older job version (in-place or destructive, decided later). */
  update: AllocTuple[];
  migrate: AllocTuple[];
  stop: AllocTuple[];
  ignore: AllocTuple[];
  lost: AllocTuple[];
  /** Running allocations of disconnected nodes, as `unknown` copies. */
  disconnecting: AllocTuple[];
  /** Allocations back from a disconnect, their status recorded again. */
  reconnecting: AllocTuple[];
}

/** The allocation names a system job wants on every node, with their groups. */
export function materializeSystemTaskGroups(job: Job | null): Map<string, TaskGroup> {
  const out = new Map<string, TaskGroup>();
  if (job === null || jobStopped(job)) return out;
  for (const tg of job.TaskGroups ?? []) {
    for (let i = 0; i < (tg.Count ?? 0); i++) out.set(`${job.Name}.${tg.Name}[${i}]`, tg);
  }
  return out;
}

/**
 * Splits allocations into live ones and the latest terminal one per node and name (by
 * `CreateIndex`).
 */
export function splitTerminalAllocs(allocs: readonly Allocation[]): {
  live: Allocation[];
  terminal: Map<string, Map<string, Allocation>>;
} {
  const live: Allocation[] = [];
  const terminal = new Map<string, Map<string, Allocation>>();
  for (const a of allocs) {
    if (!isTerminal(a)) {
      live.push(a);
      continue;
    }
    let byName = terminal.get(a.NodeID);
    if (byName === undefined) terminal.set(a.NodeID, byName = new Map());
    const prev = byName.get(a.Name);
    if (prev === undefined || a.CreateIndex > prev.CreateIndex) byName.set(a.Name, a);
  }
  return { live, terminal };
}

/** The inputs of {@link reconcileNodes}. */
export interface NodeReconcileInput {
  readonly job: Job | null;
  /** Ready, eligible nodes of the job's datacenters and pool. */
  readonly readyNodes: readonly Node[];
  /** Nodes of the pool that are not ready. */
  readonly notReady: ReadonlySet<string>;
  readonly tainted: ReadonlyMap<string, Node | null>;
  readonly live: readonly Allocation[];
  readonly terminal: ReadonlyMap<string, ReadonlyMap<string, Allocation>>;
  /** Unix nanoseconds; 0 when no allocation may have disconnected. */
  readonly now?: number;
}

/** Compares the wanted allocations of every node with the existing ones. */
export function reconcileNodes(input: NodeReconcileInput): NodeReconcileResult {
  const result: NodeReconcileResult = {
    place: [],
    update: [],
    migrate: [],
    stop: [],
    ignore: [],
    lost: [],
    disconnecting: [],
    reconnecting: [],
  };
  const byNode = new Map<string, Allocation[]>();
  const eligible = new Set<string>();
  for (const n of input.readyNodes) {
    byNode.set(n.ID, []);
    eligible.add(n.ID);
  }
  for (const a of input.live) {
    let list = byNode.get(a.NodeID);
    if (list === undefined) byNode.set(a.NodeID, list = []);
    list.push(a);
  }
  const required = materializeSystemTaskGroups(input.job);
  for (const [nodeId, allocs] of byNode) {
    computeForNode(input, nodeId, allocs, required, eligible, result);
  }
  return result;
}

function computeForNode(
  input: NodeReconcileInput,
  nodeId: string,
  allocs: readonly Allocation[],
  required: ReadonlyMap<string, TaskGroup>,
  eligible: ReadonlySet<string>,
  result: NodeReconcileResult,
): void {
  const job = input.job;
  const now = input.now ?? 0;
  const modifyIndex = job?.JobModifyIndex ?? 0;
  const existing = new Set<string>();
  for (const alloc of allocs) {
    const name = alloc.Name;
    existing.add(name);
    const tg = required.get(name);
    const tuple: AllocTuple = { name, taskGroup: tg ?? null, nodeId, alloc };
    if (tg === undefined) {
      result.stop.push(tuple);
      continue;
    }
    const cs = alloc.ClientStatus;
    const reconnect = (cs === AllocClientStatus.Unknown || cs === AllocClientStatus.Running) &&
      needsToReconnect(alloc);
    if (alloc.DesiredTransition.Migrate === true) {
      result.migrate.push(tuple);
      continue;
    }
    if (reconnect && disconnectExpired(alloc, job, now)) {
      result.lost.push(tuple);
      continue;
    }
    // Unknown allocations wait for their node to come back (or for `lost_after`).
    if (cs === AllocClientStatus.Unknown && alloc.DesiredStatus === AllocDesiredStatus.Run) {
      result.ignore.push(tuple);
      continue;
    }
    if (reconnect && !input.tainted.has(nodeId)) {
      result.reconnecting.push({ ...tuple, alloc: withClientState(alloc, cs, now) });
      continue;
    }
    const changed = (alloc.Job?.JobModifyIndex ?? modifyIndex) !== modifyIndex;
    if (input.tainted.has(nodeId)) {
      const node = input.tainted.get(nodeId) ?? null;
      // A sysbatch allocation that finished is done, wherever its node went.
      if (job?.Type === "sysbatch" && ranSuccessfully(alloc)) result.ignore.push(tuple);
      else if (node?.Status === NodeStatus.Disconnected && cs === AllocClientStatus.Running) {
        const u = withClientState(alloc, AllocClientStatus.Unknown, now);
        u.ClientStatus = AllocClientStatus.Unknown;
        u.ClientDescription = UNKNOWN_DESCRIPTION;
        result.disconnecting.push({ ...tuple, alloc: u });
      } else if (node === null || node.Status === NodeStatus.Down) result.lost.push(tuple);
      else result.ignore.push(tuple);
      continue;
    }
    if (input.notReady.has(nodeId)) {
      (changed ? result.stop : result.ignore).push(tuple);
      continue;
    }
    if (!eligible.has(nodeId)) {
      result.stop.push(tuple);
      continue;
    }
    (changed ? result.update : result.ignore).push(tuple);
  }

  for (const [name, tg] of required) {
    if (existing.has(name)) continue;
    const term = input.terminal.get(nodeId)?.get(name) ?? null;
    if (job?.Type === "sysbatch" && term !== null) {
      // A sysbatch allocation runs once per job version.
      const changed = (term.Job?.JobModifyIndex ?? 0) !== (job.JobModifyIndex ?? 0);
      (changed ? result.update : result.ignore).push({ name, taskGroup: tg, nodeId, alloc: term });
      continue;
    }
    if (input.tainted.has(nodeId) || !eligible.has(nodeId)) continue;
    result.place.push({ name, taskGroup: tg, nodeId, alloc: term });
  }
}
