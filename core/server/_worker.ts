/**
 * A scheduler worker (Nomad's `Worker`): an async loop on the main thread that takes an
 * evaluation from the broker, waits for the state to reach the evaluation's index, runs the
 * synchronous scheduler on a snapshot (with the placements of other workers' plans still in
 * flight laid over it, see `_optimistic.ts`), submits the plan to the plan applier, runs again on a
 * fresh snapshot when the applier committed only part of it, writes the evaluation's outcome
 * (with the blocked evaluation for what did not fit) and acks, or nacks on an error.
 *
 * A snapshot is only read between two awaits: every scheduler run takes its own.
 *
 * @module
 */
import {
  createBlockedEval,
  eligibilityOf,
  type PlanResult,
  schedule,
  type ScheduleContext,
  type ScheduleOutcome,
} from "../scheduler/mod.ts";
import { TABLE_NAMES } from "../state/mod.ts";
import type { Evaluation } from "../structs/mod.ts";
import { type Delivery, EvalBrokerError } from "./eval_broker_types.ts";
import { SCHEDULER_TYPES, type ServerCore } from "./_core.ts";

/** Nomad's scheduling attempts per evaluation before it fails (`maxServiceScheduleAttempts`...). */
export function attemptLimit(type: string): number {
  return type === "batch" || type === "sysbatch" ? 2 : 5;
}

/** Whether an applied plan changed anything (Nomad's `progressMade`). */
export function progressMade(r: PlanResult): boolean {
  return Object.keys(r.NodeUpdate).length > 0 || Object.keys(r.NodeAllocation).length > 0 ||
    r.Deployment !== null || r.DeploymentUpdates.length > 0;
}

/** The description Nomad gives evaluations the broker superseded. */
export const CANCELED_BY_NEWER = "canceled after more recent eval was processed";

/** One scheduler worker. */
export class Worker {
  readonly #core: ServerCore;
  readonly id: string;
  /** Evaluations this worker finished (acked). */
  processed = 0;

  constructor(core: ServerCore, id: string) {
    this.#core = core;
    this.id = id;
  }

  /** Runs until `signal` aborts; resolves once the evaluation in hand is done. */
  async run(signal: AbortSignal): Promise<void> {
    const core = this.#core;
    while (!signal.aborted) {
      await core.whenBrokerEnabled(signal);
      if (signal.aborted) break;
      let d: Delivery;
      try {
        d = await core.broker.dequeue(SCHEDULER_TYPES, signal);
      } catch (err) {
        if (signal.aborted || err instanceof EvalBrokerError) continue;
        throw err;
      }
      try {
        await this.#process(d, signal);
        core.broker.ack(d.eval.ID, d.token);
        this.processed++;
      } catch (err) {
        core.logger.error("worker failed to process evaluation", {
          worker: this.id,
          eval_id: d.eval.ID,
          error: err instanceof Error ? err.message : String(err),
        });
        try {
          core.broker.nack(d.eval.ID, d.token);
        } catch { /* the delivery is gone: the broker was disabled or the nack timed out */ }
      }
      const superseded = core.broker.enabled ? core.broker.cancelable(1000) : [];
      if (superseded.length > 0) core.cancelEvals(superseded, () => CANCELED_BY_NEWER);
    }
  }

  #context(): ScheduleContext {
    const core = this.#core;
    return { now: core.nowNs(), random: core.random, newId: core.newId };
  }

  async #waitFor(index: number, signal: AbortSignal): Promise<void> {
    const store = this.#core.store;
    if (store.index < index) await store.waitForIndex(TABLE_NAMES, index - 1, signal);
  }

  /** Fails unless this worker still holds the delivery (its nack timeout did not pass). */
  #checkOutstanding(d: Delivery): void {
    if (this.#core.broker.outstanding(d.eval.ID) !== d.token) {
      throw new Error(
        `Cannot update evaluation "${d.eval.ID}": its delivery is no longer outstanding (nack timeout)`,
      );
    }
  }

  async #process(d: Delivery, signal: AbortSignal): Promise<void> {
    const core = this.#core;
    const e = d.eval;
    await this.#waitFor(Math.max(e.ModifyIndex, e.SnapshotIndex), signal);
    const limit = attemptLimit(e.Type);
    let attempts = 0;
    for (;;) {
      const started = performance.now();
      const view = core.inflight.view(core.store.snapshot());
      const outcome = schedule(e, view, this.#context());
      core.metrics.addSample(["nomad", "worker", "invoke_scheduler", e.Type], elapsed(started));
      const plan = outcome.plan;
      if (plan === null) return await this.#finish(d, outcome);
      let result: PlanResult;
      core.inflight.add(plan);
      try {
        const followUps = outcome.newEvals.filter((x) => x.Status !== "blocked");
        if (followUps.length > 0) {
          this.#checkOutstanding(d);
          await core.commit({ type: "EvalUpsert", evals: followUps });
        }
        this.#checkOutstanding(d);
        core.broker.pauseNackTimeout(e.ID, d.token);
        try {
          result = await core.planQueue.enqueue(plan);
        } finally {
          if (core.broker.outstanding(e.ID) === d.token) {
            core.broker.resumeNackTimeout(e.ID, d.token);
          }
        }
      } finally {
        core.inflight.delete(plan);
      }
      if (result.RefreshIndex === 0) return await this.#finish(d, outcome);
      await this.#waitFor(result.RefreshIndex, signal);
      attempts = progressMade(result) ? 0 : attempts + 1;
      if (attempts >= limit) return await this.#maxAttempts(d, outcome, limit);
    }
  }

  /** Writes the evaluation's outcome and its blocked evaluation (or re-blocks it). */
  async #finish(d: Delivery, outcome: ScheduleOutcome): Promise<void> {
    const evaluation = outcome.evaluation;
    this.#checkOutstanding(d);
    if (evaluation.Status === "blocked") {
      await this.#core.commit({ type: "EvalUpsert", evals: [evaluation] }, {
        evalId: evaluation.ID,
        token: d.token,
      });
      return;
    }
    const blocked = outcome.newEvals.filter((x) => x.Status === "blocked");
    await this.#core.commit({ type: "EvalUpsert", evals: [evaluation, ...blocked] });
  }

  /** Nomad's answer to a plan that kept conflicting: a failed evaluation and a blocked one. */
  async #maxAttempts(d: Delivery, outcome: ScheduleOutcome, limit: number): Promise<void> {
    const core = this.#core;
    const e = d.eval;
    const now = core.nowNs();
    const snap = core.store.snapshot();
    const job = snap.job(e.Namespace, e.JobID) ?? null;
    const blocked: Evaluation = {
      ...createBlockedEval(e, {
        id: core.newId(),
        now,
        eligibility: eligibilityOf(null, job),
        failedTGAllocs: outcome.evaluation.FailedTGAllocs,
        planFailure: true,
      }),
      SnapshotIndex: snap.index,
    };
    const failed: Evaluation = {
      ...outcome.evaluation,
      Status: "failed",
      StatusDescription: `maximum attempts reached (${limit})`,
      BlockedEval: blocked.ID,
      ModifyTime: now,
    };
    this.#checkOutstanding(d);
    await core.commit({ type: "EvalUpsert", evals: [failed, blocked] });
  }
}

function elapsed(startedMs: number): number {
  return performance.now() - startedMs;
}
