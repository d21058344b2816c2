/**
 * The reconciler's steps for disconnected clients (Nomad's `computeDisconnecting`,
 * `createTimeoutLaterEvals`, `computeReconnecting`, `reconcileReconnecting`,
 * `appendReconnectingUpdates` and `delayByStopAfter`):
 *
 * - Allocations of a disconnected node turn `unknown` (an `AllocStates` entry records when) and
 *   get a follow-up evaluation at now + `lost_after`, which marks them lost if the node is
 *   still away. Unless their group says `replace = false`, a replacement is placed meanwhile,
 *   after the reschedule policy's delay.
 * - When the node is back, each reconnecting allocation is weighed against its replacements by
 *   the group's `reconcile` strategy (`best_score`, `keep_original`, `keep_replacement`,
 *   `longest_running`); the loser is stopped. A newer job version always wins; one that failed,
 *   or that the servers no longer want, is stopped.
 * - Lost allocations with `stop_on_client_after` are replaced only once their client has had
 *   the time to stop them.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  AllocDesiredStatus,
  type DesiredUpdates,
  EvalTrigger,
  type Job,
  type TaskGroup,
} from "../structs/mod.ts";
import { createLaterEvals, EvalDescription } from "./blocked.ts";
import {
  allocGroup,
  disconnectTimeout,
  groupReconcile,
  lastStartOfTask,
  ReconcileOption,
  waitClientStop,
  withClientState,
} from "./disconnect.ts";
import {
  type AllocSet,
  type DelayedReschedule,
  difference,
  filterByRescheduleable,
  union,
  withUpdates,
} from "./reconcile_filters.ts";
import type { GroupContext } from "./reconcile_steps.ts";
import {
  type AllocStopResult,
  type ReconcileResults,
  StopReason,
  UNKNOWN_DESCRIPTION,
} from "./reconcile_types.ts";
import { allocJob, isServerTerminal } from "./util.ts";

/** The group's allocation sets that reconnects and disconnects move allocations between. */
export interface DisconnectSets {
  untainted: AllocSet;
  migrate: AllocSet;
  lost: AllocSet;
  disconnecting: AllocSet;
}

/** Whether `a` runs an older version of `job` than the current one. */
function olderVersion(a: Allocation, job: Job): boolean {
  const aj = allocJob(a, job);
  return (aj?.Version ?? 0) < (job.Version ?? 0) || (aj?.CreateIndex ?? 0) < (job.CreateIndex ?? 0);
}

/** Whether the user asked to move the allocation (migrate, reschedule or force it). */
function transitionAsked(a: Allocation): boolean {
  const dt = a.DesiredTransition;
  return dt.Migrate === true || dt.Reschedule === true || dt.ForceReschedule === true;
}

/** The best normalized score the allocation was placed with, or null without metrics. */
function maxNormScore(a: Allocation): number | null {
  return a.Metrics?.ScoreMetaData?.[0]?.NormScore ?? null;
}

function pickBestScore(original: Allocation, replacement: Allocation): Allocation {
  const o = maxNormScore(original);
  const r = maxNormScore(replacement);
  const better = r !== null && (o === null || r > o);
  // A better score never replaces a running allocation with one that is not.
  const running = AllocClientStatus.Running;
  if (better && (replacement.ClientStatus === running || original.ClientStatus !== running)) {
    return replacement;
  }
  return original;
}

/** When the group's leader task, else its oldest task, last started; 0 when none did. */
function startOfLeaderOrOldest(a: Allocation, tg: TaskGroup | undefined, now: number): number {
  let oldest = now;
  for (const t of tg?.Tasks ?? []) {
    const started = lastStartOfTask(a, t.Name);
    if (t.Leader === true) return started;
    if (started !== 0 && started < oldest) oldest = started;
  }
  return oldest === now ? 0 : oldest;
}

function pickLongestRunning(
  original: Allocation,
  replacement: Allocation,
  job: Job,
  now: number,
): Allocation {
  const tg = allocGroup(original, job);
  const o = startOfLeaderOrOldest(original, tg, now);
  const r = startOfLeaderOrOldest(replacement, tg, now);
  if (o === 0 && r !== 0) return replacement;
  if (o !== 0 && r === 0) return original;
  if (o === 0 && r === 0) return pickBestScore(original, replacement);
  return o < r ? original : replacement;
}

