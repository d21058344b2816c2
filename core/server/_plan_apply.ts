/**
 * The plan applier (Nomad's `planApply`): one loop on the leader that takes plans off the plan
 * queue in priority order, re-checks each against the latest state ({@link evaluatePlan}) and
 * commits what still fits as one `PlanApply` entry.
 *
 * Commits are pipelined: the next plan is checked while earlier ones are still being written,
 * against the state plus those in-flight results (Nomad's optimistic snapshot), up to
 * `maxInflight` plans deep. The state store groups the writes into shared log appends.
 *
 * @module
 */
import type { PlanResult } from "../scheduler/mod.ts";
import type { PlanApplyEntry } from "../state/mod.ts";
import type { Evaluation } from "../structs/mod.ts";
import type { PendingPlan } from "./plan_queue.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import { evaluatePlan, type Rejections, resultIsNoOp } from "./_plan_check.ts";

interface Inflight {
  readonly result: PlanResult;
  readonly done: Promise<void>;
}

/** Options of the {@link PlanApplier}. */
export interface PlanApplierOptions {
  /** Plans being written at once (Nomad's pipeline depth). Default 4. */
  readonly maxInflight?: number;
}

/** The leader's plan applier loop. */
export class PlanApplier {
  readonly #core: ServerCore;
  readonly #maxInflight: number;
  #inflight: Inflight[] = [];
  /** Plans applied (committed or answered as no-ops). */
  applied = 0;

  constructor(core: ServerCore, opts: PlanApplierOptions = {}) {
    this.#core = core;
    this.#maxInflight = Math.max(1, opts.maxInflight ?? 4);
  }

  /** Runs until `signal` aborts or the plan queue is disabled; then waits for its writes. */
  async run(signal: AbortSignal): Promise<void> {
    const queue = this.#core.planQueue;
    try {
      while (!signal.aborted && queue.enabled) {
        let pending: PendingPlan;
        try {
          pending = await queue.dequeue(signal);
        } catch {
          break;
        }
        try {
          this.#apply(pending);
        } catch (err) {
          pending.fail(err instanceof Error ? err : new Error(String(err)));
        }
        while (this.#inflight.length >= this.#maxInflight) await this.#inflight[0]!.done;
      }
    } finally {
      await Promise.all(this.#inflight.map((f) => f.done));
    }
  }

  #apply(pending: PendingPlan): void {
    const core = this.#core;
    const plan = pending.plan;
    const started = performance.now();
    const rejections: Rejections = new Map();
    const inflight = this.#inflight.map((f) => f.result);
    const result = evaluatePlan(core.store.snapshot(), plan, inflight, rejections);
    core.metrics.addSample(["nomad", "plan", "evaluate"], performance.now() - started);
    for (const [nodeId, reason] of rejections) {
      core.metrics.incrCounter(["nomad", "plan", "node_rejected"], 1, { node_id: nodeId });
      core.logger.info("plan for node rejected", { node_id: nodeId, reason, eval_id: plan.EvalID });
    }
    this.applied++;
    if (resultIsNoOp(result)) {
      // A rejection must reach the worker only once the plans it conflicted with are written,
      // so that its refreshed snapshot sees them.
      const last = this.#inflight[this.#inflight.length - 1];
      if (last === undefined) pending.respond(result);
      else last.done.then(() => pending.respond(result));
      return;
    }
    const entry: PlanApplyEntry = {
      type: "PlanApply",
      result: { ...result },
      job: plan.Job,
      evalId: plan.EvalID,
      evals: this.#preemptionEvals(result),
      updatedAt: core.nowNs(),
    };
    const committing = core.commit(entry);
    const f: Inflight = {
      result,
      done: committing.then(
        (applied) => pending.respond({ ...result, AllocIndex: applied.index }),
        (err) => pending.fail(err instanceof Error ? err : new Error(String(err))),
      ).finally(() => {
        this.#inflight = this.#inflight.filter((x) => x !== f);
        core.metrics.addSample(["nomad", "plan", "apply"], performance.now() - started);
      }),
    };
    this.#inflight.push(f);
  }

  /** Evaluations for the jobs whose allocations a plan preempts (Nomad's preemption evals). */
  #preemptionEvals(result: PlanResult): Evaluation[] {
    const core = this.#core;
    const jobs = new Map<string, { ns: string; id: string }>();
    for (const list of Object.values(result.NodePreemptions)) {
      for (const a of list) {
        jobs.set(`${a.Namespace}\u0000${a.JobID}`, { ns: a.Namespace, id: a.JobID });
      }
    }
    if (jobs.size === 0) return [];
    const snap = core.store.snapshot();
    const now = core.nowNs();
    const evals: Evaluation[] = [];
    for (const { ns, id } of jobs.values()) {
      const job = snap.job(ns, id);
      if (job === undefined) continue;
      evals.push(newEval(core.newId(), job, "preemption", now));
    }
    return evals;
  }
}
