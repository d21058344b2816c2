/**
 * Evaluations the schedulers create: blocked evaluations for placements that found no node
 * (Nomad's `Evaluation.CreateBlockedEval`), delayed follow-ups for failed allocations to
 * reschedule later (`createLaterEvals`), and rolling follow-ups; and which constraints escape
 * computed node classes.
 *
 * @module
 */
import {
  type AllocMetric,
  EvalStatus,
  EvalTrigger,
  type Evaluation,
  EvaluationSpec,
  type Job,
  zero,
} from "../structs/mod.ts";
import { escapedConstraints } from "./constraints.ts";
import type { ClassEligibility } from "./stack.ts";
import { nsToTime } from "./util.ts";

/** Triggers the structs do not list. */
export const EvalTriggerAllocReschedule = "alloc-reschedule";

/** Descriptions Nomad gives the evaluations the schedulers create. */
export const EvalDescription = {
  BlockedMaxPlan: "created due to placement conflicts",
  BlockedFailedPlacements: "created to place remaining allocations",
  ReschedulingFollowup: "created for delayed rescheduling",
  DisconnectTimeoutFollowup: "created for delayed disconnect timeout",
} as const;

/** Follow-ups whose times are within this window share one evaluation. */
export const BATCHED_FAILED_ALLOC_WINDOW = 5_000_000_000;

/** A new evaluation: Go's zero value with the given fields. */
export function newEvaluation(fields: Partial<Evaluation>): Evaluation {
  return { ...zero(EvaluationSpec), ...fields };
}

/**
 * A stack that tracks feasibility by computed node class exposes it (the stack module's
 * `Stack`); blocked evaluations then carry `ClassEligibility` so that only capacity changes on
 * eligible classes unblock them.
 */
export interface ClassEligibilitySource {
  classEligibility(): ClassEligibility;
}

/** Whether any constraint of the job, its groups or tasks escapes computed node classes. */
export function jobEscapesClasses(job: Job): boolean {
  if (escapedConstraints(job.Constraints ?? []).length > 0) return true;
  for (const tg of job.TaskGroups ?? []) {
    if (escapedConstraints(tg.Constraints ?? []).length > 0) return true;
    for (const t of tg.Tasks ?? []) {
      if (escapedConstraints(t.Constraints ?? []).length > 0) return true;
    }
    for (const v of Object.values(tg.Volumes ?? {})) if (v.Type === "csi") return true;
  }
  return false;
}

/**
 * The class eligibility of an evaluation: the stack's when it tracks it, else escaped when a
 * constraint escapes, and no classes (so any capacity change unblocks the evaluation).
 */
export function eligibilityOf(stack: unknown, job: Job | null): ClassEligibility {
  const src = stack as Partial<ClassEligibilitySource> | null;
  if (src && typeof src.classEligibility === "function") return src.classEligibility();
  return { escaped: job !== null && jobEscapesClasses(job), classes: {} };
}

/**
 * A blocked evaluation that follows `evaluation` to place what could not be placed: it waits
 * for capacity on an eligible class (or any node when escaped).
 */
export function createBlockedEval(
  evaluation: Evaluation,
  opts: {
    id: string;
    now: number;
    eligibility: ClassEligibility;
    failedTGAllocs: Record<string, AllocMetric> | null;
    planFailure?: boolean;
  },
): Evaluation {
  const { escaped, classes } = opts.eligibility;
  return newEvaluation({
    ID: opts.id,
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: opts.planFailure ? EvalTrigger.MaxPlans : EvalTrigger.QueuedAllocs,
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    Status: EvalStatus.Blocked,
    StatusDescription: opts.planFailure
      ? EvalDescription.BlockedMaxPlan
      : EvalDescription.BlockedFailedPlacements,
    PreviousEval: evaluation.ID,
    FailedTGAllocs: opts.failedTGAllocs,
    ClassEligibility: escaped ? null : classes,
    EscapedComputedClass: escaped,
    CreateTime: opts.now,
    ModifyTime: opts.now,
  });
}

/**
 * Delayed evaluations for allocations to reschedule later: sorted by time, and batched so that
 * reschedules within {@link BATCHED_FAILED_ALLOC_WINDOW} of a batch's first share its
 * evaluation. Returns the evaluations and, per allocation ID, its evaluation's ID. They are
 * triggered by `alloc-reschedule` unless `opts.trigger` says otherwise (with its description).
 */
export function createLaterEvals(
  later: ReadonlyArray<{ allocId: string; time: number }>,
  opts: {
    job: Job;
    priority: number;
    now: number;
    newId: () => string;
    trigger?: { triggeredBy: string; description: string };
  },
): { evals: Evaluation[]; byAlloc: Map<string, string> } {
  const evals: Evaluation[] = [];
  const byAlloc = new Map<string, string>();
  const sorted = [...later].sort((a, b) => a.time - b.time);
  let batchStart = Number.NEGATIVE_INFINITY;
  let current: Evaluation | null = null;
  for (const item of sorted) {
    if (current === null || item.time - batchStart >= BATCHED_FAILED_ALLOC_WINDOW) {
      batchStart = item.time;
      current = newEvaluation({
        ID: opts.newId(),
        Namespace: opts.job.Namespace ?? "default",
        Priority: opts.priority,
        Type: opts.job.Type ?? "service",
        TriggeredBy: opts.trigger?.triggeredBy ?? EvalTriggerAllocReschedule,
        JobID: opts.job.ID ?? "",
        JobModifyIndex: opts.job.ModifyIndex ?? 0,
        Status: EvalStatus.Pending,
        StatusDescription: opts.trigger?.description ?? EvalDescription.ReschedulingFollowup,
        WaitUntil: nsToTime(item.time),
        CreateTime: opts.now,
        ModifyTime: opts.now,
      });
      evals.push(current);
    }
    byAlloc.set(item.allocId, current.ID);
  }
  return { evals, byAlloc };
}

/** A rolling-update follow-up that runs after `wait` nanoseconds (Nomad's `NextRollingEval`). */
export function nextRollingEval(
  evaluation: Evaluation,
  opts: { id: string; now: number; wait: number },
): Evaluation {
  return newEvaluation({
    ID: opts.id,
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: EvalTrigger.RollingUpdate,
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    Status: EvalStatus.Pending,
    Wait: opts.wait,
    PreviousEval: evaluation.ID,
    CreateTime: opts.now,
    ModifyTime: opts.now,
  });
}
