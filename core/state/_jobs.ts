/**
 * Jobs in the state: register (versions, status, summary), deregister and purge, and
 * stability, as Nomad's state store does them.
 *
 * @module
 */
import type { Job, JobSummary } from "../structs/mod.ts";
import { ConflictError, NotFoundError } from "../structs/mod.ts";
import { versionKey } from "./_tables.ts";
import type { Txn } from "./_txn.ts";
import {
  allocTerminal,
  deploymentTerminal,
  evalTerminal,
  isParameterized,
  isPeriodic,
  JobStatus,
  statusField,
} from "./_status.ts";
import { mutableSummary } from "./_summaries.ts";
import { deleteJobRecords } from "./_launches.ts";
import { deepEqual, nsKey } from "./_util.ts";

/** What the apply functions need to know beyond the entry. */
export interface ApplyConfig {
  /** How many versions of a job are kept (Nomad's `JobTrackedVersions`, default 6). */
  readonly jobTrackedVersions: number;
}

/**
 * Whether the functional specification of a job changed (Nomad's `Job.SpecChanged`): the jobs
 * are compared with status, stability, version, indexes and submit time ignored.
 */
export function jobSpecChanged(old: Job | undefined, next: Job): boolean {
  if (!old) return true;
  return !deepEqual(old, {
    ...next,
    Status: old.Status,
    StatusDescription: old.StatusDescription,
    Stable: old.Stable,
    Version: old.Version,
    CreateIndex: old.CreateIndex,
    ModifyIndex: old.ModifyIndex,
    JobModifyIndex: old.JobModifyIndex,
    SubmitTime: old.SubmitTime,
  });
}

/** Computes a job's status from its deployments, allocations and evaluations. */
export function computeJobStatus(tx: Txn, job: Job, evalDelete: boolean): string {
  if (job.Type === "system" || isParameterized(job) || isPeriodic(job)) {
    return job.Stop ? JobStatus.Dead : JobStatus.Running;
  }
  const key = nsKey(job.Namespace, job.ID);
  for (const d of tx.db.deployments.by("job", key)) {
    if (!deploymentTerminal(d)) return JobStatus.Running;
  }
  for (const a of tx.db.allocs.by("job", key)) if (!allocTerminal(a)) return JobStatus.Running;
  let hasEval = false;
  for (const e of tx.db.evals.by("job", key)) {
    if (!evalTerminal(e)) return JobStatus.Pending;
    hasEval = true;
  }
  return evalDelete || hasEval || job.Stop ? JobStatus.Dead : JobStatus.Pending;
}

/** Sets a stored job's status (computed, or `force`), with its version and parent summary. */
export function setJobStatus(
  tx: Txn,
  job: Job,
  evalDelete: boolean,
  force: string,
  cfg: ApplyConfig,
): void {
  const oldStatus = job.Status ?? "";
  const newStatus = force || computeJobStatus(tx, job, evalDelete);
  if (oldStatus === newStatus) return;
  const updated = tx.put(tx.db.jobs, nsKey(job.Namespace, job.ID), {
    ...job,
    Status: newStatus,
    ModifyIndex: tx.index,
  });
  setParentSummary(tx, updated, oldStatus, newStatus);
  upsertJobVersion(tx, updated, cfg);
}

/** Sets the status of several jobs (key: `nsKey`; value: a forced status or ""). */
export function setJobStatuses(
  tx: Txn,
  jobs: ReadonlyMap<string, string>,
  evalDelete: boolean,
  cfg: ApplyConfig,
): void {
  for (const [key, force] of jobs) {
    const job = tx.db.jobs.get(key);
    if (job) setJobStatus(tx, job, evalDelete, force, cfg);
  }
}

function setParentSummary(tx: Txn, job: Job, oldStatus: string, newStatus: string): void {
  if (!job.ParentID) return;
  const s = mutableSummary(tx, job.Namespace, job.ParentID);
  if (!s) return;
  const children = s.Children ??= { Pending: 0, Running: 0, Dead: 0 };
  if (oldStatus) children[statusField(oldStatus)]--;
  children[statusField(newStatus)]++;
  s.ModifyIndex = tx.index;
}

