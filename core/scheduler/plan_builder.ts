/**
 * The plan being built by one scheduler run, and the `PlanView` over it that placement
 * reads: what each node will run once the plan is applied.
 *
 * `proposedAllocs` is cached per node and recomputed only when the plan changed on that node;
 * `nodeVersion` counts those changes so a stack can cache its own per-node work (fit, scores).
 *
 * @module
 */
import { type Allocation, AllocDesiredStatus, type Evaluation, type Job } from "../structs/mod.ts";
import type { VersionedPlanView } from "./stack.ts";
import type { Plan, SchedulerState } from "./types.ts";
import { isClientTerminal, nsToTime } from "./util.ts";

function groupKey(namespace: string, jobId: string, group: string): string {
  return `${namespace}\u0000${jobId}\u0000${group}`;
}

function remove(list: readonly Allocation[] | undefined, ids: Set<string>): Allocation[] {
  return (list ?? []).filter((a) => !ids.has(a.ID));
}

/**
 * Builds a {@link Plan} for an evaluation (Nomad's `Plan` methods `AppendStoppedAlloc`,
 * `AppendAlloc`, `PopUpdate`, `AppendPreemptedAlloc`, `IsNoOp`) over a state snapshot. It also
 * counts its preemptions by job and group, for the preemptor's `max_parallel` penalty.
 *
 * @example
 * ```ts
 * const plan = new PlanBuilder(state, evaluation, job, now);
 * plan.appendAlloc(newAlloc, null);
 * plan.proposedAllocs(newAlloc.NodeID).length; // includes newAlloc
 * ```
 */
export class PlanBuilder implements VersionedPlanView {
  /** The plan; read it once the run is over. */
  readonly plan: Plan;
  readonly #state: SchedulerState;
  readonly #now: number;
  readonly #versions = new Map<string, number>();
  readonly #cache = new Map<string, { version: number; allocs: readonly Allocation[] }>();
  readonly #preempted = new Map<string, number>();

  constructor(state: SchedulerState, evaluation: Evaluation, job: Job | null, now: number) {
    this.#state = state;
    this.#now = now;
    this.plan = {
      EvalID: evaluation.ID,
      Priority: evaluation.Priority,
      AllAtOnce: job?.AllAtOnce ?? false,
      Job: job,
      NodeUpdate: {},
      NodeAllocation: {},
      NodePreemptions: {},
      Annotations: null,
      Deployment: null,
      DeploymentUpdates: [],
      SnapshotIndex: state.index,
    };
  }

