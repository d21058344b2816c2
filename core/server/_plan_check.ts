/**
 * The plan applier's re-check (Nomad's `evaluatePlan`): every node a plan places on is checked
 * again against the latest state — it still exists, is ready and eligible, and the allocations
 * it would run (what it runs now, plus what plans still being written place there, minus what
 * this plan stops, plus what it places) fit its CPU, memory, disk, cores, allocation limit and
 * ports. Nodes that no longer fit are left out (a partial commit, with a `RefreshIndex` that
 * sends the worker back to the scheduler), or the whole plan is when it is `AllAtOnce`.
 *
 * The work is per node of the plan, and per allocation on those nodes: never over every
 * allocation of the cluster.
 *
 * @module
 */
import type { Plan, PlanResult, SchedulerState } from "../scheduler/mod.ts";
import { isClientTerminal, isTerminal, replaceOnDisconnect } from "../scheduler/mod.ts";
import { comparable, exhaustedDimension, nodeCapacity } from "../scheduler/resources.ts";
import { networkBase, PortUsage } from "../scheduler/network.ts";
import type { Allocation, Deployment, Node } from "../structs/mod.ts";

/** Whether a node's part of a plan fits, and why not. */
export interface NodeFit {
  readonly fit: boolean;
  readonly reason: string;
}

const FIT: NodeFit = { fit: true, reason: "" };

function reject(reason: string): NodeFit {
  return { fit: false, reason };
}

/**
 * The allocations that will run on a node once the plans being written are applied: its
 * non-terminal allocations, with the in-flight plans' stops removed and placements added
 * (placements replace allocations with the same ID).
 */
export function liveAllocs(
  state: SchedulerState,
  nodeId: string,
  inflight: readonly PlanResult[],
): Allocation[] {
  const base = state.allocsByNode(nodeId);
  if (inflight.length === 0) return base.filter((a) => !isTerminal(a));
  const removed = new Set<string>();
  const added = new Map<string, Allocation>();
  for (const r of inflight) {
    for (const a of r.NodeUpdate[nodeId] ?? []) removed.add(a.ID);
    for (const a of r.NodePreemptions[nodeId] ?? []) removed.add(a.ID);
    for (const a of r.NodeAllocation[nodeId] ?? []) added.set(a.ID, a);
  }
  const out: Allocation[] = [];
  for (const a of base) {
    if (!isTerminal(a) && !removed.has(a.ID) && !added.has(a.ID)) out.push(a);
  }
  for (const a of added.values()) if (!isTerminal(a) && !removed.has(a.ID)) out.push(a);
  return out;
}

/** Whether an allocation holds ports or bandwidth (most do not: then no port check is needed). */
function usesNetwork(a: Allocation): boolean {
  const ar = a.AllocatedResources;
  if (ar === null) return a.TaskResources !== null;
  if ((ar.Shared.Ports?.length ?? 0) > 0 || (ar.Shared.Networks?.length ?? 0) > 0) return true;
  for (const name in ar.Tasks) if ((ar.Tasks[name]?.Networks?.length ?? 0) > 0) return true;
  return false;
}

/** Whether the allocations fit the node's resources and ports; the reason when not. */
function fitReason(node: Node, proposed: readonly Allocation[]): string {
  const util = { cpu: 0, memory: 0, disk: 0 };
  let cores: Set<number> | null = null;
  let overlap = false;
  let count = 0;
  let network = false;
  for (const a of proposed) {
    count++;
    if (!network && usesNetwork(a)) network = true;
    if (isClientTerminal(a)) continue;
    const c = comparable(a.AllocatedResources);
    util.cpu += c.cpu;
    util.memory += c.memory;
    util.disk += c.disk;
    for (const core of c.cores) {
      cores ??= new Set();
      if (cores.has(core)) overlap = true;
      cores.add(core);
    }
  }
  const dim = exhaustedDimension(nodeCapacity(node), util, cores ?? NO_CORES, overlap, count);
  if (dim !== "" || !network) return dim;
  const base = networkBase(node);
  if (base.error !== null) return base.error;
  const ports = new PortUsage(base);
  for (const a of proposed) {
    ports.addAlloc(a);
    if (ports.collision !== null) return ports.collision;
  }
  return "";
}

const NO_CORES: ReadonlySet<number> = new Set();

