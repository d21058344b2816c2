/**
 * The one switch through which every change of the state goes. Each entry runs in one
 * transaction: either all its writes happen or (on an error) none.
 *
 * @module
 */
import type { Entry, EntryType } from "./entries.ts";
import type { Txn } from "./_txn.ts";
import {
  type ApplyConfig,
  enforceJobIndex,
  jobSpecChanged,
  purgeJob,
  stopJob,
  updateJobStability,
  upsertJob,
} from "./_jobs.ts";
import { reconcileSummaries } from "./_summaries.ts";
import { jobByIdempotencyToken, recordLaunches, upsertScalingEvent } from "./_launches.ts";
import { deleteEvals, upsertEval, upsertEvals } from "./_evals.ts";
import { applyClientUpdate, applyDesiredTransitions, applyPlan } from "./_allocs.ts";
import {
  addNodeEvents,
  deleteNodes,
  updateNodeDrain,
  updateNodeEligibility,
  updateNodeStatus,
  upsertNode,
} from "./_nodes.ts";
import {
  deleteDeployments,
  promoteDeployment,
  setAllocHealth,
  setSchedulerConfig,
  updateDeploymentStatus,
} from "./_deployments.ts";
import { nsKey } from "./_util.ts";

/**
 * What applying did: `updated` is false for a no-op by design; `error` reports a failure of
 * part of the entry whose other writes were kept (a deregistration of a missing job still
 * stores its evaluation, as in Nomad).
 */
export interface Outcome {
  readonly updated: boolean;
  readonly error?: Error;
  /** The event type the changes are published under, when not the entry's default. */
  readonly eventType?: string;
}

const DONE: Outcome = { updated: true };

/** Applies one entry inside `tx`; throws (and the caller rolls back) when it fails. */
export function applyEntry(tx: Txn, entry: Entry, cfg: ApplyConfig): Outcome {
  switch (entry.type) {
    case "JobRegister": {
      const job = { ...entry.job, NodePool: entry.job.NodePool || "default" };
      const token = entry.idempotencyToken ?? "";
      if (token !== "" && job.ParentID) {
        const ns = job.Namespace ?? "default";
        if (jobByIdempotencyToken(tx.db, ns, job.ParentID, token)) return { updated: false };
      }
      const existing = tx.db.jobs.get(nsKey(job.Namespace, job.ID));
      if (entry.enforceIndex !== undefined) enforceJobIndex(existing, entry.enforceIndex);
      if (existing && !jobSpecChanged(existing, job)) {
        // Nothing to store but the evaluation (Nomad forces one on every registration).
        if (entry.eval) upsertEvals(tx, [entry.eval], cfg);
        recordLaunches(tx, existing);
        return { updated: false, eventType: "EvaluationUpdated" };
      }
      const stored = upsertJob(tx, job, cfg, { preserveCounts: entry.preserveCounts });
      if (entry.eval) upsertEvals(tx, [{ ...entry.eval, JobModifyIndex: tx.index }], cfg);
      recordLaunches(tx, stored);
      return DONE;
    }
    case "JobDeregister": {
      let error: Error | undefined;
      try {
        deregister(tx, entry.namespace, entry.jobId, entry.purge, entry, cfg);
      } catch (err) {
        error = err as Error;
      }
      if (entry.eval) upsertEvals(tx, [{ ...entry.eval, JobModifyIndex: tx.index }], cfg);
      return error ? { updated: false, error } : DONE;
    }
    case "JobBatchDeregister":
      for (const j of entry.jobs) {
        deregister(tx, j.namespace, j.jobId, j.purge, { submitTime: entry.submitTime }, cfg);
      }
      if (entry.evals && entry.evals.length > 0) upsertEvals(tx, entry.evals, cfg);
      return DONE;
    case "JobStability":
      updateJobStability(tx, entry.namespace, entry.jobId, entry.version, entry.stable, cfg);
      return DONE;
    case "EvalUpsert":
      upsertEvals(tx, entry.evals, cfg);
      return DONE;
    case "EvalDelete":
      deleteEvals(tx, entry.evalIds, entry.allocIds, entry.userInitiated ?? false, cfg);
      return DONE;
    case "PlanApply":
      applyPlan(tx, entry, cfg);
      return DONE;
    case "AllocClientUpdate":
      applyClientUpdate(tx, entry, cfg);
      return DONE;
    case "AllocDesiredTransition":
      applyDesiredTransitions(tx, entry);
      return DONE;
    case "AllocStop":
      applyDesiredTransitions(tx, {
        type: "AllocDesiredTransition",
        transitions: {
          [entry.allocId]: {
            Migrate: true,
            NoShutdownDelay: entry.noShutdownDelay ?? false,
            Reschedule: entry.reschedule ?? false,
          },
        },
        evals: [entry.eval],
      });
      return DONE;
    case "NodeRegister":
      upsertNode(tx, entry.node);
      return DONE;
    case "NodeDeregister":
      deleteNodes(tx, entry.nodeIds);
      return DONE;
    case "NodeStatus":
      updateNodeStatus(tx, entry.nodeId, entry.status, entry.updatedAt, entry.event);
      return DONE;
    case "NodeEligibility":
      updateNodeEligibility(tx, entry.nodeId, entry.eligibility, entry.updatedAt, entry.event);
      return DONE;
    case "NodeDrain":
      updateNodeDrain(tx, entry);
      return DONE;
    case "NodeEvents":
      addNodeEvents(tx, entry.events);
      return DONE;
    case "DeploymentStatus":
      updateDeploymentStatus(tx, entry.update, entry.updatedAt, cfg);
      if (entry.job) upsertJob(tx, { ...entry.job }, cfg);
      if (entry.eval) upsertEval(tx, entry.eval);
      return DONE;
    case "DeploymentPromote":
      promoteDeployment(tx, entry, cfg);
      if (entry.eval) upsertEval(tx, entry.eval);
      return DONE;
    case "DeploymentAllocHealth":
      setAllocHealth(tx, entry, cfg);
      if (entry.job) upsertJob(tx, { ...entry.job }, cfg);
      if (entry.eval) upsertEval(tx, entry.eval);
      return DONE;
    case "DeploymentDelete":
      deleteDeployments(tx, entry.deploymentIds);
      return DONE;
    case "SchedulerConfig":
      return { updated: setSchedulerConfig(tx, entry.config, entry.cas) };
    case "ScalingEvent":
      upsertScalingEvent(tx, entry);
      return DONE;
    case "JobSummaryReconcile":
      reconcileSummaries(tx);
      return DONE;
  }
}

