/**
 * The scheduler of service and batch jobs (Nomad's `GenericScheduler`): one pass of reconcile,
 * in-place updates and placement over a state snapshot, producing the plan, the evaluation's
 * new status, a blocked evaluation for what did not fit and delayed follow-ups for failed
 * allocations to reschedule later.
 *
 * The server's worker submits the plan and, when the applier commits only part of it, calls
 * again with a fresh snapshot (Nomad's retry loop lives there).
 *
 * @module
 */
import {
  type Allocation,
  type AllocMetric,
  type Deployment,
  EvalStatus,
  type Evaluation,
  type Job,
  type Node,
  NodeStatus,
  type PlanAnnotations,
} from "../structs/mod.ts";
import { createBlockedEval, eligibilityOf } from "./blocked.ts";
import { computePlacements, type PlaceRun } from "./generic_place.ts";
import { finishEvaluation, GENERIC_TRIGGERS, type StackFactories } from "./generic_types.ts";
import { genericAllocUpdateFn } from "./generic_update.ts";
import { PlanBuilder } from "./plan_builder.ts";
import { annotatePreemptions } from "./preemption.ts";
import { reconcile, type ReconcileResults, StopReason } from "./reconcile.ts";
import { copyDeployment } from "./reconcile_deployment.ts";
import type { ScheduleContext, ScheduleOutcome, SchedulerState } from "./types.ts";
import { deploymentActive, isCanary, isTerminal, jobStopped, timeToNs } from "./util.ts";

/**
 * Nodes of the allocations that are down, draining or disconnected (`null` when deleted): their
 * allocations are lost or migrate.
 */
export function taintedNodes(
  state: SchedulerState,
  allocs: readonly Allocation[],
): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  const seen = new Set<string>();
  for (const a of allocs) {
    if (seen.has(a.NodeID)) continue;
    seen.add(a.NodeID);
    const node = state.node(a.NodeID) ?? null;
    if (
      node === null || node.Status === NodeStatus.Down || node.DrainStrategy !== null ||
      node.Status === NodeStatus.Disconnected
    ) {
      out.set(a.NodeID, node);
    }
  }
  return out;
}

/**
 * Marks lost the allocations of down (or deleted) nodes that the servers already stopped but
 * whose client never reported back.
 */
export function updateNonTerminalAllocsToLost(
  plan: PlanBuilder,
  tainted: ReadonlyMap<string, Node | null>,
  allocs: readonly Allocation[],
): void {
  for (const a of allocs) {
    if (!tainted.has(a.NodeID)) continue;
    const node = tainted.get(a.NodeID) ?? null;
    if (node !== null && node.Status !== NodeStatus.Down) continue;
    const stopped = a.DesiredStatus === "stop" || a.DesiredStatus === "evict";
    if (stopped && (a.ClientStatus === "running" || a.ClientStatus === "pending")) {
      plan.appendStoppedAlloc(a, StopReason.Lost, "lost");
    }
  }
}

/** The newest older job version still running outside the canaries, for downgraded placements. */
function stableVersion(job: Job, allocs: readonly Allocation[]): PlaceRun["stable"] {
  let best: Allocation | null = null;
  for (const a of allocs) {
    const v = a.Job?.Version ?? -1;
    if (a.Job === null || isTerminal(a) || isCanary(a) || v >= (job.Version ?? 0)) continue;
    if (best === null || v > (best.Job?.Version ?? -1)) best = a;
  }
  return best === null ? null : { job: best.Job!, deploymentId: best.DeploymentID };
}

/** Options of {@link scheduleGeneric}. */
export interface GenericOptions {
  /** Batch jobs: no deployments, quicker placement. */
  readonly batch: boolean;
  readonly stacks: StackFactories;
}

/**
 * Schedules one evaluation of a service or batch job.
 *
 * @param evaluation The evaluation (its `Type` is `service` or `batch`).
 * @param state A read-only snapshot.
 * @param ctx The clock, random source and ID generator.
 * @param opts Batch or service, and the placement stack factories.
 * @returns The plan (null when nothing changes), the evaluation with its final status,
 *   `FailedTGAllocs`, `QueuedAllocations` (placements that found no node) and
 *   `PlanAnnotations`, and new evaluations (blocked, delayed follow-ups).
 */