/** Re-checks one node's part of a plan (Nomad's `evaluateNodePlan`). */
export function evaluateNodePlan(
  state: SchedulerState,
  plan: Plan,
  nodeId: string,
  inflight: readonly PlanResult[] = [],
): NodeFit {
  const placing = plan.NodeAllocation[nodeId] ?? [];
  // A plan that only stops allocations on a node always fits.
  if (placing.length === 0) return FIT;
  const node = state.node(nodeId);
  if (node === undefined) return reject("node does not exist");
  if (node.Status === "disconnected") {
    return placing.every((a) => a.ClientStatus === "unknown")
      ? FIT
      : reject("node is disconnected and contains invalid updates");
  }
  if (node.Status === "down") {
    // Only lost allocations, and unknown ones that must not be replaced.
    const valid = (a: Allocation) =>
      a.ClientStatus === "lost" ||
      (a.ClientStatus === "unknown" && !replaceOnDisconnect(a, plan.Job));
    return placing.every(valid) ? FIT : reject("node is down and contains invalid updates");
  }
  if (node.Status !== "ready") return reject("node is not ready for placements");

  const existing = liveAllocs(state, nodeId, inflight);
  // Placements that may be updates of allocations already there; the others are new.
  let maybeExisting: Set<string> | null = null;
  let allMaybeExisting = true;
  for (const a of placing) {
    if (inflight.length === 0 && state.alloc(a.ID) === undefined) allMaybeExisting = false;
    else (maybeExisting ??= new Set()).add(a.ID);
  }
  // In-place updates (and stops) are allowed on a node that is no longer eligible.
  if (allMaybeExisting) {
    const ids = new Set(existing.map((e) => e.ID));
    if (placing.every((a) => ids.has(a.ID))) return FIT;
  }
  if (node.SchedulingEligibility === "ineligible") return reject("node is not eligible");

  const update = plan.NodeUpdate[nodeId];
  const preempted = plan.NodePreemptions[nodeId];
  let remove: Set<string> | null = maybeExisting;
  if ((update?.length ?? 0) + (preempted?.length ?? 0) > 0) {
    remove = new Set(maybeExisting);
    for (const a of update ?? []) remove.add(a.ID);
    for (const a of preempted ?? []) remove.add(a.ID);
  }
  const proposed = remove === null ? existing : existing.filter((a) => !remove.has(a.ID));
  for (const a of placing) proposed.push(a);
  const reason = fitReason(node, proposed);
  return reason === "" ? FIT : reject(reason);
}

/** Drops canaries the deployment lists but that a partial commit did not place. */
function correctCanaries(d: Deployment | null, placed: ReadonlySet<string>): Deployment | null {
  if (d === null || d.TaskGroups === null) return d;
  const groups: NonNullable<Deployment["TaskGroups"]> = {};
  for (const [name, s] of Object.entries(d.TaskGroups)) {
    groups[name] = s.PlacedCanaries === null || s.PlacedCanaries.length === 0
      ? s
      : { ...s, PlacedCanaries: s.PlacedCanaries.filter((id) => placed.has(id)) };
  }
  return { ...d, TaskGroups: groups };
}

/** A record of the nodes a plan was rejected on, with why (logged and counted). */
export type Rejections = Map<string, string>;

/**
 * Re-checks a plan against the latest state and returns what may be committed.
 *
 * @param inflight Results of plans committed but not yet applied to `state`.
 * @param rejections Receives each rejected node with the reason.
 */
export function evaluatePlan(
  state: SchedulerState,
  plan: Plan,
  inflight: readonly PlanResult[] = [],
  rejections: Rejections = new Map(),
): PlanResult {
  const result: PlanResult = {
    NodeUpdate: {},
    NodeAllocation: {},
    NodePreemptions: {},
    Deployment: plan.Deployment,
    DeploymentUpdates: plan.DeploymentUpdates,
    RejectedNodes: [],
    IneligibleNodes: [],
    RefreshIndex: 0,
    AllocIndex: 0,
  };
  const nodeIds = new Set([...Object.keys(plan.NodeUpdate), ...Object.keys(plan.NodeAllocation)]);
  let partial = false;
  for (const nodeId of nodeIds) {
    const check = evaluateNodePlan(state, plan, nodeId, inflight);
    if (!check.fit) {
      partial = true;
      rejections.set(nodeId, check.reason);
      result.RejectedNodes.push(nodeId);
      if (plan.AllAtOnce) {
        result.NodeUpdate = {};
        result.NodeAllocation = {};
        result.NodePreemptions = {};
        result.Deployment = null;
        result.DeploymentUpdates = [];
        break;
      }
      continue;
    }
    const update = plan.NodeUpdate[nodeId];
    if (update !== undefined && update.length > 0) result.NodeUpdate[nodeId] = update;
    const placed = plan.NodeAllocation[nodeId];
    if (placed !== undefined && placed.length > 0) result.NodeAllocation[nodeId] = placed;
    const preempted = plan.NodePreemptions[nodeId];
    if (preempted !== undefined) {
      result.NodePreemptions[nodeId] = preempted.filter((p) => {
        const a = state.alloc(p.ID);
        return a !== undefined && !isTerminal(a);
      });
    }
  }
  if (partial) {
    result.RefreshIndex = state.index;
    const placed = new Set<string>();
    for (const list of Object.values(result.NodeAllocation)) for (const a of list) placed.add(a.ID);
    result.Deployment = correctCanaries(result.Deployment, placed);
  }
  return result;
}

/** Whether a plan result commits nothing. */
export function resultIsNoOp(r: PlanResult): boolean {
  return Object.keys(r.NodeUpdate).length === 0 && Object.keys(r.NodeAllocation).length === 0 &&
    Object.keys(r.NodePreemptions).length === 0 && r.Deployment === null &&
    r.DeploymentUpdates.length === 0;
}
