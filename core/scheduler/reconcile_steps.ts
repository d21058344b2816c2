/**
 * The steps of reconciling one task group (Nomad's `computeStop`, `computeCanaries`,
 * `computePlacements`, `placeAllocs`, ...), each over the group's allocation sets.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  type Deployment,
  type DeploymentState,
  type DesiredUpdates,
  type Job,
  type TaskGroup,
} from "../structs/mod.ts";
import {
  type AllocSet,
  classifyAllocs,
  difference,
  filterSet,
  fromKeys,
  nameOrder,
  nameSet,
} from "./reconcile_filters.ts";
import {
  type AllocStopResult,
  type PlacementResult,
  type ReconcileInput,
  StopReason,
} from "./reconcile_types.ts";
import {
  allocIndex,
  allocJobVersion,
  isCanary,
  isHealthy,
  isServerTerminal,
  isUnhealthy,
  updateEmpty,
} from "./util.ts";
import { AllocNameIndex } from "./util_names.ts";

/** The reconciler's state while it works through the groups of a live job. */
export interface GroupContext {
  readonly input: ReconcileInput;
  readonly job: Job;
  deploymentOld: Deployment | null;
  deploymentCurrent: Deployment | null;
  readonly deploymentPaused: boolean;
  readonly deploymentFailed: boolean;
}

/** Stop results for a set of allocations. */
export function markStop(
  set: Iterable<Allocation>,
  clientStatus: string,
  statusDescription: string,
  followups?: ReadonlyMap<string, string>,
): AllocStopResult[] {
  const out: AllocStopResult[] = [];
  for (const alloc of set) {
    out.push({
      alloc,
      clientStatus,
      statusDescription,
      followupEvalId: followups?.get(alloc.ID) ?? "",
    });
  }
  return out;
}

/**
 * Stops the canaries of an older deployment, or of a failed one, that were never promoted, and
 * the current canaries whose node is draining or lost. Returns the remaining canaries and the
 * group's allocations without the stopped ones.
 */
export function cancelUnneededCanaries(
  gc: GroupContext,
  all: AllocSet,
  du: DesiredUpdates,
  stops: AllocStopResult[],
): { canaries: AllocSet; all: AllocSet } {
  const stopIds: string[] = [];
  const unpromoted = (d: Deployment | null) => {
    for (const s of Object.values(d?.TaskGroups ?? {})) {
      if (!s.Promoted) stopIds.push(...(s.PlacedCanaries ?? []));
    }
  };
  unpromoted(gc.deploymentOld);
  if (gc.deploymentCurrent?.Status === "failed") unpromoted(gc.deploymentCurrent);
  const stopSet = fromKeys(all, stopIds);
  stops.push(...markStop(stopSet.values(), "", StopReason.NotNeeded));
  du.Stop += stopSet.size;
  let rest = difference(all, stopSet);
  let canaries: AllocSet = new Map();
  if (gc.deploymentCurrent !== null) {
    const ids: string[] = [];
    for (const s of Object.values(gc.deploymentCurrent.TaskGroups ?? {})) {
      ids.push(...(s.PlacedCanaries ?? []));
    }
    const c = classifyAllocs(fromKeys(rest, ids), gc.input.taintedNodes, {
      now: gc.input.now,
      job: gc.job,
    });
    // Not counted in the desired changes: the deployment is still going on.
    stops.push(...markStop(c.migrate.values(), "", StopReason.Migrating));
    stops.push(...markStop(c.lost.values(), AllocClientStatus.Lost, StopReason.Lost));
    canaries = c.untainted;
    rest = difference(rest, c.migrate, c.lost);
  }
  return { canaries, all: rest };
}

/**
 * Chooses what to stop: lost allocations, then (when more run than the count) those sharing a
 * name with promoted canaries, migrating ones with the highest indexes, and finally the highest
 * indexes. Returns the untainted allocations left running; may remove entries of `migrate`.
 * Lost allocations are stopped with their follow-up evaluation from `followups`, if any;
 * `unknown` ones never count against the group's count.
 */
