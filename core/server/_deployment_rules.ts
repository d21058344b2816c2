/**
 * The decisions of the deployment watcher, as pure functions of a deployment, its job and its
 * allocations (Nomad's `deploymentwatcher` rules): which groups are done, when progress is due,
 * whether an allocation update fails the deployment, asks for an evaluation or lets an unhealthy
 * allocation be replaced, whether the deadline fails it, what to roll back to, and whether the
 * canaries may be promoted automatically.
 *
 * @module
 */
import {
  deploymentActive,
  DeploymentStatusDescription,
  rescheduleEligible,
} from "../scheduler/mod.ts";
import { jobSpecChanged } from "../state/mod.ts";
import type { Allocation, Deployment, Evaluation, Job, TaskGroup } from "../structs/mod.ts";
import { ZERO_TIME } from "../structs/mod.ts";

/** Milliseconds since the epoch of a Go `time.Time` in RFC 3339; 0 for the zero time. */
export function goTimeMs(time: string | null | undefined): number {
  if (!time || time === ZERO_TIME) return 0;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return 0;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return 0;
  return seconds + Number(`0.${m[2] ?? "0"}`) * 1000;
}

function terminal(a: Allocation): boolean {
  return a.DesiredStatus === "stop" || a.DesiredStatus === "evict" ||
    a.ClientStatus === "complete" || a.ClientStatus === "failed" || a.ClientStatus === "lost";
}

const healthy = (a: Allocation) => a.DeploymentStatus?.Healthy === true;
const unhealthy = (a: Allocation) => a.DeploymentStatus?.Healthy === false;

function group(job: Job, name: string): TaskGroup | undefined {
  return (job.TaskGroups ?? []).find((g) => g.Name === name);
}

/**
 * Whether each group of the deployment looks done: promoted when it has canaries, and with at
 * least `DesiredTotal` healthy allocations still running.
 */
export function doneGroups(d: Deployment, allocs: readonly Allocation[]): Map<string, boolean> {
  const counts = new Map<string, number>();
  for (const a of allocs) {
    if (terminal(a) || !healthy(a)) continue;
    counts.set(a.TaskGroup, (counts.get(a.TaskGroup) ?? 0) + 1);
  }
  const done = new Map<string, boolean>();
  for (const [name, s] of Object.entries(d.TaskGroups ?? {})) {
    done.set(
      name,
      !(s.DesiredCanaries !== 0 && !s.Promoted) && (counts.get(name) ?? 0) >= s.DesiredTotal,
    );
  }
  return done;
}

/**
 * When the deployment must have progressed by, in epoch milliseconds: the earliest
 * `RequireProgressBy` of the groups that are not done; 0 when none has one.
 */
export function progressCutoff(d: Deployment, allocs: readonly Allocation[]): number {
  const done = doneGroups(d, allocs);
  let next = 0;
  for (const [name, s] of Object.entries(d.TaskGroups ?? {})) {
    if (done.get(name)) continue;
    const by = goTimeMs(s.RequireProgressBy);
    if (by !== 0 && (next === 0 || by < next)) next = by;
  }
  return next;
}

/**
 * What the progress deadline does to a deployment: it fails unless it is paused or every group
 * has enough healthy allocations (its canaries, while they wait for promotion); it rolls back
 * when a failing group's update strategy has `auto_revert`.
 */
export function deadlineVerdict(d: Deployment, job: Job): { fail: boolean; rollback: boolean } {
  if (d.Status === "paused") return { fail: false, rollback: false };
  let fail = false;
  for (const [name, s] of Object.entries(d.TaskGroups ?? {})) {
    if (s.DesiredCanaries > 0 && !s.Promoted) {
      if (s.HealthyAllocs >= s.DesiredCanaries) continue;
    } else if (s.HealthyAllocs >= s.DesiredTotal) continue;
    fail = true;
    if (group(job, name)?.Update?.AutoRevert) return { fail: true, rollback: true };
  }
  return { fail, rollback: false };
}

/** What an update of a deployment's allocations calls for. */
export interface AllocUpdateResult {
  /** An allocation became healthy since the scheduler last looked: evaluate the job. */
  createEval: boolean;
  failDeployment: boolean;
  rollback: boolean;
  /** Unhealthy allocations the scheduler may replace (their `Reschedule` transition is set). */
  allowReplacements: string[];
}

/**
 * Whether an unhealthy allocation fails the deployment at once: when its group has no progress
 * deadline, or when the allocation cannot be rescheduled any more.
 */
