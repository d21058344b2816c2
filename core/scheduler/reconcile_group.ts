/**
 * Reconciling one task group of a live job (Nomad's `computeGroup`): classify its allocations,
 * reschedule failed ones, stop extras, update in place or destructively within the deployment's
 * budget, place canaries and missing allocations, migrate off draining nodes, and decide the
 * group's deployment state.
 *
 * @module
 */
import type { Allocation, DeploymentState, TaskGroup } from "../structs/mod.ts";
import { createLaterEvals } from "./blocked.ts";
import { newDeployment, newDeploymentState } from "./reconcile_deployment.ts";
import {
  type AllocSet,
  classifyAllocs,
  type DelayedReschedule,
  difference,
  filterByRescheduleable,
  filterOldTerminalAllocs,
  filterServerTerminalAllocs,
  filterSet,
  union,
} from "./reconcile_filters.ts";
import {
  computeDisconnecting,
  computeReconnecting,
  delayByStopAfter,
  type DisconnectSets,
  type RescheduleSets,
} from "./reconcile_disconnect.ts";
import {
  cancelUnneededCanaries,
  computeCanaries,
  computeDestructiveUpdates,
  computeMigrations,
  computePlacements,
  computeStop,
  computeUnderProvisionedBy,
  type GroupContext,
  markStop,
  placeAllocs,
} from "./reconcile_steps.ts";
import {
  type AllocStopResult,
  emptyDesiredUpdates,
  type PlacementResult,
  type ReconcileResults,
  StopReason,
} from "./reconcile_types.ts";
import { AllocClientStatus } from "../structs/mod.ts";
import { lookupTaskGroup, updateEmpty } from "./util.ts";
import { AllocNameIndex } from "./util_names.ts";

/**
 * Stops every allocation of a set: lost ones with the lost client status; ignored and expiring
 * ones only when `unknown`.
 */
export function stopAll(set: AllocSet, gc: Pick<GroupContext, "input">): AllocStopResult[] {
  const input = gc.input;
  const c = classifyAllocs(set, input.taintedNodes, { now: input.now, job: input.job });
  const unknown = (s: AllocSet) =>
    filterSet(s, (a) => a.ClientStatus === AllocClientStatus.Unknown).values();
  return [
    ...markStop(c.untainted.values(), "", StopReason.NotNeeded),
    ...markStop(c.migrate.values(), "", StopReason.NotNeeded),
    ...markStop(c.lost.values(), AllocClientStatus.Lost, StopReason.Lost),
    ...markStop(c.disconnecting.values(), "", StopReason.NotNeeded),
    ...markStop(c.reconnecting.values(), "", StopReason.NotNeeded),
    ...markStop(unknown(c.ignore), "", StopReason.NotNeeded),
    ...markStop(unknown(c.expiring), "", StopReason.NotNeeded),
  ];
}

/**
 * Reconciles one group into `results`; returns whether the group's part of the deployment is
 * complete.
 */
