/**
 * Allocation and evaluation writes: what clients report about their allocations (Nomad's
 * `Node.UpdateAlloc`, which also creates the evaluations failed allocations need), `Alloc.Stop`,
 * `Eval.Delete`, and the operator's scheduler configuration.
 *
 * @module
 */
import { rescheduleEligible } from "../scheduler/mod.ts";
import type { AllocClientUpdate } from "../state/mod.ts";
import {
  type Evaluation,
  NotFoundError,
  type SchedulerConfiguration,
  ValidationError,
} from "../structs/mod.ts";
import type { RequestContext } from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";

function clientTerminal(status: string): boolean {
  return status === "complete" || status === "failed" || status === "lost";
}

/** The allocation and evaluation endpoints over the server core. */
export class AllocEndpoint {
  readonly #core: ServerCore;

  constructor(core: ServerCore) {
    this.#core = core;
  }

  /**
   * `Node.UpdateAlloc`: stores a client's allocation updates (the job summaries follow) with
   * one evaluation per job whose allocation failed and may be rescheduled, whose job is gone,
   * or which reconnected.
   */
  async updateFromClient(
    updates: AllocClientUpdate[],
    _ctx: RequestContext,
  ): Promise<{ Index: number }> {
    const core = this.#core;
    if (updates.length === 0) {
      throw new ValidationError("must update at least one allocation", []);
    }
    const nodeId = updates[0]!.NodeID ?? "";
    if (nodeId === "") throw new ValidationError("missing node ID", []);
    const snap = core.store.snapshot();
    const node = snap.node(nodeId);
    if (node === undefined) throw new NotFoundError(`node ${nodeId} not found`);
    if (node.Status === "down" || node.Status === "disconnected") {
      throw new ValidationError(
        `node ${nodeId} is not allowed to update allocs while in status ${node.Status}`,
        [],
      );
    }
    const now = core.nowNs();
    const evals = new Map<string, Evaluation>();
    const allocs: AllocClientUpdate[] = [];
    for (const u of updates) {
      allocs.push({ ...u, ModifyTime: now });
      const alloc = snap.alloc(u.ID);
      if (alloc === undefined) continue;
      if (!clientTerminal(u.ClientStatus) && alloc.ClientStatus !== "unknown") continue;
      const job = snap.job(alloc.Namespace, alloc.JobID);
      let trigger = "";
      if (job === undefined) trigger = "job-deregister";
      else if (u.ClientStatus === "failed" && alloc.FollowupEvalID === "") {
        const tg = job.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
        if (tg === undefined) continue;
        if (rescheduleEligible(alloc.RescheduleTracker, tg.ReschedulePolicy, now)) {
          trigger = "alloc-failure";
        }
      }
      if (trigger !== "job-deregister" && alloc.ClientStatus === "unknown") trigger = "reconnect";
      const source = job ?? alloc.Job;
      const key = `${alloc.Namespace}\u0000${alloc.JobID}`;
      if (trigger === "" || source === null || evals.has(key)) continue;
      evals.set(key, newEval(core.newId(), source, trigger, now, { Namespace: alloc.Namespace }));
    }
    const applied = await core.commit({
      type: "AllocClientUpdate",
      allocs,
      evals: [...evals.values()],
    });
    return { Index: applied.index };
  }

  /** `Alloc.Stop`: migrate one allocation away, with an `alloc-stop` evaluation. */
  async stop(
    allocId: string,
    opts: { noShutdownDelay: boolean },
    _ctx: RequestContext,
  ): Promise<{ EvalID: string; Index: number }> {
    const core = this.#core;
    const snap = core.store.snapshot();
    const alloc = snap.alloc(allocId);
    if (alloc === undefined) throw new NotFoundError(`alloc not found: ${allocId}`);
    const job = snap.job(alloc.Namespace, alloc.JobID) ?? alloc.Job;
    if (job === null) throw new NotFoundError(`job not found for alloc ${allocId}`);
    const evaluation = newEval(core.newId(), job, "alloc-stop", core.nowNs(), {
      Namespace: alloc.Namespace,
      JobModifyIndex: job.ModifyIndex ?? 0,
    });
    const applied = await core.commit({
      type: "AllocStop",
      allocId,
      eval: evaluation,
      noShutdownDelay: opts.noShutdownDelay,
    });
    return { EvalID: evaluation.ID, Index: applied.index };
  }

  /** `Eval.Delete`: only while the broker is paused, as in Nomad. */
  async deleteEvals(evalIds: string[], _ctx: RequestContext): Promise<{ Index: number }> {
    if (evalIds.length === 0) throw new ValidationError("evals must be given to delete", []);
    const applied = await this.#core.commit({
      type: "EvalDelete",
      evalIds,
      allocIds: [],
      userInitiated: true,
    });
    return { Index: applied.index };
  }

  /** `Operator.SchedulerGetConfiguration`. */
  schedulerConfig(): { SchedulerConfig: SchedulerConfiguration; Index: number } {
    const snap = this.#core.store.snapshot();
    return { SchedulerConfig: snap.schedulerConfig(), Index: snap.tableIndex("scheduler_config") };
  }

  /**
   * `Operator.SchedulerSetConfiguration`, a check-and-set when `cas` is given; pausing the
   * eval broker turns it and the blocked-evals tracker off (and back on, restoring the
   * pending and blocked evaluations).
   */
  async setSchedulerConfig(
    config: SchedulerConfiguration,
    cas: number | null,
  ): Promise<{ Updated: boolean; Index: number }> {
    const core = this.#core;
    const applied = await core.commit({
      type: "SchedulerConfig",
      config,
      ...(cas === null ? {} : { cas }),
    });
    const paused = core.store.snapshot().schedulerConfig().PauseEvalBroker;
    core.setBrokersEnabled(!paused);
    return { Updated: applied.updated, Index: applied.index };
  }
}