function failsEarly(d: Deployment, job: Job, a: Allocation, nowNs: number): boolean {
  if (!unhealthy(a)) return false;
  if ((d.TaskGroups?.[a.TaskGroup]?.ProgressDeadline ?? 0) === 0) return true;
  if (!deploymentActive(d)) return false;
  const policy = group(job, a.TaskGroup)?.ReschedulePolicy ?? null;
  return !rescheduleEligible(a.RescheduleTracker, policy, nowNs);
}

/**
 * Decides what the deployment's allocations call for.
 *
 * @param latestEvalIndex The index the scheduler last saw the job at ({@link latestEvalIndex}).
 * @param nowNs Now, Unix nanoseconds.
 */
export function allocUpdateResult(
  d: Deployment,
  job: Job,
  allocs: readonly Allocation[],
  latestEvalIndex: number,
  nowNs: number,
): AllocUpdateResult {
  const res: AllocUpdateResult = {
    createEval: false,
    failDeployment: false,
    rollback: false,
    allowReplacements: [],
  };
  for (const a of allocs) {
    const s = d.TaskGroups?.[a.TaskGroup];
    if (s === undefined) continue;
    const fail = failsEarly(d, job, a, nowNs);
    if (
      unhealthy(a) && !fail && deploymentActive(d) && a.DesiredTransition?.Reschedule !== true
    ) {
      res.allowReplacements.push(a.ID);
      continue;
    }
    if (healthy(a) && (a.DeploymentStatus?.ModifyIndex ?? 0) > latestEvalIndex) {
      res.createEval = true;
    }
    if (fail) {
      if (s.AutoRevert) res.rollback = true;
      res.failDeployment = true;
    }
    if (res.createEval && res.failDeployment && res.rollback) break;
  }
  return res;
}

/**
 * The index the scheduler last saw a job at: the highest snapshot (else create) index of its
 * evaluations that were not cancelled; 0 without any.
 */
export function latestEvalIndex(evals: readonly Evaluation[]): number {
  let max = 0;
  for (const e of evals) {
    if (e.Status === "canceled") continue;
    if (e.SnapshotIndex !== 0 && max < e.SnapshotIndex) max = e.SnapshotIndex;
    else if (max < e.CreateIndex) max = e.CreateIndex;
  }
  return max;
}

/** The newest stable version among a job's versions (given newest first). */
export function latestStableJob(versions: readonly Job[]): Job | undefined {
  return versions.find((j) => j.Stable === true);
}

/**
 * What a failure rolls back to and how the deployment says so: the stable version when its
 * spec differs from the current job (`... - rolling back to job version N`), nothing when it
 * is the same (`... - not rolling back to stable job version N as current job has same
 * specification`) or when there is no stable version (`... - no stable job version to auto
 * revert to`).
 */
export function rollbackTarget(
  current: Job,
  stable: Job | undefined,
  description: string,
): { job: Job | null; description: string } {
  if (stable === undefined) {
    return { job: null, description: `${description} - no stable job version to auto revert to` };
  }
  const version = stable.Version ?? 0;
  if (!jobSpecChanged(current, stable)) {
    return {
      job: null,
      description:
        `${description} - not rolling back to stable job version ${version} as current job has same specification`,
    };
  }
  return {
    job: { ...stable, VersionTag: null },
    description: `${description} - rolling back to job version ${version}`,
  };
}

/**
 * Whether the deployment's canaries can be promoted automatically: it waits for promotion,
 * has placed canaries, and every group with canaries has `auto_promote` and all its desired
 * canaries placed and healthy.
 */
export function canAutoPromote(d: Deployment, allocs: readonly Allocation[]): boolean {
  const groups = Object.values(d.TaskGroups ?? {});
  const placed = groups.some((s) => (s.PlacedCanaries ?? []).length > 0);
  const needs = d.Status === "running" && groups.some((s) => s.DesiredCanaries > 0 && !s.Promoted);
  if (!placed || !needs) return false;
  const byId = new Map(allocs.map((a) => [a.ID, a]));
  for (const s of groups) {
    if (s.DesiredCanaries < 1) continue;
    const canaries = s.PlacedCanaries ?? [];
    if (!s.AutoPromote || canaries.length < s.DesiredCanaries) return false;
    const good = canaries.filter((id) => {
      const a = byId.get(id);
      return a !== undefined && healthy(a);
    }).length;
    if (good !== s.DesiredCanaries) return false;
  }
  return true;
}

/** The description of a deployment failed by the watcher. */
export function failureDescription(deadlineHit: boolean): string {
  return deadlineHit
    ? DeploymentStatusDescription.ProgressDeadline
    : DeploymentStatusDescription.FailedAllocations;
}
