/**
 * Nomad's `Job.Scale`: sets a task group's count (a new job version, check-and-set on its
 * `JobModifyIndex`), creates a `job-scaling` evaluation unless the job is periodic or
 * parameterized, and records a scaling event — also for a request without a count, which is
 * how the autoscaler reports.
 *
 * @module
 */
import type { ScalingEvent } from "../state/mod.ts";
import { ConflictError, type Job, NotFoundError, ValidationError } from "../structs/mod.ts";
import type { JobRegisterResponse, JobScaleRequest, RequestContext } from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import { isParameterized, isPeriodic } from "./_job_admit.ts";

/** The most allocations all groups of a job may ask for (Nomad's default `job_max_count`). */
const JOB_MAX_COUNT = 50_000;

const ACTIVE_DEPLOYMENT = new Set([
  "running",
  "paused",
  "pending",
  "blocked",
  "unblocking",
  "initializing",
]);

const invalid = (message: string) => new ValidationError(message, []);

/**
 * Checks the request alone (Nomad's `JobScaleRequest.Validate`).
 *
 * @throws {ValidationError} for a target that names another namespace, no group, a negative
 * count or a count with an error.
 * @throws {Error} `job ID in payload did not match URL`.
 */
export function validateScaleRequest(jobId: string, req: JobScaleRequest, namespace: string) {
  const target = req.Target ?? {};
  if ((target.Namespace ?? "") !== "" && target.Namespace !== namespace) {
    throw invalid("namespace in payload did not match header");
  }
  if ((target.Job ?? "") !== "" && target.Job !== jobId) {
    throw new Error("job ID in payload did not match URL");
  }
  if ((target.Group ?? "") === "") throw invalid("missing task group name for scaling action");
  if (req.Count !== null) {
    if (req.Count < 0) throw invalid("scaling action count can't be negative");
    if (req.Error) throw invalid("scaling action should not contain count if error is true");
    if (!Number.isSafeInteger(req.Count)) {
      throw invalid(`new scaling count is too large for TaskGroup.Count (int): ${req.Count}`);
    }
  }
}

function checkCount(core: ServerCore, job: Job, group: string, count: number): void {
  const tg = (job.TaskGroups ?? []).find((g) => g.Name === group)!;
  const policy = tg.Scaling;
  if (policy !== null && policy.Min !== null && count < policy.Min) {
    throw invalid(`group count was less than scaling policy minimum: ${count} < ${policy.Min}`);
  }
  if (policy !== null && policy.Max !== null && policy.Max < count) {
    throw invalid(`group count was greater than scaling policy maximum: ${count} > ${policy.Max}`);
  }
  const total = (job.TaskGroups ?? []).reduce((n, g) => n + (g.Count ?? 0), 0) -
    (tg.Count ?? 0) + count;
  if (total > JOB_MAX_COUNT) {
    throw new Error(
      `total count was greater than configured job_max_count: ${total} > ${JOB_MAX_COUNT}`,
    );
  }
  const ns = job.Namespace ?? "default";
  const d = core.store.snapshot().latestDeployment(ns, job.ID ?? "");
  if (d && ACTIVE_DEPLOYMENT.has(d.Status) && d.JobCreateIndex === (job.CreateIndex ?? 0)) {
    throw invalid("job scaling blocked due to active deployment");
  }
}

/**
 * `Job.Scale` over the server core.
 *
 * @throws {NotFoundError} `job "x" not found`.
 * @throws {ValidationError} for a group that does not exist, a count outside the group's
 * scaling policy or a job in an active deployment.
 * @throws {ConflictError} when `JobModifyIndex` is set and is not the job's.
 */
export async function scaleJob(
  core: ServerCore,
  jobId: string,
  req: JobScaleRequest,
  ctx: RequestContext,
): Promise<JobRegisterResponse> {
  const ns = ctx.namespace || "default";
  validateScaleRequest(jobId, req, ns);
  const job = core.store.snapshot().job(ns, jobId);
  if (job === undefined) throw new NotFoundError(`job ${JSON.stringify(jobId)} not found`);
  if (job.Type === "system" && (req.Count ?? 0) > 1) {
    throw invalid(`jobs of type "system" can only be scaled between 0 and 1`);
  }
  const group = req.Target?.Group ?? "";
  const tg = (job.TaskGroups ?? []).find((g) => g.Name === group);
  if (tg === undefined) {
    throw invalid(
      `task group ${JSON.stringify(group)} specified for scaling does not exist in job`,
    );
  }
  const now = core.nowNs();
  const event: ScalingEvent = {
    Time: now,
    Count: req.Count,
    PreviousCount: tg.Count ?? 0,
    Message: req.Message ?? "",
    Error: req.Error ?? false,
    Meta: req.Meta ?? null,
    EvalID: null,
    CreateIndex: 0,
  };
  let evalId = "";
  let evalIndex = 0;
  let jobModifyIndex = job.ModifyIndex ?? 0;
  if (req.Count !== null) {
    const count = req.Count;
    checkCount(core, job, group, count);
    const current = job.JobModifyIndex ?? 0;
    if ((req.JobModifyIndex ?? 0) > 0 && req.JobModifyIndex !== current) {
      throw new ConflictError(
        `Enforcing job modify index ${req.JobModifyIndex}: job exists with conflicting job modify index: ${current}`,
      );
    }
    const scaled: Job = {
      ...job,
      SubmitTime: now,
      TaskGroups: (job.TaskGroups ?? []).map((g) => g === tg ? { ...g, Count: count } : g),
    };
    const registered = await core.commit({
      type: "JobRegister",
      job: scaled,
      enforceIndex: current,
    });
    jobModifyIndex = registered.index;
    if (!isPeriodic(job) && !isParameterized(job)) {
      const evaluation = newEval(core.newId(), job, "job-scaling", now, {
        JobModifyIndex: jobModifyIndex,
      });
      evalIndex = (await core.commit({ type: "EvalUpsert", evals: [evaluation] })).index;
      evalId = evaluation.ID;
      event.EvalID = evalId;
    }
  }
  const recorded = await core.commit({
    type: "ScalingEvent",
    namespace: ns,
    jobId,
    group,
    event,
  });
  return {
    EvalID: evalId,
    EvalCreateIndex: evalIndex,
    JobModifyIndex: jobModifyIndex,
    Warnings: "",
    Index: recorded.index,
  };
}
