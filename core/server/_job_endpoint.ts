/**
 * The job endpoints (Nomad's `Job.Register`, `Deregister`, `Evaluate`, `Revert`, `Stable`,
 * `Validate`, and the version diffs of `GetJobVersions`).
 *
 * @module
 */
import {
  ConflictError,
  diffJobs,
  type Job,
  type JobDiff,
  NotFoundError,
  ValidationError,
} from "../structs/mod.ts";
import type {
  EvalResponse,
  JobRegisterRequest,
  JobRegisterResponse,
  JobSubmission,
  JobValidateResponse,
  RequestContext,
} from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import {
  admitJob,
  assertAdmissible,
  assertValidUpdate,
  isParameterized,
  isPeriodic,
  multiErrorText,
} from "./_job_admit.ts";

/** Options of a deregistration (`DELETE /v1/job/:id`). */
export interface DeregisterOptions {
  purge: boolean;
  global: boolean;
  evalPriority: number;
  noShutdownDelay: boolean;
}

const submissionKey = (ns: string, id: string, version: number) =>
  `${ns}\u0000${id}\u0000${version}`;

/** The job endpoints over the server core. */
export class JobEndpoint {
  readonly #core: ServerCore;
  /** Job sources by namespace, ID and version (kept in memory: lost on restart). */
  readonly #submissions = new Map<string, JobSubmission>();

  constructor(core: ServerCore) {
    this.#core = core;
  }