export function scheduleGeneric(
  evaluation: Evaluation,
  state: SchedulerState,
  ctx: ScheduleContext,
  opts: GenericOptions,
): ScheduleOutcome {
  if (!GENERIC_TRIGGERS.has(evaluation.TriggeredBy)) {
    const desc = `scheduler cannot handle '${evaluation.TriggeredBy}' evaluation reason`;
    return {
      plan: null,
      evaluation: finishEvaluation(evaluation, {
        status: EvalStatus.Failed,
        description: desc,
        deploymentId: "",
        failedTGAllocs: null,
        blockedEvalId: "",
        queuedAllocs: null,
        annotations: null,
        now: ctx.now,
      }),
      newEvals: [],
    };
  }

  const job = state.job(evaluation.Namespace, evaluation.JobID) ?? null;
  const stopped = jobStopped(job);
  const queued: Record<string, number> = {};
  const plan = new PlanBuilder(state, evaluation, job, ctx.now);
  const latest = opts.batch
    ? null
    : copyDeployment(state.latestDeployment(evaluation.Namespace, evaluation.JobID));
  const stack = opts.stacks.newGenericStack(state, plan, ctx, { batch: opts.batch });
  if (!stopped && job !== null) stack.setJob(job);

  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const tainted = taintedNodes(state, allocs);
  updateNonTerminalAllocsToLost(plan, tainted, allocs);

  const results = reconcile({
    job,
    jobId: evaluation.JobID,
    isBatch: opts.batch,
    deployment: latest,
    existingAllocs: allocs,
    taintedNodes: tainted,
    evalId: evaluation.ID,
    evalPriority: evaluation.Priority,
    now: ctx.now,
    newId: ctx.newId,
    allocUpdateFn: job === null || stopped
      ? () => ({ ignore: true, destructive: false, updated: null })
      : genericAllocUpdateFn({ state, plan, stack, evalId: evaluation.ID, job }),
  });
  const annotations: PlanAnnotations = {
    DesiredTGUpdates: results.desiredTGUpdates,
    PreemptedAllocs: null,
  };
  plan.plan.Deployment = results.deployment;
  plan.plan.DeploymentUpdates = results.deploymentUpdates;
  const deployment = currentDeployment(results, latest);
  const followUps = Object.values(results.desiredFollowupEvals).flat();

  for (const s of results.stop) {
    plan.appendStoppedAlloc(s.alloc, s.statusDescription, s.clientStatus, s.followupEvalId);
  }
  // Allocations of disconnected nodes turn unknown; reconnected ones record it. Both keep the
  // job version they run.
  for (const u of results.disconnectUpdates.values()) plan.appendAlloc(u, u.Job);
  for (const u of results.reconnectUpdates.values()) plan.appendAlloc(u, u.Job);
  for (const update of results.inplaceUpdate) {
    const u = { ...update };
    if (u.DeploymentID !== (deployment?.ID ?? "")) {
      u.DeploymentID = deployment?.ID ?? "";
      u.DeploymentStatus = null;
    }
    plan.appendAlloc(u, null);
  }
  for (const u of results.attributeUpdates) plan.appendAlloc(u, null);

  let failedTGAllocs: Record<string, AllocMetric> | null = null;
  if (job !== null) { for (const tg of job.TaskGroups ?? []) queued[tg.Name ?? ""] = 0; }
  if (job !== null && results.place.length + results.destructiveUpdate.length > 0) {
    for (const p of [...results.place, ...results.destructiveUpdate]) {
      const name = p.taskGroup.Name ?? "";
      queued[name] = (queued[name] ?? 0) + 1;
    }
    const run: PlaceRun = {
      state,
      ctx,
      stacks: opts.stacks,
      job,
      evalId: evaluation.ID,
      plan,
      stack,
      deploymentId: deployment !== null && deploymentActive(deployment) ? deployment.ID : "",
      hasDeployment: deployment !== null,
      stable: stableVersion(job, allocs),
      failedTGAllocs: null,
      queued,
    };
    computePlacements(run, results.destructiveUpdate, results.place, results.nameIndexes);
    failedTGAllocs = run.failedTGAllocs;
  }

  const newEvals: Evaluation[] = [];
  const failed = failedTGAllocs !== null;
  let blocked: Evaluation | null = null;
  const eligibility = eligibilityOf(stack, job);
  if (
    evaluation.Status !== EvalStatus.Blocked && failed &&
    (followUps.length === 0 || ctx.now > timeToNs(evaluation.WaitUntil))
  ) {
    blocked = createBlockedEval(evaluation, {
      id: ctx.newId(),
      now: ctx.now,
      eligibility,
      failedTGAllocs,
    });
    blocked.SnapshotIndex = state.index;
    newEvals.push(blocked);
  }

  const noOp = plan.isNoOp();
  let next = evaluation.NextEval;
  if (!noOp && followUps.length > 0 && timeToNs(evaluation.WaitUntil) === 0) {
    for (const f of followUps) {
      f.PreviousEval = evaluation.ID;
      next = f.ID;
      newEvals.push(f);
    }
  }
  if (evaluation.AnnotatePlan) {
    annotatePreemptions(state, plan.plan, annotations);
    plan.plan.Annotations = annotations;
  }

  const base = { ...evaluation, NextEval: next, SnapshotIndex: state.index };
  let out: Evaluation;
  if (evaluation.Status === EvalStatus.Blocked && failed) {
    // Still short of capacity: the evaluation goes back to the blocked set.
    out = {
      ...base,
      EscapedComputedClass: eligibility.escaped,
      ClassEligibility: eligibility.escaped ? null : eligibility.classes,
      FailedTGAllocs: failedTGAllocs,
      QueuedAllocations: queued,
      ModifyTime: ctx.now,
    };
  } else {
    out = finishEvaluation(base, {
      status: EvalStatus.Complete,
      description: "",
      deploymentId: deployment?.ID ?? "",
      failedTGAllocs,
      blockedEvalId: blocked?.ID ?? "",
      queuedAllocs: queued,
      annotations,
      now: ctx.now,
    });
  }
  return { plan: noOp && !evaluation.AnnotatePlan ? null : plan.plan, evaluation: out, newEvals };
}

/**
 * The deployment placements join: the one created now, else the latest unless this plan
 * cancels it.
 */
function currentDeployment(
  results: ReconcileResults,
  latest: Deployment | null,
): Deployment | null {
  if (results.deployment !== null) return results.deployment;
  if (latest === null) return null;
  const cancelled = results.deploymentUpdates.some((u) =>
    u.DeploymentID === latest.ID && u.Status === "cancelled"
  );
  return cancelled ? null : latest;
}