export function computeGroup(
  gc: GroupContext,
  group: string,
  groupAllocs: AllocSet,
  results: ReconcileResults,
): boolean {
  const du = emptyDesiredUpdates();
  results.desiredTGUpdates[group] = du;
  const input = gc.input;
  const job = gc.job;
  const tg = lookupTaskGroup(job, group);
  let all = filterServerTerminalAllocs(groupAllocs, job);
  if (tg === undefined || (tg.Count ?? 0) === 0) {
    du.Stop = all.size;
    results.stop.push(...stopAll(all, gc));
    return true;
  }

  const existingState = gc.deploymentCurrent?.TaskGroups?.[group];
  const existingDeployment = existingState !== undefined;
  const dstate: DeploymentState = existingState ?? newDeploymentState(tg);

  const [remain, oldTerminal] = filterOldTerminalAllocs(all, job, input.isBatch);
  du.Ignore += oldTerminal.size;
  const stops: AllocStopResult[] = [];
  const cancelled = cancelUnneededCanaries(gc, remain, du, stops);
  all = cancelled.all;
  const canaries = cancelled.canaries;

  const classified = classifyAllocs(all, input.taintedNodes, { now: input.now, job });
  du.Ignore += classified.ignore.size;
  const rc = {
    isBatch: input.isBatch,
    now: input.now,
    evalId: input.evalId,
    deployment: gc.deploymentCurrent,
    job,
  };
  const r1 = filterByRescheduleable(classified.untainted, rc);
  const r2 = filterByRescheduleable(classified.migrate, rc);
  const sets: DisconnectSets = {
    untainted: r1.untainted,
    migrate: classified.migrate,
    lost: classified.lost,
    disconnecting: classified.disconnecting,
  };
  const rs: RescheduleSets = {
    untainted: r1.untainted,
    rescheduleNow: union(r1.now, r2.now),
    rescheduleLater: [...r1.later, ...r2.later],
  };
  // Reconnecting allocations and their replacements are settled first.
  if (classified.reconnecting.size > 0) {
    computeReconnecting(gc, tg, sets, classified.reconnecting, all, { du, stops, results });
  }
  if (classified.expiring.size > 0) sets.lost = union(sets.lost, classified.expiring);
  const followups = new Map<string, string>();
  rs.untainted = sets.untainted;
  if (sets.disconnecting.size > 0) {
    const ids = computeDisconnecting(gc, group, sets.disconnecting, rs, { du, results });
    for (const [id, e] of ids) followups.set(id, e);
  }
  const migrate = sets.migrate;
  const lost = sets.lost;
  const rescheduleNow = rs.rescheduleNow;
  const rescheduleLater = rs.rescheduleLater;
  let untainted = rs.untainted;
  const lostLater = lost.size > 0 ? delayByStopAfter(gc, lost) : null;
  if (lostLater !== null && lostLater.evals.length > 0) {
    (results.desiredFollowupEvals[group] ??= []).push(...lostLater.evals);
    for (const [id, e] of lostLater.byAlloc) followups.set(id, e);
  }
  if (rescheduleLater.length > 0) {
    rescheduleLaterEvals(gc, group, rescheduleLater, migrate, du, results);
  }

  const nameIndex = new AllocNameIndex(
    input.jobId,
    group,
    tg.Count ?? 0,
    union(untainted, migrate, rescheduleNow, lost).values(),
  );
  results.nameIndexes[group] = nameIndex;

  let isCanarying = dstate.DesiredCanaries !== 0 && !dstate.Promoted;
  untainted = computeStop(
    gc,
    tg,
    nameIndex,
    { untainted, migrate, lost, canaries },
    isCanarying,
    du,
    stops,
    followups,
  );

  const { inplace, destructive } = computeUpdates(gc, tg, untainted, du, results);
  if (!existingDeployment) dstate.DesiredTotal += destructive.size + inplace.size;
  if (isCanarying) untainted = difference(untainted, canaries);

  const place: PlacementResult[] = [];
  const needCanaries = tg.Update !== null && destructive.size !== 0 &&
    canaries.size < (tg.Update.Canary ?? 0) && !dstate.Promoted;
  if (needCanaries) {
    place.push(...computeCanaries(gc, tg, dstate, { destructive, canaries }, nameIndex, du));
  }
  isCanarying = dstate.DesiredCanaries !== 0 && !dstate.Promoted;
  let under = computeUnderProvisionedBy(gc, tg, { untainted, destructive, migrate }, isCanarying);
  // A lost allocation waiting for its client to stop it holds back the group's placements.
  const waiting = (lostLater?.evals.length ?? 0) > 0;
  const wanted = waiting ? [] : computePlacements(
    gc,
    tg,
    nameIndex,
    { untainted, migrate, reschedule: rescheduleNow, lost },
    isCanarying,
  );
  if (!existingDeployment) dstate.DesiredTotal += wanted.length;

  const ready = !gc.deploymentPaused && !gc.deploymentFailed && !isCanarying;
  const placed = placeAllocs(gc, ready, du, wanted, {
    migrate,
    rescheduleNow,
    lost,
    disconnecting: results.disconnectUpdates,
  }, under);
  under = placed.underProvisionedBy;
  stops.push(...placed.stops);
  place.push(...placed.place);
  if (ready) {
    results.destructiveUpdate.push(...computeDestructiveUpdates(tg, destructive, under, du));
  } else {
    du.Ignore += destructive.size;
  }

  const migrations = computeMigrations(gc, tg, migrate, isCanarying, du);
  stops.push(...migrations.stops);
  place.push(...migrations.place);

  const created = createDeployment(gc, tg, {
    existing: existingDeployment,
    dstate,
    all,
    updating: destructive.size !== 0 || du.InPlaceUpdate !== 0,
  });
  if (created !== null) results.deployment = created;
  // An initializing deployment goes into the plan whole so its state is persisted.
  if (gc.deploymentCurrent?.Status === "initializing") results.deployment = gc.deploymentCurrent;

  const count = tg.Count ?? 0;
  if (place.length > count) {
    place.length = count;
    du.Place = count;
  }
  results.stop.push(...stops);
  results.place.push(...place);

  const complete = destructive.size + inplace.size + place.length + migrate.size +
          rescheduleNow.size + rescheduleLater.length === 0 && !needCanaries;
  if (!complete || gc.deploymentCurrent === null) return false;
  const s = gc.deploymentCurrent.TaskGroups?.[group];
  if (s === undefined) return true;
  return s.HealthyAllocs >= Math.max(s.DesiredTotal, s.DesiredCanaries) &&
    !(s.DesiredCanaries > 0 && !s.Promoted);
}