/**
 * Which of a reconnecting allocation and one of its replacements to keep: the replacement when
 * it runs a newer job version, else as the group's `reconcile` strategy says (ties and unknown
 * strategies keep the original).
 *
 * @example
 * ```ts
 * pickReconnecting(tg, original, replacement, { job, now }) === original; // keep_original
 * ```
 */
export function pickReconnecting(
  tg: TaskGroup,
  original: Allocation,
  replacement: Allocation,
  ctx: { job: Job; now: number },
): Allocation {
  const oj = allocJob(original, ctx.job);
  const rj = allocJob(replacement, ctx.job);
  if ((rj?.Version ?? 0) > (oj?.Version ?? 0) || (rj?.CreateIndex ?? 0) > (oj?.CreateIndex ?? 0)) {
    return replacement;
  }
  switch (groupReconcile(tg)) {
    case ReconcileOption.KeepOriginal:
      return original;
    case ReconcileOption.KeepReplacement:
      return replacement;
    case ReconcileOption.LongestRunning:
      return pickLongestRunning(original, replacement, ctx.job, ctx.now);
    default:
      return pickBestScore(original, replacement);
  }
}

/** The chain of allocations that replaced `a`, following `NextAllocation` within `all`. */
function replacementsOf(a: Allocation, all: AllocSet): Set<string> {
  const out = new Set<string>();
  let next = all.get(a.NextAllocation);
  while (next !== undefined && !out.has(next.ID)) {
    out.add(next.ID);
    next = all.get(next.NextAllocation);
  }
  return out;
}

/**
 * Decides, for every reconnecting allocation, whether it reconnects or stops, and stops the
 * replacements that lose to it. Every reconnecting allocation ends in exactly one of the
 * returned `reconnect` and `stop` sets; `stop` also holds the losing replacements.
 */
export function reconcileReconnecting(
  gc: GroupContext,
  tg: TaskGroup,
  reconnecting: AllocSet,
  all: AllocSet,
): { reconnect: AllocSet; stop: AllocSet; stops: AllocStopResult[] } {
  const stop: AllocSet = new Map();
  const stops: AllocStopResult[] = [];
  const stopOne = (a: Allocation, description: string, clientStatus = "") => {
    if (stop.has(a.ID)) return;
    stop.set(a.ID, a);
    stops.push({ alloc: a, clientStatus, statusDescription: description, followupEvalId: "" });
  };
  const ctx = { job: gc.job, now: gc.input.now };
  for (const a of reconnecting.values()) {
    if (!isServerTerminal(a) && a.ClientStatus === AllocClientStatus.Failed) {
      stopOne(a, StopReason.Rescheduled, AllocClientStatus.Failed);
      continue;
    }
    if (
      a.DesiredStatus !== AllocDesiredStatus.Run || transitionAsked(a) || olderVersion(a, gc.job)
    ) {
      stopOne(a, StopReason.NotNeeded);
      continue;
    }
    const chain = replacementsOf(a, all);
    for (const r of all.values()) {
      if (r.ID === a.ID || !chain.has(r.ID) || isServerTerminal(r)) continue;
      if (pickReconnecting(tg, a, r, ctx) === r) stopOne(a, StopReason.NotNeeded);
      else stopOne(r, StopReason.Reconnected);
    }
  }
  const reconnect: AllocSet = new Map();
  for (const [id, a] of reconnecting) if (!stop.has(id)) reconnect.set(id, a);
  return { reconnect, stop, stops };
}

/**
 * The reconnecting allocations to update: those still wanted, of the current job version and
 * `running` again, with that status recorded so later evaluations know they reconnected.
 */
export function reconnectUpdates(gc: GroupContext, reconnect: AllocSet): AllocSet {
  const out: AllocSet = new Map();
  for (const [id, a] of reconnect) {
    if (transitionAsked(a) || olderVersion(a, gc.job)) continue;
    if (a.DesiredStatus !== AllocDesiredStatus.Run) continue;
    if (a.ClientStatus !== AllocClientStatus.Running) continue;
    out.set(id, withClientState(a, a.ClientStatus, gc.input.now));
  }
  return out;
}

/**
 * Reconciles the reconnecting allocations with their replacements: the stopped ones leave
 * `sets`, the others join `untainted` and are recorded as reconnected.
 */