export function computeStop(
  gc: GroupContext,
  tg: TaskGroup,
  nameIndex: AllocNameIndex,
  sets: { untainted: AllocSet; migrate: AllocSet; lost: AllocSet; canaries: AllocSet },
  isCanarying: boolean,
  du: DesiredUpdates,
  stops: AllocStopResult[],
  followups?: ReadonlyMap<string, string>,
): AllocSet {
  const { untainted, migrate, lost, canaries } = sets;
  const stop: AllocSet = new Map(lost);
  stops.push(...markStop(lost.values(), AllocClientStatus.Lost, StopReason.Lost, followups));
  const finish = () => {
    du.Stop += stop.size;
    return difference(untainted, stop);
  };
  let working = isCanarying ? difference(untainted, canaries) : new Map(untainted);
  const known = filterSet(working, (a) => a.ClientStatus !== AllocClientStatus.Unknown);
  const count = tg.Count ?? 0;
  let remove = known.size + migrate.size - count;
  if (remove <= 0) return finish();
  working = filterSet(working, (a) => !isServerTerminal(a));
  const stopOne = (a: Allocation) => {
    stop.set(a.ID, a);
    working.delete(a.ID);
    stops.push({
      alloc: a,
      clientStatus: "",
      statusDescription: StopReason.NotNeeded,
      followupEvalId: "",
    });
    return --remove === 0;
  };

  // Once canaries are promoted, the allocations they replace go first.
  if (!isCanarying && canaries.size > 0) {
    const names = nameSet(canaries);
    for (const a of nameOrder(difference(working, canaries))) {
      if (names.has(a.Name) && stopOne(a)) return finish();
    }
  }
  if (migrate.size > 0) {
    const migrating = new AllocNameIndex(gc.input.jobId, tg.Name ?? "", count, migrate.values());
    const names = migrating.highest(remove);
    for (const a of nameOrder(migrate)) {
      if (!names.has(a.Name)) continue;
      migrate.delete(a.ID);
      nameIndex.unsetIndex(allocIndex(a));
      if (stopOne(a)) return finish();
    }
  }
  const names = nameIndex.highest(remove);
  for (const a of nameOrder(working)) if (names.has(a.Name) && stopOne(a)) return finish();
  // Duplicate names can leave too many running.
  for (const a of nameOrder(working)) if (stopOne(a)) return finish();
  return finish();
}

/** The canary placements a group needs, with their names. */
export function computeCanaries(
  gc: GroupContext,
  tg: TaskGroup,
  dstate: DeploymentState,
  sets: { destructive: AllocSet; canaries: AllocSet },
  nameIndex: AllocNameIndex,
  du: DesiredUpdates,
): PlacementResult[] {
  const want = tg.Update?.Canary ?? 0;
  dstate.DesiredCanaries = want;
  if (gc.deploymentPaused || gc.deploymentFailed) return [];
  du.Canary += want - sets.canaries.size;
  const names = nameIndex.nextCanaries(
    du.Canary,
    sets.canaries.values(),
    sets.destructive.values(),
  );
  return names.map((name) => placement(name, tg, { canary: true }));
}

/** A placement result with defaults. */
export function placement(
  name: string,
  taskGroup: TaskGroup,
  opts: Partial<Omit<PlacementResult, "name" | "taskGroup">> = {},
): PlacementResult {
  return {
    name,
    taskGroup,
    canary: opts.canary ?? false,
    previousAlloc: opts.previousAlloc ?? null,
    reschedule: opts.reschedule ?? false,
    lost: opts.lost ?? false,
    downgradeNonCanary: opts.downgradeNonCanary ?? false,
    minJobVersion: opts.minJobVersion ?? 0,
    stopPreviousDesc: opts.stopPreviousDesc ?? null,
  };
}

/**
 * How many more allocations may be placed or replaced now: the count without an update
 * strategy or when nothing changes, else `max_parallel` less the deployment's allocations not
 * yet healthy (0 while an allocation is unhealthy, paused, failed or canarying).
 */
export function computeUnderProvisionedBy(
  gc: GroupContext,
  tg: TaskGroup,
  sets: { untainted: AllocSet; destructive: AllocSet; migrate: AllocSet },
  isCanarying: boolean,
): number {
  if (updateEmpty(tg.Update) || sets.destructive.size + sets.migrate.size === 0) {
    return tg.Count ?? 0;
  }
  const maxParallel = tg.Update?.MaxParallel ?? 0;
  const d = gc.deploymentCurrent;
  if (d === null) return maxParallel;
  if (gc.deploymentPaused || gc.deploymentFailed || isCanarying) return 0;
  let n = maxParallel;
  for (const a of sets.untainted.values()) {
    if (a.DeploymentID !== d.ID) continue;
    if (isUnhealthy(a)) return 0;
    if (!isHealthy(a)) n--;
  }
  return Math.max(0, n);
}

/**
 * The placements that bring the group to its count: replacements of failed allocations, of lost
 * ones (up to the count), then new names.
 */
