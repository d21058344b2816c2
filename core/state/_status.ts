/**
 * Status predicates and constants shared by the apply functions.
 *
 * @module
 */
import type { Allocation, Deployment, Evaluation, Job } from "../structs/mod.ts";

/** Job status. */
export const JobStatus = { Pending: "pending", Running: "running", Dead: "dead" } as const;

/** Nomad's `JobDefaultTrackedVersions`. */
export const DEFAULT_JOB_TRACKED_VERSIONS = 6;

/** Whether a job is periodic. */
export function isPeriodic(job: Job): boolean {
  return job.Periodic != null;
}

/** Whether a job is a parameterized template (not a dispatched child). */
export function isParameterized(job: Job): boolean {
  return job.ParameterizedJob != null && !job.Dispatched;
}

/** Whether the desired or the client status of an allocation is terminal. */
export function allocTerminal(a: Allocation): boolean {
  return a.DesiredStatus === "stop" || a.DesiredStatus === "evict" || clientTerminal(a);
}

/** Whether the client status of an allocation is terminal. */
export function clientTerminal(a: Allocation): boolean {
  return a.ClientStatus === "complete" || a.ClientStatus === "failed" ||
    a.ClientStatus === "lost";
}

/** Whether an evaluation is complete, failed or cancelled. */
export function evalTerminal(e: Evaluation): boolean {
  return e.Status === "complete" || e.Status === "failed" || e.Status === "canceled";
}

/** Whether a deployment is successful, failed or cancelled. */
export function deploymentTerminal(d: Deployment): boolean {
  return d.Status === "cancelled" || d.Status === "failed" || d.Status === "successful";
}

/** The `JobChildrenSummary` counter of a job status. */
export function statusField(status: string): "Pending" | "Running" | "Dead" {
  switch (status) {
    case JobStatus.Pending:
      return "Pending";
    case JobStatus.Running:
      return "Running";
    case JobStatus.Dead:
      return "Dead";
  }
  throw new Error(`unknown job status "${status}"`);
}
