/**
 * Sets of allocations and the filters the reconciler sorts them with (Nomad's
 * `reconciler/filters.go`): which are on tainted nodes (lost, migrating, disconnecting), which
 * are back from a disconnect or stayed `unknown` past their `lost_after`, which failed and may
 * be rescheduled now or later, which to ignore.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  AllocDesiredStatus,
  type Deployment,
  type Job,
  type Node,
  NodeStatus,
} from "../structs/mod.ts";
import {
  allocIndex,
  allocJob,
  deploymentActive,
  isCanary,
  isClientTerminal,
  isServerTerminal,
  isTerminal,
  lastRescheduleFailed,
  ranSuccessfully,
} from "./util.ts";
import { nextRescheduleTime, nextRescheduleTimeFrom } from "./util_reschedule.ts";
import {
  allocGroup,
  disconnectExpired,
  groupLostAfter,
  lastUnknown,
  needsToReconnect,
  replaceOnDisconnect,
} from "./disconnect.ts";

/** Allocations by ID, in insertion order. */
export type AllocSet = Map<string, Allocation>;

/** Reschedules within this window of now happen now (protects against clock drift). */
export const RESCHEDULE_WINDOW = 1_000_000_000;

/** The set of the given allocations. */
export function allocSet(allocs: Iterable<Allocation>): AllocSet {
  const out: AllocSet = new Map();
  for (const a of allocs) out.set(a.ID, a);
  return out;
}

/** The allocations of `set` in none of `others`. */
export function difference(set: AllocSet, ...others: AllocSet[]): AllocSet {
  const out: AllocSet = new Map();
  for (const [id, a] of set) if (!others.some((o) => o.has(id))) out.set(id, a);
  return out;
}

/** The allocations of all sets; later sets win on conflicts. */
export function union(...sets: AllocSet[]): AllocSet {
  const out: AllocSet = new Map();
  for (const s of sets) for (const [id, a] of s) out.set(id, a);
  return out;
}

/** The allocations of `set` with the given IDs. */
export function fromKeys(set: AllocSet, ids: Iterable<string>): AllocSet {
  const out: AllocSet = new Map();
  for (const id of ids) {
    const a = set.get(id);
    if (a) out.set(id, a);
  }
  return out;
}

/** The allocations of `set` that satisfy `pred`. */
export function filterSet(set: AllocSet, pred: (a: Allocation) => boolean): AllocSet {
  const out: AllocSet = new Map();
  for (const [id, a] of set) if (pred(a)) out.set(id, a);
  return out;
}

/** The names the allocations hold. */
export function nameSet(set: AllocSet): Set<string> {
  const out = new Set<string>();
  for (const a of set.values()) out.add(a.Name);
  return out;
}

