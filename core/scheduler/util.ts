/**
 * Small helpers over allocations, jobs and deployments that the schedulers and the server share:
 * allocation names and indexes, terminal-status predicates, and Go-style times.
 *
 * @module
 */
import {
  type Allocation,
  AllocClientStatus,
  AllocDesiredStatus,
  type Deployment,
  DeploymentStatus,
  type Job,
  type TaskGroup,
  type UpdateStrategy,
  ZERO_TIME,
} from "../structs/mod.ts";
import { globMatch } from "./constraints.ts";

/** `RescheduleTracker.LastReschedule` after a replacement was placed. */
export const LAST_RESCHEDULE_SUCCESS = "ok";
/** `RescheduleTracker.LastReschedule` after no node could take the replacement. */
export const LAST_RESCHEDULE_FAILED_TO_PLACE = "no placement";

/**
 * The name of an allocation: `<job>.<group>[<index>]` (Nomad's `structs.AllocName`).
 *
 * @example
 * ```ts
 * allocName("web", "frontend", 2); // "web.frontend[2]"
 * ```
 */
export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

/**
 * The index in an allocation name (Nomad's `AllocIndexFromName`): the digits between the
 * `<job>.<group>[` prefix and the closing bracket; 0 when the name is too short or the digits do
 * not parse.
 *
 * @example
 * ```ts
 * allocNameIndex("web.frontend[12]", "web", "frontend"); // 12
 * ```
 */
export function allocNameIndex(name: string, jobId: string, group: string): number {
  const prefix = jobId.length + group.length + 2;
  if (name.length <= 3 || name.length <= prefix) return 0;
  const digits = name.slice(prefix, name.length - 1);
  const n = Number.parseInt(digits, 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** The index of an allocation, from its name. */
export function allocIndex(alloc: Allocation): number {
  return allocNameIndex(alloc.Name, alloc.JobID, alloc.TaskGroup);
}

/** Whether the servers want the allocation stopped or evicted. */
export function isServerTerminal(alloc: Allocation): boolean {
  return alloc.DesiredStatus === AllocDesiredStatus.Stop ||
    alloc.DesiredStatus === AllocDesiredStatus.Evict;
}

/** Whether the client reports the allocation complete, failed or lost. */
export function isClientTerminal(alloc: Allocation): boolean {
  const s = alloc.ClientStatus;
  return s === AllocClientStatus.Complete || s === AllocClientStatus.Failed ||
    s === AllocClientStatus.Lost;
}

/**
 * Whether the allocation will not run again: the servers stopped it or its client finished it
 * (Nomad's `Allocation.TerminalStatus`).
 */
export function isTerminal(alloc: Allocation): boolean {
  return isServerTerminal(alloc) || isClientTerminal(alloc);
}

/** Whether every task of the allocation ran and finished without failing. */
export function ranSuccessfully(alloc: Allocation): boolean {
  const states = alloc.TaskStates;
  if (states === null) return false;
  let any = false;
  for (const name in states) {
    const s = states[name]!;
    if (s.State !== "dead" || s.Failed) return false;
    any = true;
  }
  return any;
}

/** Whether the scheduler tried to replace this failed allocation and found no node. */
export function lastRescheduleFailed(alloc: Allocation): boolean {
  const last = alloc.RescheduleTracker?.LastReschedule ?? "";
  return last !== "" && last !== LAST_RESCHEDULE_SUCCESS;
}

/** Whether the allocation was placed as a canary. */
export function isCanary(alloc: Allocation): boolean {
  return alloc.DeploymentStatus?.Canary === true;
}

/** Whether the deployment watcher marked the allocation healthy. */
export function isHealthy(alloc: Allocation): boolean {
  return alloc.DeploymentStatus?.Healthy === true;
}

/** Whether the deployment watcher marked the allocation unhealthy. */
export function isUnhealthy(alloc: Allocation): boolean {
  return alloc.DeploymentStatus?.Healthy === false;
}

/** Whether the job is stopped or gone (Nomad's `Job.Stopped`). */
export function jobStopped(job: Job | null | undefined): boolean {
  return job === null || job === undefined || job.Stop === true;
}

/** The task group of a job by name. */
export function lookupTaskGroup(job: Job | null, name: string): TaskGroup | undefined {
  if (job === null) return undefined;
  for (const tg of job.TaskGroups ?? []) if (tg.Name === name) return tg;
  return undefined;
}

/** Whether an update strategy is absent (Nomad's server-side check: `MaxParallel == 0`). */
export function updateEmpty(u: UpdateStrategy | null | undefined): boolean {
  return u === null || u === undefined || (u.MaxParallel ?? 0) === 0;
}

/** Whether a deployment is still in progress (Nomad's `Deployment.Active`). */
export function deploymentActive(d: Deployment | null | undefined): boolean {
  if (!d) return false;
  switch (d.Status) {
    case DeploymentStatus.Running:
    case DeploymentStatus.Paused:
    case DeploymentStatus.Blocked:
    case DeploymentStatus.Unblocking:
    case DeploymentStatus.Initializing:
    case DeploymentStatus.Pending:
      return true;
    default:
      return false;
  }
}

/** The job an allocation runs: its own copy, or `fallback` when the allocation carries none. */
export function allocJob(alloc: Allocation, fallback: Job | null): Job | null {
  return alloc.Job ?? fallback;
}

/** The version of the job an allocation runs (0 when unknown). */
export function allocJobVersion(alloc: Allocation, fallback: Job | null): number {
  return allocJob(alloc, fallback)?.Version ?? 0;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/**
 * Unix nanoseconds of an RFC 3339 time as Go writes it; 0 for Go's zero time, an empty string
 * or text that does not parse.
 */
export function timeToNs(text: string): number {
  if (text === "" || text === ZERO_TIME) return 0;
  const m = RFC3339.exec(text);
  if (!m) return 0;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return 0;
  const frac = m[2] ? Number((m[2] + "000000000").slice(0, 9)) : 0;
  return ms * 1e6 + frac;
}

/**
 * An RFC 3339 time in UTC with nanoseconds, as Go's `time.Time` marshals (trailing zeros of the
 * fraction dropped); Go's zero time for 0.
 */
export function nsToTime(ns: number): string {
  if (ns === 0) return ZERO_TIME;
  const secs = Math.floor(ns / 1e9);
  const frac = Math.round(ns - secs * 1e9);
  const base = new Date(secs * 1000).toISOString().slice(0, 19);
  if (frac <= 0 || frac >= 1e9) return `${base}Z`;
  const digits = String(frac).padStart(9, "0").replace(/0+$/, "");
  return `${base}.${digits}Z`;
}

/** Whether the node is in one of the job's datacenters (patterns allowed; none means any). */
export function nodeInDCs(node: { Datacenter: string }, dcs: readonly string[] | null): boolean {
  if (dcs === null || dcs.length === 0) return true;
  return dcs.some((dc) => globMatch(dc, node.Datacenter));
}

/** Whether the node is in the job's node pool (`all` means any; unset means `default`). */
export function nodeInPool(node: { NodePool: string }, pool: string | null): boolean {
  const want = pool === null || pool === "" ? "default" : pool;
  return want === "all" || (node.NodePool === "" ? "default" : node.NodePool) === want;
}
