/**
 * Allocations in the state: plan results, client updates, desired transitions, and the job
 * summary and deployment counters they move.
 *
 * @module
 */
import type { Allocation, Job } from "../structs/mod.ts";
import { NotFoundError } from "../structs/mod.ts";
import type {
  AllocClientUpdateEntry,
  AllocDesiredTransitionEntry,
  PlanApplyEntry,
} from "./entries.ts";
import { versionKey } from "./_tables.ts";
import type { Txn } from "./_txn.ts";
import { type ApplyConfig, setJobStatuses } from "./_jobs.ts";
import { allocTerminal, JobStatus } from "./_status.ts";
import { CLIENT_STATUS_FIELD, mutableSummary } from "./_summaries.ts";
import { touchEval, upsertEval, upsertEvals } from "./_evals.ts";
import {
  copyDeployment,
  updateDeploymentStatus,
  updateDeploymentWithAlloc,
  upsertDeployment,
} from "./_deployments.ts";
import { updateNodeEligibility } from "./_nodes.ts";
import { nanosToTime, nsKey } from "./_util.ts";

/** Nomad's node event message when repeated plan rejections make a node ineligible. */
export const PLAN_REJECT_MESSAGE =
  "Node marked as ineligible for scheduling due to multiple plan rejections, refer to https://developer.hashicorp.com/nomad/s/port-plan-failure for more information";

/**
 * The stored job object equal to `job` (same version and indexes), so that allocations share
 * one job object in memory — also after a replay of the log.
 */
export function internJob(tx: Txn, job: Job | null): Job | null {
  if (!job) return job;
  const stored = tx.db.jobVersions.get(versionKey(job.Namespace, job.ID, job.Version ?? 0));
  return stored && stored.ModifyIndex === job.ModifyIndex &&
      stored.JobModifyIndex === job.JobModifyIndex
    ? stored
    : job;
}

function updateSummaryWithAlloc(tx: Txn, alloc: Allocation, existing: Allocation | undefined) {
  if (!alloc.Job) return;
  const db = tx.db;
  const stored = db.summaries.get(nsKey(alloc.Namespace, alloc.JobID));
  if (!stored) {
    if (!db.jobs.get(nsKey(alloc.Namespace, alloc.JobID))) return;
    throw new Error(
      `job summary for job "${alloc.JobID}" in namespace "${alloc.Namespace}" is not present`,
    );
  }
  if (stored.CreateIndex !== alloc.Job.CreateIndex) return;
  if (!stored.Summary?.[alloc.TaskGroup]) {
    throw new Error(`unable to find task group in the job summary: ${alloc.TaskGroup}`);
  }
  if (existing && existing.ClientStatus === alloc.ClientStatus) return;
  if (!existing && alloc.ClientStatus !== "pending") return;
  const s = mutableSummary(tx, alloc.Namespace, alloc.JobID);
  const tg = s?.Summary?.[alloc.TaskGroup];
  if (!s || !tg) return;
  if (!existing) {
    tg.Starting++;
    if (tg.Queued > 0) tg.Queued--;
  } else {
    const inc = CLIENT_STATUS_FIELD[alloc.ClientStatus];
    if (inc) tg[inc]++;
    const dec = CLIENT_STATUS_FIELD[existing.ClientStatus];
    if (dec && dec !== "Failed" && dec !== "Complete" && tg[dec] > 0) tg[dec]--;
  }
  s.ModifyIndex = tx.index;
}

/**
 * Stores allocations (the transaction's own copies): indexes, kept client fields, deployment
 * and summary counters, the previous allocation's link, and the jobs' statuses.
 */
