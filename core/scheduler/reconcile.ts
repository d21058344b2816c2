/**
 * The allocation reconciler of service and batch jobs (Nomad's `AllocReconciler.Compute`): it
 * compares a job with its allocations, the state of their nodes and the job's deployment, and
 * says what to place, update in place, replace, stop and reschedule later. It changes nothing:
 * the generic scheduler turns its results into a plan.
 *
 * @module
 */
import type { Allocation, Job } from "../structs/mod.ts";
import {
  cancelUnneededDeployments,
  copyDeployment,
  deploymentStatusUpdates,
} from "./reconcile_deployment.ts";
import { type AllocSet, filterSet } from "./reconcile_filters.ts";
import { computeGroup, stopAll } from "./reconcile_group.ts";
import type { GroupContext } from "./reconcile_steps.ts";
import {
  emptyDesiredUpdates,
  type ReconcileInput,
  type ReconcileResults,
} from "./reconcile_types.ts";
import { isTerminal, jobStopped } from "./util.ts";

export * from "./reconcile_types.ts";

/** The job's allocations by group: the job's groups first (in order), then any others. */
export function allocMatrix(
  job: Job | null,
  allocs: readonly Allocation[],
): Map<string, AllocSet> {
  const m = new Map<string, AllocSet>();
  if (job !== null) { for (const tg of job.TaskGroups ?? []) m.set(tg.Name ?? "", new Map()); }
  for (const a of allocs) {
    let s = m.get(a.TaskGroup);
    if (s === undefined) m.set(a.TaskGroup, s = new Map());
    s.set(a.ID, a);
  }
  return m;
}

/** Empty results. */
export function emptyResults(): ReconcileResults {
  return {
    deployment: null,
    deploymentUpdates: [],
    place: [],
    destructiveUpdate: [],
    inplaceUpdate: [],
    stop: [],
    attributeUpdates: [],
    disconnectUpdates: new Map(),
    reconnectUpdates: new Map(),
    desiredTGUpdates: {},
    desiredFollowupEvals: {},
    nameIndexes: {},
  };
}

/**
 * Reconciles a job with its allocations.
 *
 * - A stopped or purged job: every non-terminal allocation is stopped and an active deployment
 *   cancelled.
 * - Otherwise, per group: lost allocations are replaced, draining ones migrated, failed ones
 *   rescheduled now or (after their policy's delay) by a follow-up evaluation, extras beyond
 *   the count stopped (highest index first), missing ones placed (lowest free index first),
 *   and allocations of an older job version updated in place when `allocUpdateFn` says so or
 *   replaced within the update strategy's `max_parallel`, canaries first.
 * - Allocations of a disconnected node whose group has `disconnect.lost_after` turn `unknown`
 *   (replaced meanwhile unless `replace = false`) and are lost after it; back in time, they are
 *   settled with their replacements by the group's `reconcile` strategy.
 * - A new job version with an update strategy gets a deployment; a deployment of an older
 *   version is cancelled; a complete one is marked successful.
 *
 * @param input The job, its allocations, tainted nodes, deployment and the clock.
 * @returns What to change, per group, with the desired-update counts `job plan` shows.
 *
 * @example
 * ```ts
 * const r = reconcile({ job, jobId: job.ID!, isBatch: false, deployment: null,
 *   existingAllocs: [], taintedNodes: new Map(), evalId: "e1", evalPriority: 50,
 *   now: Date.now() * 1e6, newId: crypto.randomUUID,
 *   allocUpdateFn: () => ({ ignore: true, destructive: false, updated: null }) });
 * r.place.map((p) => p.name); // ["web.app[0]", ...]
 * ```
 */
export function reconcile(input: ReconcileInput): ReconcileResults {
  const results = emptyResults();
  const m = allocMatrix(input.job, input.existingAllocs);
  const split = cancelUnneededDeployments(input.job, copyDeployment(input.deployment));
  results.deploymentUpdates.push(...split.updates);

  const job = input.job;
  if (job === null || jobStopped(job)) {
    for (const [group, set] of m) {
      const live = filterSet(set, (a) => !isTerminal(a));
      results.desiredTGUpdates[group] = { ...emptyDesiredUpdates(), Stop: live.size };
      results.stop.push(...stopAll(live, { input }));
    }
    return results;
  }

  const status = split.current?.Status;
  const gc: GroupContext = {
    input,
    job,
    deploymentOld: split.old,
    deploymentCurrent: split.current,
    deploymentPaused: status === "paused" || status === "pending" || status === "initializing",
    deploymentFailed: status === "failed",
  };
  let complete = true;
  for (const [group, set] of m) {
    const groupComplete = computeGroup(gc, group, set, results);
    complete = complete && groupComplete;
  }
  results.deploymentUpdates.push(
    ...deploymentStatusUpdates(job, gc.deploymentCurrent, results.deployment, complete),
  );
  return results;
}