/** Stores a job version and drops the oldest untagged one beyond the tracked count. */
export function upsertJobVersion(tx: Txn, job: Job, cfg: ApplyConfig): void {
  const versions = tx.db.jobVersions;
  tx.put(versions, versionKey(job.Namespace, job.ID, job.Version ?? 0), job);
  const all = versions.by("job", nsKey(job.Namespace, job.ID))
    .filter((j) => j.VersionTag == null)
    .sort((a, b) => (b.Version ?? 0) - (a.Version ?? 0));
  const max = cfg.jobTrackedVersions;
  if (all.length <= max) return;
  // Keep the newest stable version if it would be the one dropped.
  if (all.findIndex((j) => j.Stable) === max) {
    [all[max - 1], all[max]] = [all[max] as Job, all[max - 1] as Job];
  }
  const drop = all[max] as Job;
  tx.delete(versions, versionKey(drop.Namespace, drop.ID, drop.Version ?? 0));
}

function updateSummaryWithJob(tx: Txn, job: Job): void {
  const key = nsKey(job.Namespace, job.ID);
  let s = mutableSummary(tx, job.Namespace, job.ID);
  let changed = false;
  if (!s) {
    s = tx.put(tx.db.summaries, key, {
      JobID: job.ID ?? "",
      Namespace: job.Namespace ?? "",
      Summary: {},
      Children: { Pending: 0, Running: 0, Dead: 0 },
      CreateIndex: tx.index,
      ModifyIndex: tx.index,
    });
    changed = true;
  }
  const summary = s.Summary ??= {};
  for (const tg of job.TaskGroups ?? []) {
    const name = tg.Name ?? "";
    if (summary[name]) continue;
    summary[name] = {
      Queued: 0,
      Complete: 0,
      Failed: 0,
      Running: 0,
      Starting: 0,
      Lost: 0,
      Unknown: 0,
    };
    changed = true;
  }
  if (changed) s.ModifyIndex = tx.index;
}

/** Options of {@link upsertJob}. */
export interface UpsertJobOptions {
  /** Keep the version (an internal change such as `Stable`). */
  readonly keepVersion?: boolean;
  readonly preserveCounts?: boolean | undefined;
}

/** Stores a job: indexes, version, status, summary, version history. `job` is a fresh copy. */
export function upsertJob(tx: Txn, job: Job, cfg: ApplyConfig, opts: UpsertJobOptions = {}): Job {
  if (!job.NodePool) job.NodePool = "default";
  const key = nsKey(job.Namespace, job.ID);
  const existing = tx.db.jobs.get(key);
  if (existing) {
    job.CreateIndex = existing.CreateIndex;
    job.ModifyIndex = tx.index;
    if (!opts.keepVersion) {
      job.JobModifyIndex = tx.index;
      if ((job.Version ?? 0) <= (existing.Version ?? 0)) job.Version = (existing.Version ?? 0) + 1;
    }
    job.Status = computeJobStatus(tx, job, false);
    if (opts.preserveCounts) {
      const counts = new Map((existing.TaskGroups ?? []).map((tg) => [tg.Name, tg.Count]));
      job.TaskGroups = (job.TaskGroups ?? []).map((tg) =>
        counts.has(tg.Name) ? { ...tg, Count: counts.get(tg.Name) ?? null } : tg
      );
    }
  } else {
    job.CreateIndex = tx.index;
    job.ModifyIndex = tx.index;
    job.JobModifyIndex = tx.index;
    job.Version ??= 0;
    setJobStatus(tx, job, false, "", cfg);
    job = tx.db.jobs.get(key) ?? job;
  }
  updateSummaryWithJob(tx, job);
  upsertJobVersion(tx, job, cfg);
  tx.put(tx.db.jobs, key, job);
  return job;
}