  #touch(nodeId: string): void {
    this.#versions.set(nodeId, (this.#versions.get(nodeId) ?? 0) + 1);
  }

  /** See {@link VersionedPlanView.nodeVersion}. */
  nodeVersion(nodeId: string): number {
    return this.#versions.get(nodeId) ?? 0;
  }

  /**
   * Stops an allocation: a copy with `DesiredStatus: "stop"`, the description, and the client
   * status (recorded in `AllocStates`) and follow-up evaluation when given. The copy drops its
   * job (the plan's job stands for it); a plan for a purged job takes the allocation's job.
   */
  appendStoppedAlloc(
    alloc: Allocation,
    description: string,
    clientStatus = "",
    followupEvalId = "",
  ): void {
    if (this.plan.Job === null && alloc.Job !== null) {
      this.plan.Job = alloc.Job;
      this.plan.AllAtOnce = alloc.Job.AllAtOnce ?? false;
    }
    const stopped: Allocation = {
      ...alloc,
      Job: null,
      Resources: null,
      DesiredStatus: AllocDesiredStatus.Stop,
      DesiredDescription: description,
    };
    if (clientStatus !== "") {
      stopped.ClientStatus = clientStatus;
      stopped.AllocStates = [
        ...(alloc.AllocStates ?? []),
        { Field: "ClientStatus", Value: clientStatus, Time: nsToTime(this.#now) },
      ];
    }
    if (followupEvalId !== "") stopped.FollowupEvalID = followupEvalId;
    (this.plan.NodeUpdate[alloc.NodeID] ??= []).push(stopped);
    this.#touch(alloc.NodeID);
  }

  /** Takes back the last stop of the node when it is of this allocation. */
  popUpdate(alloc: Allocation): void {
    const list = this.plan.NodeUpdate[alloc.NodeID];
    if (!list || list.length === 0 || list[list.length - 1]!.ID !== alloc.ID) return;
    list.pop();
    if (list.length === 0) delete this.plan.NodeUpdate[alloc.NodeID];
    this.#touch(alloc.NodeID);
  }

  /** Takes back a stop of this allocation wherever it is in the node's list. */
  removeUpdate(alloc: Allocation): void {
    const list = this.plan.NodeUpdate[alloc.NodeID];
    const i = list?.findIndex((a) => a.ID === alloc.ID) ?? -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) delete this.plan.NodeUpdate[alloc.NodeID];
    this.#touch(alloc.NodeID);
  }

  /**
   * Places an allocation, or updates one in place. Its `Job` is `job` when given (a placement
   * of an older job version), else null: the plan's job.
   */
  appendAlloc(alloc: Allocation, job: Job | null): void {
    alloc.Job = job;
    (this.plan.NodeAllocation[alloc.NodeID] ??= []).push(alloc);
    this.#touch(alloc.NodeID);
  }

  /** Evicts an allocation for a placement that preempts it. */
  appendPreemptedAlloc(alloc: Allocation, preemptingId: string): void {
    const evicted: Allocation = {
      ...alloc,
      Job: null,
      DesiredStatus: AllocDesiredStatus.Evict,
      DesiredDescription: `Preempted by alloc ID ${preemptingId}`,
      PreemptedByAllocation: preemptingId,
    };
    (this.plan.NodePreemptions[alloc.NodeID] ??= []).push(evicted);
    const key = groupKey(alloc.Namespace, alloc.JobID, alloc.TaskGroup);
    this.#preempted.set(key, (this.#preempted.get(key) ?? 0) + 1);
    this.#touch(alloc.NodeID);
  }

  /**
   * Records that a new allocation preempts others: each is evicted, and the allocation lists
   * them in `PreemptedAllocations`. Does nothing without preemptions.
   */
  appendPreemptions(alloc: Allocation, preempted: readonly Allocation[] | undefined): void {
    if (preempted === undefined || preempted.length === 0) return;
    for (const p of preempted) this.appendPreemptedAlloc(p, alloc.ID);
    alloc.PreemptedAllocations = preempted.map((p) => p.ID);
  }

  /** How many allocations of a job's group the plan preempts, over all nodes. */
  preemptedCount(namespace: string, jobId: string, group: string): number {
    return this.#preempted.get(groupKey(namespace, jobId, group)) ?? 0;
  }

  /**
   * Replaces an allocation the plan already stops or places with an updated copy (same ID):
   * used to record reschedule-tracker notes on a stopped allocation.
   */
  swapAlloc(updated: Allocation): boolean {
    for (const table of [this.plan.NodeUpdate, this.plan.NodeAllocation]) {
      const list = table[updated.NodeID];
      const i = list?.findIndex((a) => a.ID === updated.ID) ?? -1;
      if (list && i >= 0) {
        list[i] = table === this.plan.NodeUpdate
          ? { ...list[i]!, RescheduleTracker: updated.RescheduleTracker }
          : updated;
        this.#touch(updated.NodeID);
        return true;
      }
    }
    return false;
  }

  /** Whether the plan changes nothing (Nomad's `Plan.IsNoOp`). */
  isNoOp(): boolean {
    const p = this.plan;
    return Object.keys(p.NodeUpdate).length === 0 &&
      Object.keys(p.NodeAllocation).length === 0 && p.Deployment === null &&
      p.DeploymentUpdates.length === 0;
  }

  /** The allocations the node will run once the plan is applied (cached per node version). */
  proposedAllocs(nodeId: string): readonly Allocation[] {
    const version = this.nodeVersion(nodeId);
    const cached = this.#cache.get(nodeId);
    if (cached && cached.version === version) return cached.allocs;
    const allocs = this.#computeProposed(nodeId);
    this.#cache.set(nodeId, { version, allocs });
    return allocs;
  }

  #computeProposed(nodeId: string): readonly Allocation[] {
    const existing = this.#state.allocsByNode(nodeId);
    const updates = this.plan.NodeUpdate[nodeId];
    const preempted = this.plan.NodePreemptions[nodeId];
    const placed = this.plan.NodeAllocation[nodeId];
    if (!updates && !preempted && !placed) return existing.filter((a) => !isClientTerminal(a));
    const gone = new Set<string>();
    for (const a of updates ?? []) gone.add(a.ID);
    for (const a of preempted ?? []) gone.add(a.ID);
    const byId = new Map<string, Allocation>();
    for (const a of remove(existing, gone)) if (!isClientTerminal(a)) byId.set(a.ID, a);
    for (const a of placed ?? []) byId.set(a.ID, a);
    return [...byId.values()];
  }
}