  #namespace(ctx: RequestContext): string {
    return ctx.namespace || "default";
  }

  /** `Job.Register`: admit, validate, store the job and its evaluation. */
  async register(req: JobRegisterRequest, ctx: RequestContext): Promise<JobRegisterResponse> {
    const core = this.#core;
    if (!req.Job) throw new ValidationError("missing job for registration", []);
    const warnings: string[] = [];
    const job = admitJob(req.Job, {
      namespace: this.#namespace(ctx),
      region: core.region,
      warnings,
    });
    assertAdmissible(job);
    const ns = job.Namespace ?? "default";
    const id = job.ID ?? "";
    const existing = core.store.snapshot().job(ns, id);
    if (req.EnforceIndex) checkEnforceIndex(existing, req.JobModifyIndex ?? 0);
    assertValidUpdate(existing, job);
    const now = core.nowNs();
    job.SubmitTime = now;
    const evaluation = isPeriodic(job) || isParameterized(job) ? null : newEval(
      core.newId(),
      job,
      "job-register",
      now,
      req.EvalPriority ? { Priority: req.EvalPriority } : {},
    );
    const applied = await core.commit({
      type: "JobRegister",
      job,
      eval: evaluation,
      ...(req.EnforceIndex ? { enforceIndex: req.JobModifyIndex ?? 0 } : {}),
      ...(req.PreserveCounts ? { preserveCounts: true } : {}),
    });
    const stored = core.store.snapshot().job(ns, id);
    if (req.Submission && stored) this.#keepSubmission(stored, req.Submission);
    const jobModifyIndex = applied.updated
      ? applied.index
      : (existing?.ModifyIndex ?? applied.index);
    return {
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: evaluation ? applied.index : 0,
      JobModifyIndex: jobModifyIndex,
      Warnings: warnings.join("\n"),
      Index: applied.index,
    };
  }

  #keepSubmission(job: Job, s: NonNullable<JobRegisterRequest["Submission"]>): void {
    const ns = job.Namespace ?? "default";
    const version = job.Version ?? 0;
    this.#submissions.set(submissionKey(ns, job.ID ?? "", version), {
      Source: s.Source,
      Format: s.Format,
      VariableFlags: s.VariableFlags ?? null,
      Variables: s.Variables ?? "",
      Namespace: ns,
      JobID: job.ID ?? "",
      Version: version,
      JobModifyIndex: job.JobModifyIndex ?? 0,
    });
    // Keep only the versions the state still tracks.
    const snap = this.#core.store.snapshot();
    for (const [key, sub] of this.#submissions) {
      if (sub.Namespace !== ns || sub.JobID !== job.ID) continue;
      if (snap.jobVersion(ns, sub.JobID, sub.Version) === undefined) this.#submissions.delete(key);
    }
  }

  /** `Job.GetJobSubmission`: the source a version was registered from, if this server kept it. */
  submission(jobId: string, version: number, ctx: RequestContext): JobSubmission | null {
    return this.#submissions.get(submissionKey(this.#namespace(ctx), jobId, version)) ?? null;
  }

  /** `Job.Deregister`: stop (or purge) a job, with an evaluation to stop its allocations. */
  async deregister(
    jobId: string,
    opts: DeregisterOptions,
    ctx: RequestContext,
  ): Promise<EvalResponse> {
    const core = this.#core;
    if (!jobId) throw new ValidationError("missing job ID for deregistering", []);
    const ns = this.#namespace(ctx);
    const job = core.store.snapshot().job(ns, jobId);
    if (job === undefined) return { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: 0, Index: 0 };
    const now = core.nowNs();
    const evaluation = isPeriodic(job) || isParameterized(job) ? null : newEval(
      core.newId(),
      job,
      "job-deregister",
      now,
      { Type: "service", Priority: opts.evalPriority > 0 ? opts.evalPriority : job.Priority ?? 50 },
    );
    const applied = await core.commit({
      type: "JobDeregister",
      namespace: ns,
      jobId,
      purge: opts.purge,
      eval: evaluation,
      submitTime: now,
      noShutdownDelay: opts.noShutdownDelay,
    });
    if (opts.purge) core.blocked.untrack(ns, jobId);
    return {
      EvalID: evaluation?.ID ?? "",
      EvalCreateIndex: applied.index,
      JobModifyIndex: applied.index,
      Index: applied.index,
    };
  }

  /** `Job.Evaluate`: a new evaluation of the job, optionally forcing failed allocations to reschedule. */
  async evaluate(
    jobId: string,
    opts: { forceReschedule: boolean },
    ctx: RequestContext,
  ): Promise<EvalResponse> {
    const core = this.#core;
    if (!jobId) throw new ValidationError("missing job ID for evaluation", []);
    const ns = this.#namespace(ctx);
    const snap = core.store.snapshot();
    const job = snap.job(ns, jobId);
    if (job === undefined) throw new NotFoundError("job not found");
    if (isPeriodic(job)) throw new ValidationError("can't evaluate periodic job", []);
    if (isParameterized(job)) throw new ValidationError("can't evaluate parameterized job", []);
    const transitions: Record<string, { ForceReschedule: boolean }> = {};
    if (opts.forceReschedule) {
      for (const a of snap.allocsByJob(ns, jobId)) {
        const tg = job.TaskGroups?.find((g) => g.Name === a.TaskGroup);
        const p = tg?.ReschedulePolicy;
        const enabled = p != null && (p.Unlimited === true || (p.Attempts ?? 0) > 0);
        if (!enabled || a.NextAllocation !== "" || a.ClientStatus !== "failed") continue;
        if (a.DesiredTransition.ForceReschedule === true) continue;
        transitions[a.ID] = { ForceReschedule: true };
      }
    }
    const evaluation = newEval(core.newId(), job, "job-register", core.nowNs(), {
      JobModifyIndex: job.ModifyIndex ?? 0,
    });
    const applied = await core.commit({
      type: "AllocDesiredTransition",
      transitions,
      evals: [evaluation],
    });
    return {
      EvalID: evaluation.ID,
      EvalCreateIndex: applied.index,
      JobModifyIndex: job.ModifyIndex ?? 0,
      Index: applied.index,
    };
  }

  /** `Job.Revert`: register a copy of an older version. */
  revert(
    jobId: string,
    version: number,
    enforcePriorVersion: number | null,
    ctx: RequestContext,
  ): Promise<JobRegisterResponse> {
    if (!jobId) throw new ValidationError("missing job ID for revert", []);
    const ns = this.#namespace(ctx);
    const snap = this.#core.store.snapshot();
    const cur = snap.job(ns, jobId);
    if (cur === undefined) throw new NotFoundError(`job "${jobId}" not found`);
    if (version === cur.Version) throw new ValidationError("can't revert to current version", []);
    const old = snap.jobVersion(ns, jobId, version);
    if (old === undefined) {
      throw new NotFoundError(
        `job "${jobId}" in namespace "${ns}" at version ${version} not found`,
      );
    }
    const req: JobRegisterRequest = { Job: { ...old, VersionTag: null, Stable: false } };
    if (enforcePriorVersion !== null) {
      if (cur.Version !== enforcePriorVersion) {
        throw new ConflictError(
          `Current job has version ${cur.Version}; enforcing version ${enforcePriorVersion}`,
        );
      }
      req.EnforceIndex = true;
      req.JobModifyIndex = cur.JobModifyIndex ?? 0;
    }
    return this.register(req, ctx);
  }

  /** `Job.Stable`: mark a version stable or not. */
  async setStability(
    jobId: string,
    version: number,
    stable: boolean,
    ctx: RequestContext,
  ): Promise<{ JobModifyIndex: number; Index: number }> {
    if (!jobId) throw new ValidationError("missing job ID for marking job as stable", []);
    const ns = this.#namespace(ctx);
    if (this.#core.store.snapshot().jobVersion(ns, jobId, version) === undefined) {
      throw new NotFoundError(
        `job "${jobId}" in namespace "${ns}" at version ${version} not found`,
      );
    }
    const applied = await this.#core.commit({
      type: "JobStability",
      namespace: ns,
      jobId,
      version,
      stable,
    });
    return { JobModifyIndex: applied.index, Index: applied.index };
  }

  /** `Job.Validate`: every problem of a job, as Nomad's validate endpoint reports them. */
  validate(job: Job, ctx: RequestContext): JobValidateResponse {
    const admitted = admitJob(job, { namespace: this.#namespace(ctx), region: this.#core.region });
    let problems: string[] = [];
    try {
      assertAdmissible(admitted);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems = [...err.problems];
    }
    return {
      DriverConfigValidated: true,
      ValidationErrors: problems.length > 0 ? problems : null,
      Error: problems.length > 0 ? multiErrorText(problems) : "",
      Warnings: "",
    };
  }

  /** The diffs between consecutive kept versions, newest first (`?diffs=true`). */
  versionDiffs(jobId: string, ctx: RequestContext): JobDiff[] {
    const versions = this.#core.store.snapshot().jobVersions(this.#namespace(ctx), jobId);
    const out: JobDiff[] = [];
    for (let i = 0; i + 1 < versions.length; i++) {
      out.push(diffJobs(versions[i + 1]!, versions[i]!, { contextual: true }));
    }
    return out;
  }
}

/**
 * Nomad's `EnforceIndex` check (the state re-checks it atomically when applying).
 *
 * @throws {ConflictError} `Enforcing job modify index X: ...`.
 */
export function checkEnforceIndex(job: Job | undefined, index: number): void {
  const prefix = `Enforcing job modify index ${index}`;
  if (job !== undefined) {
    if (index === 0) throw new ConflictError(`${prefix}: job already exists`);
    if (index !== job.JobModifyIndex) {
      throw new ConflictError(
        `${prefix}: job exists with conflicting job modify index: ${job.JobModifyIndex}`,
      );
    }
  } else if (index !== 0) {
    throw new ConflictError(`${prefix}: job does not exist`);
  }
}
