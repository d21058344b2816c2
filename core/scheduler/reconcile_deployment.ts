/**
 * Deployments as the reconciler sees them (Nomad's deployment rules in `reconcile_cluster.go`
 * and `structs/deployment.go`): creating one for a new job version, cancelling one that a newer
 * version or a stop made obsolete, and marking one complete.
 *
 * @module
 */
import {
  type Deployment,
  type DeploymentState,
  DeploymentStatus,
  type Job,
  type TaskGroup,
  ZERO_TIME,
} from "../structs/mod.ts";
import type { DeploymentStatusUpdate } from "./types.ts";
import { deploymentActive, jobStopped, updateEmpty } from "./util.ts";

/** The status descriptions Nomad gives deployments. */
export const DeploymentStatusDescription = {
  Running: "Deployment is running",
  RunningNeedsPromotion: "Deployment is running but requires manual promotion",
  RunningAutoPromotion: "Deployment is running pending automatic promotion",
  Paused: "Deployment is paused",
  Successful: "Deployment completed successfully",
  StoppedJob: "Cancelled because job is stopped",
  NewerJob: "Cancelled due to newer version of job",
  FailedAllocations: "Failed due to unhealthy allocations",
  ProgressDeadline: "Failed due to progress deadline",
  FailedByUser: "Deployment marked as failed",
  Blocked: "Deployment is complete but waiting for peer region",
  PendingForPeer: "Deployment is pending, waiting for peer region",
} as const;

/** A new running deployment of the job's current version (Nomad's `NewDeployment`). */
export function newDeployment(job: Job, evalPriority: number, now: number, id: string): Deployment {
  return {
    ID: id,
    Namespace: job.Namespace ?? "default",
    JobID: job.ID ?? "",
    JobVersion: job.Version ?? 0,
    JobModifyIndex: job.ModifyIndex ?? 0,
    JobSpecModifyIndex: job.JobModifyIndex ?? 0,
    JobCreateIndex: job.CreateIndex ?? 0,
    IsMultiregion: (job.Multiregion?.Regions?.length ?? 0) > 0,
    TaskGroups: {},
    Status: DeploymentStatus.Running,
    StatusDescription: DeploymentStatusDescription.Running,
    EvalPriority: evalPriority,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: now,
    ModifyTime: 0,
  };
}

/** A fresh deployment state for a group, with its update strategy's flags. */
export function newDeploymentState(tg: TaskGroup): DeploymentState {
  const u = tg.Update;
  const set = !updateEmpty(u);
  return {
    AutoRevert: set ? u?.AutoRevert ?? false : false,
    AutoPromote: set ? u?.AutoPromote ?? false : false,
    ProgressDeadline: set ? u?.ProgressDeadline ?? 0 : 0,
    RequireProgressBy: ZERO_TIME,
    Promoted: false,
    PlacedCanaries: null,
    DesiredCanaries: 0,
    DesiredTotal: 0,
    PlacedAllocs: 0,
    HealthyAllocs: 0,
    UnhealthyAllocs: 0,
  };
}

/** A deep copy of a deployment the reconciler may change. */
export function copyDeployment(d: Deployment | null | undefined): Deployment | null {
  if (!d) return null;
  const groups: Record<string, DeploymentState> = {};
  for (const [name, s] of Object.entries(d.TaskGroups ?? {})) {
    groups[name] = { ...s, PlacedCanaries: s.PlacedCanaries ? [...s.PlacedCanaries] : null };
  }
  return { ...d, TaskGroups: d.TaskGroups ? groups : null };
}

/**
 * Splits the latest deployment into the old one (to cancel or leave) and the current one (to
 * continue), with the status updates that cancel an obsolete one: the job is stopped, or the
 * deployment is of another job version. A successful deployment is no longer current.
 */
export function cancelUnneededDeployments(job: Job | null, d: Deployment | null): {
  old: Deployment | null;
  current: Deployment | null;
  updates: DeploymentStatusUpdate[];
} {
  const updates: DeploymentStatusUpdate[] = [];
  if (job === null || jobStopped(job)) {
    if (d !== null && deploymentActive(d)) {
      updates.push({
        DeploymentID: d.ID,
        Status: DeploymentStatus.Cancelled,
        StatusDescription: DeploymentStatusDescription.StoppedJob,
      });
    }
    return { old: d, current: null, updates };
  }
  if (d === null) return { old: null, current: null, updates };
  if (d.JobCreateIndex !== (job.CreateIndex ?? 0) || d.JobVersion !== (job.Version ?? 0)) {
    if (deploymentActive(d)) {
      updates.push({
        DeploymentID: d.ID,
        Status: DeploymentStatus.Cancelled,
        StatusDescription: DeploymentStatusDescription.NewerJob,
      });
    }
    return { old: d, current: null, updates };
  }
  if (d.Status === DeploymentStatus.Successful) return { old: d, current: null, updates };
  return { old: null, current: d, updates };
}

/** Whether some group still waits for its canaries to be promoted. */
export function requiresPromotion(d: Deployment | null): boolean {
  if (d === null || d.Status !== DeploymentStatus.Running) return false;
  return Object.values(d.TaskGroups ?? {}).some((g) => g.DesiredCanaries > 0 && !g.Promoted);
}

/** Whether every group with canaries promotes them automatically. */
export function hasAutoPromote(d: Deployment | null): boolean {
  if (d === null || d.Status !== DeploymentStatus.Running) return false;
  const groups = Object.values(d.TaskGroups ?? {});
  if (groups.length === 0) return false;
  return groups.every((g) => g.DesiredCanaries === 0 || g.AutoPromote);
}

/**
 * The status updates for the current deployment once every group was reconciled: successful
 * when complete (blocked for multiregion jobs), pending when it was initializing; and the
 * description of a created deployment that waits for promotion.
 */
export function deploymentStatusUpdates(
  job: Job,
  current: Deployment | null,
  created: Deployment | null,
  complete: boolean,
): DeploymentStatusUpdate[] {
  const updates: DeploymentStatusUpdate[] = [];
  if (current !== null) {
    if (complete) {
      const multiregion = (job.Multiregion?.Regions?.length ?? 0) > 0;
      if (!multiregion) {
        updates.push({
          DeploymentID: current.ID,
          Status: DeploymentStatus.Successful,
          StatusDescription: DeploymentStatusDescription.Successful,
        });
      } else if (
        current.Status !== DeploymentStatus.Unblocking &&
        current.Status !== DeploymentStatus.Successful
      ) {
        updates.push({
          DeploymentID: current.ID,
          Status: DeploymentStatus.Blocked,
          StatusDescription: DeploymentStatusDescription.Blocked,
        });
      }
    }
    if (current.Status === DeploymentStatus.Initializing) {
      updates.push({
        DeploymentID: current.ID,
        Status: DeploymentStatus.Pending,
        StatusDescription: DeploymentStatusDescription.PendingForPeer,
      });
    }
  }
  if (created !== null && requiresPromotion(created)) {
    created.StatusDescription = hasAutoPromote(created)
      ? DeploymentStatusDescription.RunningAutoPromotion
      : DeploymentStatusDescription.RunningNeedsPromotion;
  }
  return updates;
}
