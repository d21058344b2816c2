/**
 * Garbage collection (Nomad's core scheduler): terminal evaluations and their terminal
 * allocations older than a threshold, dead jobs whose evaluations are all collectable, down
 * nodes with nothing running, and finished deployments. `nomad system gc` runs it with every
 * threshold at zero; the leader runs it with Nomad's thresholds every 5 minutes.
 *
 * @module
 */
import { isTerminal } from "../scheduler/mod.ts";
import type { StateSnapshot } from "../state/mod.ts";
import type { Allocation, Evaluation, Job } from "../structs/mod.ts";
import type { ServerCore } from "./_core.ts";

const HOUR_NS = 3_600 * 1e9;

/** How old (ns) each kind of object must be to be collected. */
export interface GcThresholds {
  readonly eval: number;
  readonly batchEval: number;
  readonly job: number;
  readonly node: number;
  readonly deployment: number;
}

/** Nomad's defaults: evals 1h, batch evals 24h, jobs 4h, nodes 24h, deployments 1h. */
export const GC_THRESHOLDS: GcThresholds = {
  eval: HOUR_NS,
  batchEval: 24 * HOUR_NS,
  job: 4 * HOUR_NS,
  node: 24 * HOUR_NS,
  deployment: HOUR_NS,
};

/** Every threshold at zero: what `PUT /v1/system/gc` asks for. */
export const FORCE_GC: GcThresholds = { eval: 0, batchEval: 0, job: 0, node: 0, deployment: 0 };

/** How often the leader collects (Nomad's GC intervals). */
export const GC_INTERVAL_MS = 5 * 60_000;

/** What one collection removed. */
export interface GcResult {
  evals: number;
  allocs: number;
  jobs: number;
  nodes: number;
  deployments: number;
}

function evalTerminal(e: Evaluation): boolean {
  return e.Status === "complete" || e.Status === "failed" || e.Status === "canceled";
}

/** Whether a job may be collected at all (Nomad's `jobIsGCable`). */
function jobGcable(job: Job): boolean {
  if (job.VersionTag != null) return false;
  if (job.Periodic !== null && job.Periodic.Enabled !== false) return job.Stop === true;
  if (job.ParameterizedJob !== null && !job.Dispatched) return job.Stop === true;
  if (job.Status !== "dead") return false;
  return job.Stop === true || job.Type === "batch" || job.Type === "sysbatch";
}

/** Whether a terminal allocation may be collected (Nomad's `allocGCEligible`). */
function allocGcEligible(a: Allocation, job: Job | undefined, now: number, cutoff: number) {
  if (!isTerminal(a) || a.ModifyTime > cutoff) return false;
  if (a.ClientStatus === "running") return false;
  if (job === undefined || job.Stop === true || job.Status === "dead") return true;
  if (a.DesiredStatus === "stop" || a.ClientStatus !== "failed") return true;
  const policy = job.TaskGroups?.find((g) => g.Name === a.TaskGroup)?.ReschedulePolicy ?? null;
  if (policy === null || (policy.Unlimited !== true && (policy.Attempts ?? 0) === 0)) return true;
  if (a.NextAllocation !== "") return true;
  if (policy.Unlimited === true) return false;
  const events = a.RescheduleTracker?.Events ?? [];
  const last = events[events.length - 1];
  if (last === undefined) return false;
  return now - last.RescheduleTime > (policy.Interval ?? 0);
}

/** Whether an evaluation may be collected, and which of its allocations (Nomad's `gcEval`). */
function gcEval(
  snap: StateSnapshot,
  e: Evaluation,
  now: number,
  cutoff: number,
  allowBatch: boolean,
): [boolean, string[]] {
  if (!evalTerminal(e) || e.ModifyTime > cutoff) return [false, []];
  const job = snap.job(e.Namespace, e.JobID);
  const allocs = snap.allocsByEval(e.ID);
  if (e.Type === "batch") {
    const collect = job === undefined ||
      (job.Status === "dead" && (job.Stop === true || allowBatch));
    if (!collect) {
      const old = allocs.filter((a) =>
        a.CreateIndex < (job.JobModifyIndex ?? 0) && a.ModifyTime < cutoff && isTerminal(a)
      ).map((a) => a.ID);
      return [old.length === allocs.length, old];
    }
  }
  let all = true;
  const ids: string[] = [];
  for (const a of allocs) {
    if (allocGcEligible(a, job, now, cutoff)) ids.push(a.ID);
    else all = false;
  }
  return [all, ids];
}

/** Collects what is older than the thresholds; returns what was removed. */
export async function collectGarbage(core: ServerCore, t: GcThresholds): Promise<GcResult> {
  const snap = core.store.snapshot();
  const now = core.nowNs();
  const evalIds = new Set<string>();
  const allocIds = new Set<string>();
  const jobs: { namespace: string; jobId: string; purge: boolean }[] = [];

  for (const job of snap.jobs({ namespace: "*" })) {
    if (!jobGcable(job) || (job.SubmitTime ?? 0) > now - t.job) continue;
    const jobEvals: string[] = [];
    const jobAllocs: string[] = [];
    let all = true;
    for (const e of snap.evalsByJob(job.Namespace ?? "default", job.ID ?? "")) {
      const [gc, allocs] = gcEval(snap, e, now, now - t.job, true);
      if (!gc) {
        all = false;
        break;
      }
      jobEvals.push(e.ID);
      jobAllocs.push(...allocs);
    }
    const tagged = snap.jobVersions(job.Namespace ?? "default", job.ID ?? "")
      .some((v) => v.VersionTag != null);
    if (!all || tagged) continue;
    jobs.push({ namespace: job.Namespace ?? "default", jobId: job.ID ?? "", purge: true });
    for (const id of jobEvals) evalIds.add(id);
    for (const id of jobAllocs) allocIds.add(id);
  }
  for (const e of snap.evals()) {
    const cutoff = now - (e.Type === "batch" ? t.batchEval : t.eval);
    const [gc, allocs] = gcEval(snap, e, now, cutoff, false);
    if (gc) evalIds.add(e.ID);
    for (const id of allocs) allocIds.add(id);
  }
  const deployments = snap.deployments().filter((d) =>
    d.Status !== "running" && d.Status !== "paused" && d.Status !== "pending" &&
    d.Status !== "blocked" && d.Status !== "unblocking" && d.Status !== "initializing" &&
    d.ModifyTime <= now - t.deployment &&
    snap.allocsByDeployment(d.ID).every(isTerminal)
  ).map((d) => d.ID);
  const nodes = snap.nodes().filter((n) =>
    n.Status === "down" && n.StatusUpdatedAt * 1e9 <= now - t.node &&
    snap.allocsByNode(n.ID).every(isTerminal)
  ).map((n) => n.ID);

  if (evalIds.size > 0 || allocIds.size > 0) {
    await core.commit({ type: "EvalDelete", evalIds: [...evalIds], allocIds: [...allocIds] });
  }
  if (jobs.length > 0) await core.commit({ type: "JobBatchDeregister", jobs });
  if (deployments.length > 0) {
    await core.commit({ type: "DeploymentDelete", deploymentIds: deployments });
  }
  if (nodes.length > 0) {
    await core.commit({ type: "NodeDeregister", nodeIds: nodes });
    for (const id of nodes) core.heartbeats.clearHeartbeat(id);
  }
  return {
    evals: evalIds.size,
    allocs: allocIds.size,
    jobs: jobs.length,
    nodes: nodes.length,
    deployments: deployments.length,
  };
}