export function computePlacements(
  gc: GroupContext,
  tg: TaskGroup,
  nameIndex: AllocNameIndex,
  sets: { untainted: AllocSet; migrate: AllocSet; reschedule: AllocSet; lost: AllocSet },
  isCanarying: boolean,
): PlacementResult[] {
  const place: PlacementResult[] = [];
  const replace = (a: Allocation, kind: "reschedule" | "lost") =>
    placement(a.Name, tg, {
      previousAlloc: a,
      reschedule: kind === "reschedule",
      lost: kind === "lost",
      canary: isCanary(a),
      downgradeNonCanary: isCanarying && !isCanary(a),
      minJobVersion: allocJobVersion(a, gc.job),
    });
  for (const a of nameOrder(sets.reschedule)) place.push(replace(a, "reschedule"));
  const count = tg.Count ?? 0;
  let existing = sets.untainted.size + sets.migrate.size + sets.reschedule.size;
  for (const a of nameOrder(sets.lost)) {
    if (existing >= count) break;
    existing++;
    place.push(replace(a, "lost"));
  }
  if (existing < count) {
    for (const name of nameIndex.next(count - existing)) {
      place.push(placement(name, tg, { downgradeNonCanary: isCanarying }));
    }
  }
  return place;
}

/**
 * Applies the placements when the deployment allows it; otherwise keeps only the replacements
 * of lost and failed allocations (never held back by a deployment). Returns what is left of the
 * parallelism budget, the placements and the stops of the replaced failed allocations (not of
 * migrating, disconnecting or `unknown` ones: those are not failures).
 */
export function placeAllocs(
  gc: GroupContext,
  ready: boolean,
  du: DesiredUpdates,
  place: PlacementResult[],
  sets: {
    migrate: AllocSet;
    rescheduleNow: AllocSet;
    lost: AllocSet;
    disconnecting: ReadonlyMap<string, Allocation>;
  },
  underProvisionedBy: number,
): { underProvisionedBy: number; place: PlacementResult[]; stops: AllocStopResult[] } {
  const failed = filterSet(
    sets.rescheduleNow,
    (a) =>
      !sets.migrate.has(a.ID) && !sets.disconnecting.has(a.ID) &&
      a.ClientStatus !== AllocClientStatus.Unknown,
  );
  if (ready) {
    du.Place += place.length;
    du.Stop += failed.size;
    return {
      underProvisionedBy: underProvisionedBy - Math.min(place.length, underProvisionedBy),
      place,
      stops: markStop(failed.values(), "", StopReason.Rescheduled),
    };
  }
  const out: PlacementResult[] = [];
  const stops: AllocStopResult[] = [];
  if (sets.lost.size > 0) {
    const lost = place.filter((p) => p.lost).slice(0, sets.lost.size);
    du.Place += lost.length;
    out.push(...lost);
  }
  if (sets.rescheduleNow.size === 0 || place.length === 0) {
    return { underProvisionedBy, place: out, stops };
  }
  const d = gc.deploymentCurrent;
  for (const p of place) {
    const prev = p.previousAlloc;
    if (!p.reschedule || prev === null) continue;
    if (gc.deploymentFailed && d !== null && prev.DeploymentID === d.ID) continue;
    out.push(p);
    du.Place++;
    if (sets.disconnecting.has(prev.ID)) continue;
    stops.push({
      alloc: prev,
      clientStatus: "",
      statusDescription: StopReason.Rescheduled,
      followupEvalId: "",
    });
    du.Stop++;
  }
  return { underProvisionedBy, place: out, stops };
}

/** The destructive updates the parallelism budget allows now, lowest indexes first. */
export function computeDestructiveUpdates(
  tg: TaskGroup,
  destructive: AllocSet,
  underProvisionedBy: number,
  du: DesiredUpdates,
): PlacementResult[] {
  const n = Math.min(destructive.size, underProvisionedBy);
  du.DestructiveUpdate += n;
  du.Ignore += destructive.size - n;
  return nameOrder(destructive).slice(0, n).map((a) =>
    placement(a.Name, tg, { previousAlloc: a, stopPreviousDesc: StopReason.Updating })
  );
}

/**
 * Stops the migrating allocations and places their replacements (not for batch allocations the
 * drain or `alloc stop` asked not to replace here).
 */
export function computeMigrations(
  gc: GroupContext,
  tg: TaskGroup,
  migrate: AllocSet,
  isCanarying: boolean,
  du: DesiredUpdates,
): { stops: AllocStopResult[]; place: PlacementResult[] } {
  du.Migrate += migrate.size;
  const stops: AllocStopResult[] = [];
  const place: PlacementResult[] = [];
  for (const a of nameOrder(migrate)) {
    stops.push({
      alloc: a,
      clientStatus: "",
      statusDescription: StopReason.Migrating,
      followupEvalId: a.FollowupEvalID,
    });
    const batch = (a.Job ?? gc.job).Type === "batch";
    const dt = a.DesiredTransition;
    if (batch && (dt.Reschedule === true || dt.MigrateDisablePlacement === true)) continue;
    place.push(placement(a.Name, tg, {
      previousAlloc: a,
      canary: isCanary(a),
      downgradeNonCanary: isCanarying && !isCanary(a),
      minJobVersion: allocJobVersion(a, gc.job),
    }));
  }
  return { stops, place };
}
