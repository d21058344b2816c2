/**
 * The watcher of one active deployment (Nomad's `deploymentWatcher`). The deployments watcher
 * shows it every new state snapshot; when the deployment or its allocations changed it:
 *
 * - re-arms the progress deadline (the earliest `RequireProgressBy` of the groups not done) on
 *   the injected clock; when it passes, the deployment fails (`Failed due to progress
 *   deadline`) unless it is paused or has enough healthy allocations;
 * - fails the deployment on an unhealthy allocation that cannot be replaced (`Failed due to
 *   unhealthy allocations`), rolling the job back to its latest stable version when the group
 *   has `auto_revert`;
 * - promotes the canaries once all are healthy when every canary group has `auto_promote`;
 * - creates a `deployment-watcher` evaluation one second after allocations became healthy (so
 *   the scheduler places the next `max_parallel` batch, or marks the deployment successful),
 *   together with the `Reschedule` transition of unhealthy allocations that may be replaced.
 *
 * It also carries out the operator's requests: fail, pause/resume, promote, allocation health.
 *
 * @module
 */
import type { DesiredTransitionInput, StateSnapshot } from "../state/mod.ts";
import { DeploymentStatusDescription } from "../scheduler/mod.ts";
import type { Allocation, Deployment, Evaluation, Job } from "../structs/mod.ts";
import type { DeploymentUpdateResponse } from "./api.ts";
import type { TimerHandle } from "./timers.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import {
  allocUpdateResult,
  canAutoPromote,
  deadlineVerdict,
  failureDescription,
  latestEvalIndex,
  latestStableJob,
  progressCutoff,
  rollbackTarget,
} from "./_deployment_rules.ts";

/** How long a watcher gathers healthy allocations before it asks for an evaluation (1 s). */
export const EVAL_BATCH_MS = 1_000;

/** What a deployment watcher needs from the deployments watcher that owns it. */
export interface WatcherHost {
  readonly core: ServerCore;
  /** Commits desired transitions and an evaluation, batched with other watchers' (250 ms). */
  createUpdate(transitions: Record<string, DesiredTransitionInput>, evaluation: Evaluation): void;
}

function response(evalId: string, index: number, reverted: Job | null): DeploymentUpdateResponse {
  return {
    EvalID: evalId,
    EvalCreateIndex: evalId === "" ? 0 : index,
    DeploymentModifyIndex: index,
    RevertedJobVersion: reverted === null ? null : reverted.Version ?? 0,
    Index: index,
  };
}

/** Watches one deployment; see the module documentation. */
export class DeploymentWatcher {
  /** The deployment's ID. */
  readonly id: string;
  readonly #host: WatcherHost;
  /** The job as it was when watching began (Nomad's watcher keeps it too). */
  readonly #job: Job;
  #d: Deployment;
  #seenDeployment: Deployment | null = null;
  #seenAllocs: readonly Allocation[] | null = null;
  #deadline = 0;
  #deadlineTimer: TimerHandle | undefined;
  #deadlineHit = false;
  #batchTimer: TimerHandle | undefined;
  #replacements = new Set<string>();
  #promoting = false;
  /** The watch ended: the watcher failed the deployment, or it was stopped. */
  #ended = false;

  constructor(host: WatcherHost, d: Deployment, job: Job) {
    this.#host = host;
    this.id = d.ID;
    this.#d = d;
    this.#job = job;
  }

  /** The deployment as last seen. */
  get deployment(): Deployment {
    return this.#d;
  }

  /** Stops watching: cancels the deadline and the pending evaluation. */
  stop(): void {
    this.#ended = true;
    this.#clearTimers();
  }

