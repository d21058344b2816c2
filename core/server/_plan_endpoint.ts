/**
 * `Job.Plan`: a dry run. The submitted job is admitted as for a registration, laid over a
 * snapshot as the version it would become, and scheduled with `AnnotatePlan`; the answer is the
 * scheduler's annotations, the placements that would fail, the evaluations it would create and
 * the diff against the running version (contextual, annotated with the plan's
 * `DesiredTGUpdates`). Nothing is written.
 *
 * @module
 */
import { schedule, type SchedulerState } from "../scheduler/mod.ts";
import { jobSpecChanged, type StateSnapshot } from "../state/mod.ts";
import {
  type Allocation,
  annotateDiff,
  type Deployment,
  diffJobs,
  type Job,
  nextAfter,
  type Node,
  parseCron,
  type SchedulerConfiguration,
  ZERO_TIME,
} from "../structs/mod.ts";
import type { JobPlanResponse, RequestContext } from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import { admitJob, assertAdmissible } from "./_job_admit.ts";

/** A snapshot with one job replaced by the version a plan would register. */
export class PlannedState implements SchedulerState {
  readonly #snap: StateSnapshot;
  readonly #job: Job;
  readonly index: number;

  constructor(snap: StateSnapshot, job: Job) {
    this.#snap = snap;
    this.#job = job;
    this.index = snap.index;
  }

  #isPlanned(namespace: string, id: string): boolean {
    return namespace === this.#job.Namespace && id === this.#job.ID;
  }

  nodes(): readonly Node[] {
    return this.#snap.nodes();
  }
  node(id: string): Node | undefined {
    return this.#snap.node(id);
  }
  job(namespace: string, id: string): Job | undefined {
    return this.#isPlanned(namespace, id) ? this.#job : this.#snap.job(namespace, id);
  }
  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.#isPlanned(namespace, id) && version === this.#job.Version
      ? this.#job
      : this.#snap.jobVersion(namespace, id, version);
  }
  allocsByJob(namespace: string, jobId: string): readonly Allocation[] {
    return this.#snap.allocsByJob(namespace, jobId);
  }
  allocsByNode(nodeId: string): readonly Allocation[] {
    return this.#snap.allocsByNode(nodeId);
  }
  alloc(id: string): Allocation | undefined {
    return this.#snap.alloc(id);
  }
  latestDeployment(namespace: string, jobId: string): Deployment | undefined {
    return this.#snap.latestDeployment(namespace, jobId);
  }
  deployment(id: string): Deployment | undefined {
    return this.#snap.deployment(id);
  }
  schedulerConfig(): SchedulerConfiguration {
    return this.#snap.schedulerConfig();
  }
}

/** The index Nomad gives a new job in a plan's scratch state. */
const PLAN_NEW_JOB_INDEX = 100;

/** The job as the plan sees it once registered, and the index its evaluation carries. */
function plannedJob(existing: Job | undefined, job: Job): { planned: Job; updatedIndex: number } {
  if (existing === undefined) {
    const i = PLAN_NEW_JOB_INDEX;
    return {
      planned: {
        ...job,
        CreateIndex: i,
        ModifyIndex: i,
        JobModifyIndex: i,
        Version: 0,
        Status: "pending",
      },
      updatedIndex: 0,
    };
  }
  if (!jobSpecChanged(existing, job)) return { planned: existing, updatedIndex: 0 };
  const updatedIndex = (existing.JobModifyIndex ?? 0) + 1;
  return {
    planned: {
      ...job,
      CreateIndex: existing.CreateIndex,
      ModifyIndex: updatedIndex,
      JobModifyIndex: updatedIndex,
      Version: (existing.Version ?? 0) + 1,
      Status: existing.Status,
      Stable: false,
    },
    updatedIndex,
  };
}

/** The next launch of a periodic job after `nowMs`, as RFC 3339; the zero time otherwise. */
function nextLaunch(job: Job, nowMs: number): string {
  const p = job.Periodic;
  if (p === null || p.Enabled === false) return ZERO_TIME;
  const specs = p.Spec ? [p.Spec] : (p.Specs ?? []);
  let best: Date | null = null;
  for (const spec of specs) {
    const next = nextAfter(parseCron(spec), new Date(nowMs), p.TimeZone || "UTC");
    if (next !== null && (best === null || next < best)) best = next;
  }
  return best === null ? ZERO_TIME : best.toISOString().replace(".000Z", "Z");
}

/** `Job.Plan`: schedules the job as it would be registered, against a snapshot; writes nothing. */
export function planJob(
  core: ServerCore,
  submitted: Job,
  opts: { diff: boolean; policyOverride: boolean },
  ctx: RequestContext,
): JobPlanResponse {
  const warnings: string[] = [];
  const job = admitJob(submitted, {
    namespace: ctx.namespace || "default",
    region: core.region,
    warnings,
  });
  assertAdmissible(job);
  const snap = core.store.snapshot();
  const existing = snap.job(job.Namespace ?? "default", job.ID ?? "");
  const { planned, updatedIndex } = plannedJob(existing, job);
  const now = core.nowNs();
  const evaluation = newEval(core.newId(), planned, "job-register", now, {
    JobModifyIndex: updatedIndex,
    AnnotatePlan: true,
  });
  const outcome = schedule(evaluation, new PlannedState(snap, planned), {
    now,
    random: core.random,
    newId: core.newId,
  });
  const annotations = outcome.plan?.Annotations ?? outcome.evaluation.PlanAnnotations ?? null;
  const diff = opts.diff
    ? annotateDiff(
      diffJobs(existing ?? null, job, { contextual: true }),
      annotations?.DesiredTGUpdates ?? undefined,
    )
    : null;
  const index = existing?.JobModifyIndex ?? 0;
  return {
    JobModifyIndex: index,
    CreatedEvals: outcome.newEvals.length > 0 ? outcome.newEvals : null,
    Diff: diff,
    Annotations: annotations,
    FailedTGAllocs: outcome.evaluation.FailedTGAllocs,
    NextPeriodicLaunch: nextLaunch(job, core.clock.now()),
    Warnings: warnings.join("\n"),
    Index: index,
  };
}