export function upsertAllocs(tx: Txn, allocs: readonly Allocation[], cfg: ApplyConfig): void {
  const db = tx.db;
  const jobs = new Map<string, string>();
  for (const alloc of allocs) {
    const exist = db.allocs.get(alloc.ID);
    if (!exist) {
      alloc.CreateIndex = tx.index;
      alloc.ModifyIndex = tx.index;
      alloc.AllocModifyIndex = tx.index;
      if (alloc.DeploymentStatus) {
        alloc.DeploymentStatus = { ...alloc.DeploymentStatus, ModifyIndex: tx.index };
      }
      if (!alloc.Job) {
        throw new Error(`attempting to upsert allocation "${alloc.ID}" without a job`);
      }
      // Never place for a job stopped (or gone) since the scheduler looked.
      const job = db.jobs.get(nsKey(alloc.Namespace, alloc.JobID));
      if (!job || job.Stop) continue;
    } else {
      alloc.CreateIndex = exist.CreateIndex;
      alloc.ModifyIndex = tx.index;
      alloc.AllocModifyIndex = tx.index;
      if (exist.NextAllocation) alloc.NextAllocation = exist.NextAllocation;
      alloc.TaskStates = exist.TaskStates;
      if (alloc.ClientStatus !== "lost" && alloc.ClientStatus !== "unknown") {
        alloc.ClientStatus = exist.ClientStatus;
        alloc.ClientDescription = exist.ClientDescription;
      }
      alloc.Job ??= exist.Job;
    }
    updateDeploymentWithAlloc(tx, alloc, exist);
    updateSummaryWithAlloc(tx, alloc, exist);
    tx.put(db.allocs, alloc.ID, alloc);
    if (alloc.PreviousAllocation) {
      const prev = tx.mutable(db.allocs, alloc.PreviousAllocation, (a) => ({ ...a }));
      if (prev) {
        prev.NextAllocation = alloc.ID;
        prev.ModifyIndex = tx.index;
      }
    }
    jobs.set(nsKey(alloc.Namespace, alloc.JobID), allocTerminal(alloc) ? "" : JobStatus.Running);
  }
  tx.bump("allocs");
  setJobStatuses(tx, jobs, false, cfg);
}

/** Commits a plan result. */
export function applyPlan(tx: Txn, e: PlanApplyEntry, cfg: ApplyConfig): void {
  const db = tx.db;
  const r = e.result;
  for (const nodeId of r.IneligibleNodes ?? []) {
    updateNodeEligibility(tx, nodeId, "ineligible", Math.floor(e.updatedAt / 1e9), {
      Message: PLAN_REJECT_MESSAGE,
      Subsystem: "Scheduler",
      Details: null,
      Timestamp: nanosToTime(e.updatedAt),
      CreateIndex: 0,
    });
  }
  if (r.Deployment) {
    const d = copyDeployment(r.Deployment);
    const existing = db.deployments.get(d.ID);
    const groups = d.TaskGroups ??= {};
    for (const [tg, old] of Object.entries(existing?.TaskGroups ?? {})) {
      const s = groups[tg];
      if (!s) {
        groups[tg] = old;
        continue;
      }
      s.HealthyAllocs = old.HealthyAllocs;
      s.UnhealthyAllocs = old.UnhealthyAllocs;
      s.PlacedAllocs = old.PlacedAllocs;
      s.RequireProgressBy = old.RequireProgressBy;
    }
    upsertDeployment(tx, d, cfg);
  }
  for (const u of r.DeploymentUpdates ?? []) updateDeploymentStatus(tx, u, e.updatedAt, cfg);
  if (e.evalId) touchEval(tx, e.evalId);

  const job = internJob(tx, e.job);
  const all: Allocation[] = [];
  for (const list of Object.values(r.NodeAllocation ?? {})) {
    for (const a of list) {
      const c: Allocation = { ...a, ModifyTime: e.updatedAt };
      if (c.CreateTime === 0) c.CreateTime = e.updatedAt;
      if (c.Job === null) {
        if (!allocTerminal(c)) c.Job = job;
      } else {
        c.Job = c.Job === e.job ? job : internJob(tx, c.Job);
      }
      all.push(c);
    }
  }
  for (const list of Object.values(r.NodeUpdate ?? {})) {
    for (const diff of list) {
      const a = existingAlloc(tx, diff.ID);
      all.push({
        ...a,
        DesiredStatus: "stop",
        DesiredDescription: diff.DesiredDescription,
        AllocStates: diff.AllocStates,
        ClientStatus: diff.ClientStatus || a.ClientStatus,
        FollowupEvalID: diff.FollowupEvalID || a.FollowupEvalID,
        ModifyTime: e.updatedAt,
      });
    }
  }
  for (const list of Object.values(r.NodePreemptions ?? {})) {
    for (const diff of list) {
      const a = existingAlloc(tx, diff.ID);
      all.push({
        ...a,
        DesiredStatus: "evict",
        PreemptedByAllocation: diff.PreemptedByAllocation,
        DesiredDescription: `Preempted by alloc ID ${diff.PreemptedByAllocation}`,
        ModifyTime: e.updatedAt,
      });
    }
  }
  upsertAllocs(tx, all, cfg);
  if (e.evals && e.evals.length > 0) upsertEvals(tx, e.evals, cfg);
}