/** The allocations sorted by name index, then ID (for a stable order). */
export function nameOrder(set: AllocSet): Allocation[] {
  return [...set.values()].sort((a, b) => allocIndex(a) - allocIndex(b) || cmp(a.ID, b.ID));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Non-server-terminal allocations, plus batch allocations not marked for rescheduling (a
 * completed batch allocation must keep counting so it is not run again).
 */
export function filterServerTerminalAllocs(set: AllocSet, job: Job | null): AllocSet {
  return filterSet(set, (a) =>
    !isServerTerminal(a) ||
    (allocJob(a, job)?.Type === "batch" && a.DesiredTransition.Reschedule !== true));
}

/** Splits off terminal allocations of older job versions (batch jobs only): `[remain, ignore]`. */
export function filterOldTerminalAllocs(
  set: AllocSet,
  job: Job,
  isBatch: boolean,
): [AllocSet, AllocSet] {
  const ignore: AllocSet = new Map();
  if (!isBatch) return [set, ignore];
  const remain: AllocSet = new Map();
  for (const [id, a] of set) {
    const aj = allocJob(a, job);
    const older = (aj?.Version ?? 0) < (job.Version ?? 0) ||
      (aj?.CreateIndex ?? 0) < (job.CreateIndex ?? 0);
    if (older && isTerminal(a)) ignore.set(id, a);
    else remain.set(id, a);
  }
  return [remain, ignore];
}

/** The buckets {@link classifyAllocs} sorts allocations into. */
export interface Classified {
  /** On working nodes: nothing to do unless they failed or the job changed. */
  untainted: AllocSet;
  /** Marked for migration (draining node) or a terminal canary marked to migrate. */
  migrate: AllocSet;
  /** On a down or deleted node (or disconnected without `lost_after`): to be replaced. */
  lost: AllocSet;
  /** On a disconnected node, still `running`: to be marked `unknown` (maybe replaced). */
  disconnecting: AllocSet;
  /** Back from a disconnect: to reconcile with their replacements. */
  reconnecting: AllocSet;
  /** Stopped by the servers: only counted. */
  ignore: AllocSet;
  /** `unknown` for longer than their group's `lost_after`: lost now. */
  expiring: AllocSet;
}

/** What {@link classifyAllocs} reads besides the allocations and tainted nodes. */
export interface ClassifyContext {
  /** Unix nanoseconds. */
  readonly now: number;
  /** The job, for allocations that carry none. */
  readonly job: Job | null;
}

/**
 * Sorts allocations by their state and that of their node (Nomad's `classifyAllocs`; the first
 * matching rule wins). `tainted` holds the nodes that are down, draining, disconnected or gone
 * (`null`).
 */
export function classifyAllocs(
  set: AllocSet,
  tainted: ReadonlyMap<string, Node | null>,
  cc: ClassifyContext,
): Classified {
  const out: Classified = {
    untainted: new Map(),
    migrate: new Map(),
    lost: new Map(),
    disconnecting: new Map(),
    reconnecting: new Map(),
    ignore: new Map(),
    expiring: new Map(),
  };
  for (const [id, a] of set) {
    out[classify(a, tainted, cc)].set(id, a);
  }
  return out;
}

function classify(
  a: Allocation,
  tainted: ReadonlyMap<string, Node | null>,
  cc: ClassifyContext,
): keyof Classified {
  const dt = a.DesiredTransition;
  const cs = a.ClientStatus;
  const reconnect = (cs === AllocClientStatus.Unknown || cs === AllocClientStatus.Running ||
    cs === AllocClientStatus.Failed) && needsToReconnect(a);
  const run = a.DesiredStatus === AllocDesiredStatus.Run;
  if (reconnect && run && cs === AllocClientStatus.Failed) return "reconnecting";
  if (!reconnect && isTerminal(a)) {
    // A drained batch allocation keeps its slot: the drain said not to replace it.
    if (isServerTerminal(a)) return dt.MigrateDisablePlacement === true ? "untainted" : "ignore";
    return isCanary(a) && dt.Migrate === true ? "migrate" : "untainted";
  }
  if (disconnectExpired(a, cc.job, cc.now)) return "expiring";
  if (reconnect && cs === AllocClientStatus.Failed && a.DesiredStatus === AllocDesiredStatus.Stop) {
    return "ignore";
  }
  const isTainted = tainted.has(a.NodeID);
  const node = tainted.get(a.NodeID) ?? null;
  if (node !== null && node.Status === NodeStatus.Disconnected) {
    if (cs === AllocClientStatus.Unknown) return "untainted";
    if (cs === AllocClientStatus.Pending) return "lost";
    return groupLostAfter(allocGroup(a, cc.job)) === 0 ? "lost" : "disconnecting";
  }
  if (dt.Migrate === true) return "migrate";
  if (!isTainted || node?.Status === NodeStatus.Ready) {
    return reconnect ? "reconnecting" : "untainted";
  }
  if (node === null) return "lost";
  if (node.Status !== NodeStatus.Down) return "untainted";
  // A down node: allocations that must not be replaced wait as unknown.
  if (!replaceOnDisconnect(a, cc.job)) {
    if (cs === AllocClientStatus.Unknown) return "untainted";
    if (cs === AllocClientStatus.Running) return "disconnecting";
  }
  return "lost";
}

/**
 * Whether a terminal allocation counts against the desired total (`untainted`) or is out of
 * the picture (`ignore`); when neither, it may be rescheduled (Nomad's `shouldFilter`).
 *
 * Batch: a successful completion counts (it is not run again); a stopped or evicted one that did
 * not finish is ignored; a failed one may be rescheduled. Service: stopped, evicted, complete
 * and lost allocations are ignored; failed ones may be rescheduled.
 *
 * @example
 * ```ts
 * shouldFilter(completedBatchAlloc, true); // { untainted: true, ignore: false }
 * ```
 */
export function shouldFilter(
  alloc: Allocation,
  isBatch: boolean,
): { untainted: boolean; ignore: boolean } {
  const dt = alloc.DesiredTransition;
  if (isBatch) {
    if (dt.MigrateDisablePlacement === true) return { untainted: true, ignore: false };
    if (dt.Reschedule === true) return { untainted: false, ignore: false };
    switch (alloc.DesiredStatus) {
      case AllocDesiredStatus.Stop:
        if (ranSuccessfully(alloc)) return { untainted: true, ignore: false };
        return { untainted: false, ignore: !lastRescheduleFailed(alloc) };
      case AllocDesiredStatus.Evict:
        return { untainted: false, ignore: true };
    }
    if (alloc.ClientStatus === AllocClientStatus.Failed) return { untainted: false, ignore: false };
    return { untainted: true, ignore: false };
  }
  if (isServerTerminal(alloc)) return { untainted: false, ignore: !lastRescheduleFailed(alloc) };
  if (
    alloc.ClientStatus === AllocClientStatus.Complete ||
    alloc.ClientStatus === AllocClientStatus.Lost
  ) {
    return { untainted: false, ignore: true };
  }
  return { untainted: false, ignore: false };
}

/** A failed allocation to reschedule at a later time. */
export interface DelayedReschedule {
  alloc: Allocation;
  /** Unix nanoseconds. */
  rescheduleTime: number;
}

/** The inputs of {@link filterByRescheduleable}. */
export interface RescheduleContext {
  isBatch: boolean;
  now: number;
  evalId: string;
  deployment: Deployment | null;
  job: Job | null;
  /** The allocations are on a disconnected node, about to be marked `unknown`. */
  disconnecting?: boolean;
}

/**
 * Splits allocations into those that stay (`untainted`), failed ones to reschedule now, and
 * failed ones to reschedule later (with their time); allocations already replaced or ignored by
 * {@link shouldFilter} are dropped. Disconnecting allocations are replaced (now, or after their
 * reschedule delay counted from now) unless their group says `replace = false`; an `unknown`
 * allocation whose follow-up evaluation this is gets its replacement now.
 */
export function filterByRescheduleable(set: AllocSet, rc: RescheduleContext): {
  untainted: AllocSet;
  now: AllocSet;
  later: DelayedReschedule[];
} {
  const untainted: AllocSet = new Map();
  const now: AllocSet = new Map();
  const later: DelayedReschedule[] = [];
  const disconnecting = rc.disconnecting === true;
  for (const [id, a] of set) {
    // Already unknown: a canary interrupted by the disconnect.
    if (disconnecting && a.ClientStatus === AllocClientStatus.Unknown) continue;
    // Already replaced: never reschedule twice.
    if (a.NextAllocation !== "" && isTerminal(a)) continue;
    const f = shouldFilter(a, rc.isBatch);
    if (f.untainted && !disconnecting) {
      untainted.set(id, a);
      continue;
    }
    if (f.ignore) continue;
    const r = reschedulable(a, rc, disconnecting);
    if (r.now) {
      now.set(id, a);
      continue;
    }
    untainted.set(id, a);
    if (r.later) later.push({ alloc: a, rescheduleTime: r.time });
  }
  return { untainted, now, later };
}

function reschedulable(
  a: Allocation,
  rc: RescheduleContext,
  disconnecting: boolean,
): { now: boolean; later: boolean; time: number } {
  const d = rc.deployment;
  const dt = a.DesiredTransition;
  // Inside an active deployment only allocations the watcher marked may reschedule.
  if (d !== null && a.DeploymentID === d.ID && deploymentActive(d) && dt.Reschedule !== true) {
    return { now: false, later: false, time: 0 };
  }
  const forced = dt.ForceReschedule === true && isClientTerminal(a);
  // Never replace an allocation whose group says `replace = false`.
  if (disconnecting && !replaceOnDisconnect(a, rc.job)) {
    return { now: forced, later: false, time: 0 };
  }
  let next: { time: number; eligible: boolean };
  if (disconnecting) next = nextRescheduleTimeFrom(a, rc.job, rc.now);
  else if (a.ClientStatus === AllocClientStatus.Unknown && a.FollowupEvalID === rc.evalId) {
    next = nextRescheduleTimeFrom(a, rc.job, lastUnknown(a));
  } else next = nextRescheduleTime(a, rc.job);
  if (
    next.eligible && (a.FollowupEvalID === rc.evalId || next.time - rc.now <= RESCHEDULE_WINDOW)
  ) {
    return { now: true, later: false, time: next.time };
  }
  if (forced) return { now: true, later: false, time: next.time };
  return { now: false, later: next.eligible && a.FollowupEvalID === "", time: next.time };
}

/** A copy of `set` in which the allocations also in `updates` are replaced by their update. */
export function withUpdates(set: AllocSet, updates: AllocSet): AllocSet {
  const out: AllocSet = new Map(set);
  for (const [id, a] of updates) if (out.has(id)) out.set(id, a);
  return out;
}
