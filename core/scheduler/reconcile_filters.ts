/**
 * Sets of allocations and the filters the reconciler sorts them with (Nomad's
 * `reconciler/filters.go`): which are on tainted nodes, which failed and may be rescheduled now
 * or later, which to ignore.
 *
 * Simplification: allocations on a disconnected node are treated like those on a down node
 * (lost, and replaced); the `unknown` client status, `disconnect.lost_after`,
 * `stop_on_client_after` and the reconnect picker are not modelled.
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
import { nextRescheduleTime } from "./util_reschedule.ts";

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
  /** On a down, disconnected or deleted node: to be replaced. */
  lost: AllocSet;
  /** Stopped by the servers: only counted. */
  ignore: AllocSet;
}

/** Whether a tainted node's allocations are lost (down, disconnected or gone). */
function nodeLost(node: Node | null): boolean {
  return node === null || node.Status === NodeStatus.Down ||
    node.Status === NodeStatus.Disconnected;
}

/**
 * Sorts allocations by the state of their node (Nomad's `classifyAllocs`, without the
 * disconnect/reconnect buckets). `tainted` holds the nodes that are down, draining,
 * disconnected or gone (`null`).
 */
export function classifyAllocs(
  set: AllocSet,
  tainted: ReadonlyMap<string, Node | null>,
): Classified {
  const out: Classified = {
    untainted: new Map(),
    migrate: new Map(),
    lost: new Map(),
    ignore: new Map(),
  };
  for (const [id, a] of set) {
    out[classify(a, tainted)].set(id, a);
  }
  return out;
}

function classify(a: Allocation, tainted: ReadonlyMap<string, Node | null>): keyof Classified {
  const dt = a.DesiredTransition;
  // A drained batch allocation keeps its slot: the drain said not to replace it.
  if (isServerTerminal(a) && dt.MigrateDisablePlacement === true) return "untainted";
  if (isServerTerminal(a)) return "ignore";
  if (isClientTerminal(a)) return isCanary(a) && dt.Migrate === true ? "migrate" : "untainted";
  if (dt.Migrate === true) return "migrate";
  if (!tainted.has(a.NodeID)) return "untainted";
  const node = tainted.get(a.NodeID) ?? null;
  if (node !== null && node.Status === NodeStatus.Ready) return "untainted";
  return nodeLost(node) ? "lost" : "untainted";
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
}

/**
 * Splits allocations into those that stay (`untainted`), failed ones to reschedule now, and
 * failed ones to reschedule later (with their time); allocations already replaced or ignored by
 * {@link shouldFilter} are dropped.
 */
export function filterByRescheduleable(set: AllocSet, rc: RescheduleContext): {
  untainted: AllocSet;
  now: AllocSet;
  later: DelayedReschedule[];
} {
  const untainted: AllocSet = new Map();
  const now: AllocSet = new Map();
  const later: DelayedReschedule[] = [];
  for (const [id, a] of set) {
    // Already replaced: never reschedule twice.
    if (a.NextAllocation !== "" && isTerminal(a)) continue;
    const f = shouldFilter(a, rc.isBatch);
    if (f.untainted) {
      untainted.set(id, a);
      continue;
    }
    if (f.ignore) continue;
    const r = reschedulable(a, rc);
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
): { now: boolean; later: boolean; time: number } {
  const d = rc.deployment;
  const dt = a.DesiredTransition;
  // Inside an active deployment only allocations the watcher marked may reschedule.
  if (d !== null && a.DeploymentID === d.ID && deploymentActive(d) && dt.Reschedule !== true) {
    return { now: false, later: false, time: 0 };
  }
  const forced = dt.ForceReschedule === true && isClientTerminal(a);
  const next = nextRescheduleTime(a, rc.job);
  if (
    next.eligible && (a.FollowupEvalID === rc.evalId || next.time - rc.now <= RESCHEDULE_WINDOW)
  ) {
    return { now: true, later: false, time: next.time };
  }
  if (forced) return { now: true, later: false, time: next.time };
  return { now: false, later: next.eligible && a.FollowupEvalID === "", time: next.time };
}