function existingAlloc(tx: Txn, id: string): Allocation {
  const a = tx.db.allocs.get(id);
  if (!a) throw new NotFoundError(`alloc ${id} doesn't exist`);
  return a;
}

/** Whether an allocation's last client-status transition was to unknown (disconnected). */
function needsToReconnect(a: Allocation): boolean {
  const states = a.AllocStates ?? [];
  for (let i = states.length - 1; i >= 0; i--) {
    const s = states[i];
    if (!s || s.Field !== "ClientStatus" || s.Value === "") continue;
    return s.Value === "unknown";
  }
  return false;
}

/** Stores what clients report about their allocations. */
export function applyClientUpdate(tx: Txn, e: AllocClientUpdateEntry, cfg: ApplyConfig): void {
  const db = tx.db;
  const nodes = new Set<string>();
  const jobs = new Map<string, string>();
  for (const u of e.allocs) {
    const exist = db.allocs.get(u.ID);
    const nodeId = u.NodeID ?? exist?.NodeID;
    if (nodeId) nodes.add(nodeId);
    if (!exist) continue;
    const c: Allocation = {
      ...exist,
      ClientStatus: u.ClientStatus,
      ClientDescription: u.ClientDescription,
      TaskStates: u.TaskStates,
      NetworkStatus: u.NetworkStatus,
      ModifyIndex: tx.index,
      ModifyTime: u.ModifyTime ?? exist.ModifyTime,
    };
    const oldDs = exist.DeploymentStatus;
    const newDs = u.DeploymentStatus;
    if (oldDs && newDs) {
      if (newDs.Healthy !== null && newDs.Healthy !== oldDs.Healthy) {
        c.DeploymentStatus = {
          ...oldDs,
          Healthy: newDs.Healthy,
          Timestamp: newDs.Timestamp,
          ModifyIndex: tx.index,
        };
      }
    } else if (newDs) {
      c.DeploymentStatus = { ...newDs, ModifyIndex: tx.index };
    }
    updateDeploymentWithAlloc(tx, c, exist);
    updateSummaryWithAlloc(tx, c, exist);
    cancelFollowupForReconnect(tx, c, u.ClientStatus);
    tx.put(db.allocs, c.ID, c);
    jobs.set(nsKey(c.Namespace, c.JobID), "");
  }
  if (e.evals && e.evals.length > 0) upsertEvals(tx, e.evals, cfg);
  setJobStatuses(tx, jobs, false, cfg);
  tx.bump("allocs");
  for (const id of nodes) {
    const n = tx.mutable(db.nodes, id, (x) => ({ ...x }));
    if (n) n.LastAllocUpdateIndex = tx.index;
  }
}

function cancelFollowupForReconnect(tx: Txn, c: Allocation, reported: string): void {
  const evalId = c.FollowupEvalID;
  if (!needsToReconnect(c) || !evalId) return;
  if (reported !== "running" && reported !== "complete" && reported !== "failed") return;
  c.FollowupEvalID = "";
  for (const other of tx.db.allocs.by("job", nsKey(c.Namespace, c.JobID))) {
    if (other.ID !== c.ID && other.FollowupEvalID === evalId && !allocTerminal(other)) return;
  }
  const ev = tx.db.evals.get(evalId);
  if (!ev) return;
  tx.put(tx.db.evals, evalId, {
    ...ev,
    Status: "canceled",
    StatusDescription: "allocs reconnected",
    ModifyIndex: tx.index,
  });
}

/** Merges desired transitions into allocations and stores the evaluations. */
export function applyDesiredTransitions(tx: Txn, e: AllocDesiredTransitionEntry): void {
  const db = tx.db;
  for (const [id, t] of Object.entries(e.transitions)) {
    const exist = db.allocs.get(id);
    if (!exist) continue;
    const merged = { ...exist.DesiredTransition };
    for (const k of Object.keys(t) as (keyof typeof t)[]) {
      const v = t[k];
      if (v !== null && v !== undefined) merged[k] = v;
    }
    tx.put(db.allocs, id, {
      ...exist,
      DesiredTransition: merged,
      ModifyIndex: tx.index,
      AllocModifyIndex: tx.index,
    });
  }
  for (const ev of e.evals) upsertEval(tx, ev);
  tx.bump("allocs");
}