/** Splits the untainted allocations into ignored, in-place and destructive updates. */
function computeUpdates(
  gc: GroupContext,
  tg: TaskGroup,
  untainted: AllocSet,
  du: ReturnType<typeof emptyDesiredUpdates>,
  results: ReconcileResults,
): { inplace: AllocSet; destructive: AllocSet } {
  const inplace: AllocSet = new Map();
  const destructive: AllocSet = new Map();
  let ignored = 0;
  for (const [id, a] of untainted) {
    const d = gc.input.allocUpdateFn(a, gc.job, tg);
    if (d.ignore) ignored++;
    else if (d.destructive) destructive.set(id, a);
    else inplace.set(id, d.updated ?? a);
  }
  results.inplaceUpdate.push(...inplace.values());
  du.Ignore += ignored;
  du.InPlaceUpdate += inplace.size;
  return { inplace, destructive };
}

/**
 * Creates the batched follow-up evaluations for allocations to reschedule later and records
 * each evaluation's ID on its allocation (an attribute update, or on the migrating copy).
 */
function rescheduleLaterEvals(
  gc: GroupContext,
  group: string,
  later: DelayedReschedule[],
  migrate: AllocSet,
  du: ReturnType<typeof emptyDesiredUpdates>,
  results: ReconcileResults,
): void {
  const { evals, byAlloc } = createLaterEvals(
    later.map((l) => ({ allocId: l.alloc.ID, time: l.rescheduleTime })),
    { job: gc.job, priority: gc.input.evalPriority, now: gc.input.now, newId: gc.input.newId },
  );
  for (const { alloc } of later) {
    const id = byAlloc.get(alloc.ID) ?? "";
    const disconnecting = results.disconnectUpdates.get(alloc.ID);
    const updated: Allocation = { ...alloc, FollowupEvalID: id };
    if (disconnecting !== undefined) disconnecting.FollowupEvalID = id;
    else if (migrate.has(alloc.ID)) migrate.set(alloc.ID, updated);
    else results.attributeUpdates.push(updated);
  }
  (results.desiredFollowupEvals[group] ??= []).push(...evals);
  du.RescheduleLater = later.length;
}

/**
 * Creates the job version's deployment when the group has an update strategy and something to
 * roll out, unless the version already runs and nothing changes; attaches the group's state.
 */
function createDeployment(
  gc: GroupContext,
  tg: TaskGroup,
  opts: { existing: boolean; dstate: DeploymentState; all: AllocSet; updating: boolean },
): ReturnType<typeof newDeployment> | null {
  if (opts.existing || updateEmpty(tg.Update) || opts.dstate.DesiredTotal === 0) return null;
  const job = gc.job;
  let hadRunning = false;
  for (const a of opts.all.values()) {
    const aj = a.Job ?? job;
    if (aj.Version === job.Version && aj.CreateIndex === job.CreateIndex) {
      hadRunning = true;
      break;
    }
  }
  if (hadRunning && !opts.updating) return null;
  let created = null;
  if (gc.deploymentCurrent === null) {
    created = newDeployment(job, gc.input.evalPriority, gc.input.now, gc.input.newId());
    gc.deploymentCurrent = created;
  }
  (gc.deploymentCurrent.TaskGroups ??= {})[tg.Name ?? ""] = opts.dstate;
  return created;
}