/** Nomad's `EnforceIndex` check-and-set on a job's `JobModifyIndex` (0: must not exist). */
export function enforceJobIndex(job: Job | undefined, index: number): void {
  const prefix = "Enforcing job modify index";
  if (job) {
    if (index === 0) throw new ConflictError(`${prefix} 0: job already exists`);
    if (index !== job.JobModifyIndex) {
      throw new ConflictError(
        `${prefix} ${index}: job exists with conflicting job modify index: ${job.JobModifyIndex}`,
      );
    }
  } else if (index !== 0) {
    throw new ConflictError(`${prefix} ${index}: job does not exist`);
  }
}

/** Marks a job version stable (or not); the current job too when it is that version. */
export function updateJobStability(
  tx: Txn,
  namespace: string,
  jobId: string,
  version: number,
  stable: boolean,
  cfg: ApplyConfig,
): void {
  const job = tx.db.jobVersions.get(versionKey(namespace, jobId, version));
  if (!job || (job.Stable ?? false) === stable) return;
  const current = tx.db.jobs.get(nsKey(namespace, jobId));
  if (current && current.Version === version) {
    upsertJob(tx, { ...current, Stable: stable }, cfg, { keepVersion: true });
  } else {
    tx.put(tx.db.jobVersions, versionKey(namespace, jobId, version), {
      ...job,
      Stable: stable,
      ModifyIndex: tx.index,
    });
  }
}

/** Marks a job stopped (a new version with `Stop`), or fails when it does not exist. */
export function stopJob(
  tx: Txn,
  namespace: string,
  jobId: string,
  submitTime: number,
  cfg: ApplyConfig,
): void {
  const current = tx.db.jobs.get(nsKey(namespace, jobId));
  if (!current) {
    throw new NotFoundError(
      `job "${jobId}" in namespace "${namespace}" doesn't exist to be deregistered`,
    );
  }
  const stopped: Job = { ...current, Stop: true };
  if (submitTime !== 0) stopped.SubmitTime = submitTime;
  // Disable scaling policies so that the autoscaler leaves a stopped job alone.
  stopped.TaskGroups = (current.TaskGroups ?? []).map((tg) =>
    tg.Scaling ? { ...tg, Scaling: { ...tg.Scaling, Enabled: false } } : tg
  );
  upsertJob(tx, stopped, cfg);
}

/** Deletes a job with its versions, deployments, allocations and summary. */
export function purgeJob(tx: Txn, namespace: string, jobId: string): void {
  const db = tx.db;
  const key = nsKey(namespace, jobId);
  const job = db.jobs.get(key);
  if (!job) throw new NotFoundError(`job not found`);
  if (job.ParentID) {
    const parent = db.summaries.get(nsKey(namespace, job.ParentID));
    if (parent?.Children && job.Status !== JobStatus.Dead) {
      const s = mutableSummary(tx, namespace, job.ParentID) as JobSummary;
      const children = s.Children as NonNullable<JobSummary["Children"]>;
      children[statusField(job.Status ?? "")]--;
      children.Dead++;
      s.ModifyIndex = tx.index;
    }
  }
  tx.delete(db.jobs, key);
  tx.bump("jobs");
  for (const v of db.jobVersions.by("job", key)) {
    tx.delete(db.jobVersions, versionKey(v.Namespace, v.ID, v.Version ?? 0));
  }
  tx.bump("job_version");
  const deployments = db.deployments.by("job", key);
  if (deployments.length > 0) tx.bump("deployment");
  for (const d of deployments) tx.delete(db.deployments, d.ID);
  for (const e of db.evals.by("job", key)) {
    if (e.Status !== "pending") continue;
    tx.put(db.evals, e.ID, {
      ...e,
      Status: "complete",
      StatusDescription: `job ${jobId} deleted`,
      ModifyIndex: tx.index,
    });
  }
  for (const a of db.allocs.by("job", key)) tx.delete(db.allocs, a.ID);
  tx.bump("allocs");
  tx.delete(db.summaries, key);
  tx.bump("job_summary");
  deleteJobRecords(tx, namespace, jobId);
}