  #clearTimers(): void {
    const clock = this.#host.core.clock;
    if (this.#deadlineTimer !== undefined) clock.clearTimer(this.#deadlineTimer);
    if (this.#batchTimer !== undefined) clock.clearTimer(this.#batchTimer);
    this.#deadlineTimer = undefined;
    this.#batchTimer = undefined;
  }

  /** Looks at a new snapshot: reacts when the deployment or its allocations changed. */
  observe(snap: StateSnapshot): void {
    if (this.#ended) return;
    const d = snap.deployment(this.id);
    if (d === undefined) return;
    this.#d = d;
    const allocs = snap.allocsByDeployment(this.id);
    if (d !== this.#seenDeployment) {
      this.#seenDeployment = d;
      this.#rearmDeadline(progressCutoff(d, allocs));
    }
    if (allocs !== this.#seenAllocs) {
      this.#seenAllocs = allocs;
      this.#onAllocs(snap, allocs);
    }
  }

  #rearmDeadline(next: number): void {
    if (next === this.#deadline) return;
    const clock = this.#host.core.clock;
    this.#deadline = next;
    if (this.#deadlineTimer !== undefined) clock.clearTimer(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    if (next === 0) return;
    this.#deadlineTimer = clock.setTimer(Math.max(0, next - clock.now()), () => {
      this.#deadlineTimer = undefined;
      this.#onDeadline();
    });
  }

  #onDeadline(): void {
    if (this.#ended) return;
    const core = this.#host.core;
    this.#deadlineHit = true;
    const d = core.store.snapshot().deployment(this.id);
    if (d === undefined) {
      core.logger.error("failed to determine whether to rollback job", {
        deployment_id: this.id,
        error: `deployment id not found: "${this.id}"`,
      });
      return;
    }
    const verdict = deadlineVerdict(d, this.#job);
    if (!verdict.fail) {
      core.logger.debug("skipping deadline", { deployment_id: this.id });
      return;
    }
    core.logger.debug("deadline hit", { deployment_id: this.id, rollback: verdict.rollback });
    this.#failFromWatch(verdict.rollback);
  }

  #onAllocs(snap: StateSnapshot, allocs: readonly Allocation[]): void {
    const core = this.#host.core;
    const latest = latestEvalIndex(snap.evalsByJob(this.#d.Namespace, this.#d.JobID));
    const res = allocUpdateResult(this.#d, this.#job, allocs, latest, core.nowNs());
    if (res.failDeployment) {
      this.#failFromWatch(res.rollback);
      return;
    }
    this.#autoPromote(allocs);
    if (res.createEval || res.allowReplacements.length > 0) {
      this.#batchEvaluation(res.allowReplacements);
    }
  }

  /** Ends the watch by failing the deployment, maybe rolling the job back. */
  #failFromWatch(rollback: boolean): void {
    const core = this.#host.core;
    this.#ended = true;
    this.#clearTimers();
    let description = failureDescription(this.#deadlineHit);
    let job: Job | null = null;
    if (rollback) {
      const target = rollbackTarget(this.#job, this.#stableJob(), description);
      job = target.job;
      description = target.description;
    }
    const write = core.commit({
      type: "DeploymentStatus",
      update: { DeploymentID: this.id, Status: "failed", StatusDescription: description },
      updatedAt: core.nowNs(),
      job,
      eval: this.#eval(),
    });
    core.background(write.catch((err) => {
      core.logger.error("failed to update deployment status", {
        deployment_id: this.id,
        error: String(err),
      });
    }));
  }

  #autoPromote(allocs: readonly Allocation[]): void {
    if (this.#promoting || !canAutoPromote(this.#d, allocs)) return;
    const core = this.#host.core;
    this.#promoting = true;
    const write = core.commit({
      type: "DeploymentPromote",
      deploymentId: this.id,
      all: true,
      groups: [],
      eval: this.#eval(),
      promotedAt: core.nowNs(),
    }).catch((err) => {
      core.logger.error("failed to auto promote deployment", {
        deployment_id: this.id,
        error: String(err),
      });
    }).finally(() => this.#promoting = false);
    core.background(write);
  }

  /** Gathers replacements for a second, then asks for one evaluation (Nomad's batching). */
  #batchEvaluation(replacements: readonly string[]): void {
    for (const id of replacements) this.#replacements.add(id);
    if (this.#batchTimer !== undefined) return;
    this.#batchTimer = this.#host.core.clock.setTimer(EVAL_BATCH_MS, () => {
      this.#batchTimer = undefined;
      if (this.#ended) return;
      const transitions: Record<string, DesiredTransitionInput> = {};
      for (const id of this.#replacements) transitions[id] = { Reschedule: true };
      this.#replacements = new Set();
      this.#host.createUpdate(transitions, this.#eval());
    });
  }

  /** A pending `deployment-watcher` evaluation of the deployment's job. */
  #eval(): Evaluation {
    const core = this.#host.core;
    return newEval(core.newId(), this.#job, "deployment-watcher", core.nowNs(), {
      DeploymentID: this.id,
      Priority: this.#d.EvalPriority || (this.#job.Priority ?? 50),
    });
  }

  #stableJob(): Job | undefined {
    const snap = this.#host.core.store.snapshot();
    return latestStableJob(snap.jobVersions(this.#job.Namespace ?? "default", this.#job.ID ?? ""));
  }

  // --- the operator's requests ---

  /**
   * Sets the health of allocations; any unhealthy one fails the deployment (rolling back when
   * its group has `auto_revert`).
   */
  async setAllocHealth(healthy: string[], unhealthy: string[]): Promise<DeploymentUpdateResponse> {
    const core = this.#host.core;
    let job: Job | null = null;
    let update = null;
    if (unhealthy.length > 0) {
      const ids = new Set(unhealthy);
      let description: string = DeploymentStatusDescription.FailedAllocations;
      for (const a of core.store.snapshot().allocsByDeployment(this.id)) {
        if (!ids.has(a.ID) || !this.#d.TaskGroups?.[a.TaskGroup]?.AutoRevert) continue;
        const stable = this.#stableJob();
        if (stable !== undefined) {
          const target = rollbackTarget(this.#job, stable, description);
          job = target.job;
          description = target.description;
        }
        break;
      }
      update = { DeploymentID: this.id, Status: "failed", StatusDescription: description };
    }
    const evaluation = this.#eval();
    const applied = await core.commit({
      type: "DeploymentAllocHealth",
      deploymentId: this.id,
      healthy,
      unhealthy,
      timestamp: core.nowNs(),
      update,
      job,
      eval: evaluation,
    });
    return response(evaluation.ID, applied.index, job);
  }

  /** Promotes the canaries of `groups` (or of every group). */
  async promote(all: boolean, groups: string[]): Promise<DeploymentUpdateResponse> {
    const core = this.#host.core;
    const evaluation = this.#eval();
    const applied = await core.commit({
      type: "DeploymentPromote",
      deploymentId: this.id,
      all,
      groups,
      eval: evaluation,
      promotedAt: core.nowNs(),
    });
    return response(evaluation.ID, applied.index, null);
  }

  /** Pauses the deployment, or resumes it with an evaluation. */
  async pause(pause: boolean): Promise<DeploymentUpdateResponse> {
    const core = this.#host.core;
    const evaluation = pause ? null : this.#eval();
    const applied = await core.commit({
      type: "DeploymentStatus",
      update: {
        DeploymentID: this.id,
        Status: pause ? "paused" : "running",
        StatusDescription: pause
          ? DeploymentStatusDescription.Paused
          : DeploymentStatusDescription.Running,
      },
      updatedAt: core.nowNs(),
      eval: evaluation,
    });
    return response(evaluation?.ID ?? "", applied.index, null);
  }

  /** Fails the deployment (`Deployment marked as failed`), rolling back with `auto_revert`. */
  async fail(): Promise<DeploymentUpdateResponse> {
    const core = this.#host.core;
    let description: string = DeploymentStatusDescription.FailedByUser;
    let job: Job | null = null;
    if (Object.values(this.#d.TaskGroups ?? {}).some((s) => s.AutoRevert)) {
      const target = rollbackTarget(this.#job, this.#stableJob(), description);
      job = target.job;
      description = target.description;
    }
    const evaluation = this.#eval();
    const applied = await core.commit({
      type: "DeploymentStatus",
      update: { DeploymentID: this.id, Status: "failed", StatusDescription: description },
      updatedAt: core.nowNs(),
      job,
      eval: evaluation,
    });
    return response(evaluation.ID, applied.index, job);
  }
}