function deregister(
  tx: Txn,
  namespace: string,
  jobId: string,
  purge: boolean,
  opts: { submitTime?: number | undefined; noShutdownDelay?: boolean | undefined },
  cfg: ApplyConfig,
): void {
  if (opts.noShutdownDelay) {
    const job = tx.db.jobs.get(nsKey(namespace, jobId));
    const transitions: Record<string, { NoShutdownDelay: boolean }> = {};
    for (const a of tx.db.allocs.by("job", nsKey(namespace, jobId))) {
      if (job && a.Job?.CreateIndex === job.CreateIndex) {
        transitions[a.ID] = { NoShutdownDelay: true };
      }
    }
    applyDesiredTransitions(tx, { type: "AllocDesiredTransition", transitions, evals: [] });
  }
  if (purge) purgeJob(tx, namespace, jobId);
  else stopJob(tx, namespace, jobId, opts.submitTime ?? 0, cfg);
}

/** The event type (Nomad's names) each entry type publishes its changes under, if any. */
export const EVENT_TYPES: Readonly<Record<EntryType, string | undefined>> = {
  JobRegister: "JobRegistered",
  JobDeregister: "JobDeregistered",
  JobBatchDeregister: "JobBatchDeregistered",
  JobStability: undefined,
  EvalUpsert: "EvaluationUpdated",
  EvalDelete: undefined,
  PlanApply: "PlanResult",
  AllocClientUpdate: "AllocationUpdated",
  AllocDesiredTransition: "AllocationUpdateDesiredStatus",
  AllocStop: "AllocationUpdateDesiredStatus",
  NodeRegister: "NodeRegistration",
  NodeDeregister: "NodeDeregistration",
  NodeStatus: "NodeStreamEvent",
  NodeEligibility: "NodeEligibility",
  NodeDrain: "NodeDrain",
  NodeEvents: "NodeStreamEvent",
  DeploymentStatus: "DeploymentStatusUpdate",
  DeploymentPromote: "DeploymentPromotion",
  DeploymentAllocHealth: "DeploymentAllocHealth",
  DeploymentDelete: undefined,
  SchedulerConfig: undefined,
  ScalingEvent: undefined,
  JobSummaryReconcile: undefined,
};
