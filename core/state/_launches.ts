/**
 * What the state keeps about periodic and parameterized jobs and about scaling, beside the
 * jobs: the periodic launch table, the idempotency tokens of dispatched jobs, and the capped
 * scaling events of each task group.
 *
 * @module
 */
import type { Job } from "../structs/mod.ts";
import type { ScalingEventEntry } from "./entries.ts";
import {
  JOB_TRACKED_SCALING_EVENTS,
  type JobScalingEvents,
  PERIODIC_LAUNCH_SUFFIX,
  type PeriodicLaunch,
} from "./records.ts";
import type { Db } from "./_tables.ts";
import type { Txn } from "./_txn.ts";
import { isParameterized, isPeriodic } from "./_status.ts";
import { nsKey } from "./_util.ts";

/** Whether a periodic job launches (Nomad's `IsPeriodicActive`). */
export function isPeriodicActive(job: Job): boolean {
  return isPeriodic(job) && job.Periodic?.Enabled !== false && !job.Stop &&
    !isParameterized(job);
}

/**
 * The launch time of a periodic child from its ID (`<parent>/periodic-<unix seconds>`), in
 * Unix nanoseconds, or undefined when the ID is not a periodic child's.
 */
export function launchTimeOf(childId: string): number | undefined {
  const at = childId.lastIndexOf(PERIODIC_LAUNCH_SUFFIX);
  if (at < 0) return undefined;
  const digits = childId.slice(at + PERIODIC_LAUNCH_SUFFIX.length);
  if (!/^-?[0-9]+$/.test(digits)) return undefined;
  return Number(digits) * 1e9;
}

function putLaunch(tx: Txn, namespace: string, id: string, launch: number): void {
  const key = nsKey(namespace, id);
  const old = tx.db.periodicLaunches.get(key);
  tx.put(
    tx.db.periodicLaunches,
    key,
    {
      ID: id,
      Namespace: namespace,
      Launch: launch,
      CreateIndex: old?.CreateIndex ?? tx.index,
      ModifyIndex: tx.index,
    } satisfies PeriodicLaunch,
  );
}

/**
 * Records launches after a job registration, as Nomad's FSM does: an active periodic job
 * that has no launch yet gets its registration time (`SubmitTime`) as one, and a periodic
 * child sets its parent's launch to the time in its ID.
 */
export function recordLaunches(tx: Txn, job: Job): void {
  const ns = job.Namespace ?? "default";
  const id = job.ID ?? "";
  if (isPeriodicActive(job) && !tx.db.periodicLaunches.get(nsKey(ns, id))) {
    putLaunch(tx, ns, id, job.SubmitTime ?? 0);
  }
  if (!job.ParentID) return;
  const parent = tx.db.jobs.get(nsKey(ns, job.ParentID));
  if (!parent || !isPeriodic(parent) || isParameterized(parent)) return;
  const launch = launchTimeOf(id);
  if (launch !== undefined) putLaunch(tx, ns, job.ParentID, launch);
}

/**
 * The dispatched child of `parentId` created with an idempotency token (Nomad's
 * `CheckIdempotencyToken`), if it is still stored.
 */
export function jobByIdempotencyToken(
  db: Db,
  namespace: string,
  parentId: string,
  token: string,
): Job | undefined {
  if (token === "") return undefined;
  for (const job of db.jobs.withPrefix(nsKey(namespace, parentId))) {
    if (job.ParentID === parentId && job.DispatchIdempotencyToken === token) return job;
  }
  return undefined;
}

/** Prepends a scaling event to its group's list, keeping the newest 20. */
export function upsertScalingEvent(tx: Txn, entry: ScalingEventEntry): void {
  const key = nsKey(entry.namespace, entry.jobId);
  const old = tx.db.scalingEvents.get(key);
  const events = { ...old?.ScalingEvents };
  events[entry.group] = [
    { ...entry.event, CreateIndex: tx.index },
    ...(events[entry.group] ?? []),
  ].slice(0, JOB_TRACKED_SCALING_EVENTS);
  tx.put(
    tx.db.scalingEvents,
    key,
    {
      Namespace: entry.namespace,
      JobID: entry.jobId,
      ScalingEvents: events,
      ModifyIndex: tx.index,
    } satisfies JobScalingEvents,
  );
}

/** Deletes a purged job's periodic launch and scaling events. */
export function deleteJobRecords(tx: Txn, namespace: string, jobId: string): void {
  const key = nsKey(namespace, jobId);
  tx.delete(tx.db.periodicLaunches, key);
  tx.delete(tx.db.scalingEvents, key);
}