export function computeReconnecting(
  gc: GroupContext,
  tg: TaskGroup,
  sets: DisconnectSets,
  reconnecting: AllocSet,
  all: AllocSet,
  out: { du: DesiredUpdates; stops: AllocStopResult[]; results: ReconcileResults },
): void {
  const { reconnect, stop, stops } = reconcileReconnecting(gc, tg, reconnecting, all);
  out.stops.push(...stops);
  out.du.Stop += stop.size;
  sets.untainted = difference(sets.untainted, stop);
  sets.migrate = difference(sets.migrate, stop);
  sets.lost = difference(sets.lost, stop);
  sets.disconnecting = difference(sets.disconnecting, stop);
  if (reconnect.size === 0) return;
  const updates = reconnectUpdates(gc, reconnect);
  for (const [id, a] of updates) out.results.reconnectUpdates.set(id, a);
  out.du.Reconnect = updates.size;
  sets.untainted = union(sets.untainted, reconnect);
}

/** The group's sets that {@link computeDisconnecting} adds to. */
export interface RescheduleSets {
  untainted: AllocSet;
  rescheduleNow: AllocSet;
  rescheduleLater: DelayedReschedule[];
}

/**
 * Marks the disconnecting allocations `unknown` with a follow-up evaluation at their
 * `lost_after`, and sorts them into those replaced now, later, or not at all. Returns each
 * allocation's follow-up evaluation ID.
 */
export function computeDisconnecting(
  gc: GroupContext,
  group: string,
  disconnecting: AllocSet,
  sets: RescheduleSets,
  out: { du: DesiredUpdates; results: ReconcileResults },
): Map<string, string> {
  const input = gc.input;
  const split = filterByRescheduleable(disconnecting, {
    isBatch: input.isBatch,
    now: input.now,
    evalId: input.evalId,
    deployment: gc.deploymentCurrent,
    job: gc.job,
    disconnecting: true,
  });
  sets.rescheduleNow = union(sets.rescheduleNow, split.now);
  sets.untainted = union(sets.untainted, split.untainted);
  sets.rescheduleLater.push(...split.later);

  const { evals, byAlloc } = createLaterEvals(
    [...disconnecting.values()].map((a) => ({
      allocId: a.ID,
      time: disconnectTimeout(a, gc.job, input.now),
    })),
    {
      job: gc.job,
      priority: input.evalPriority,
      now: input.now,
      newId: input.newId,
      trigger: {
        triggeredBy: EvalTrigger.MaxDisconnectTimeout,
        description: EvalDescription.DisconnectTimeoutFollowup,
      },
    },
  );
  if (evals.length > 0) (out.results.desiredFollowupEvals[group] ??= []).push(...evals);

  const updates: AllocSet = new Map();
  for (const [id, a] of disconnecting) {
    const u = withClientState(a, AllocClientStatus.Unknown, input.now);
    u.ClientStatus = AllocClientStatus.Unknown;
    u.ClientDescription = UNKNOWN_DESCRIPTION;
    u.FollowupEvalID = byAlloc.get(id) ?? "";
    updates.set(id, u);
  }
  sets.rescheduleNow = withUpdates(sets.rescheduleNow, updates);
  for (const [id, a] of updates) out.results.disconnectUpdates.set(id, a);
  out.du.Disconnect = updates.size;
  out.du.RescheduleNow = sets.rescheduleNow.size;
  out.du.RescheduleLater = sets.rescheduleLater.length;
  return byAlloc;
}

/**
 * Follow-up evaluations for lost allocations whose group has `stop_on_client_after`: their
 * replacement waits until the client had the time to stop them. Returns the evaluations and,
 * per allocation, its evaluation's ID; while any waits, the group places nothing.
 */
export function delayByStopAfter(
  gc: GroupContext,
  lost: AllocSet,
): { evals: ReturnType<typeof createLaterEvals>["evals"]; byAlloc: Map<string, string> } {
  const later: { allocId: string; time: number }[] = [];
  for (const a of lost.values()) {
    const t = waitClientStop(a, gc.job, gc.input.now);
    if (t !== null && t > gc.input.now) later.push({ allocId: a.ID, time: t });
  }
  if (later.length === 0) return { evals: [], byAlloc: new Map() };
  return createLaterEvals(later, {
    job: gc.job,
    priority: gc.input.evalPriority,
    now: gc.input.now,
    newId: gc.input.newId,
    trigger: {
      triggeredBy: EvalTrigger.RetryFailedAlloc,
      description: EvalDescription.ReschedulingFollowup,
    },
  });
}
