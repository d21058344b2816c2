/**
 * Node drains: the `Node.UpdateDrain` endpoint and the drainer, which marks allocations on
 * draining nodes to migrate as `_drain_plan.ts` decides (paced by each group's
 * `migrate.max_parallel` and the health of the replacements, batch left to finish, system
 * last, everything at the deadline), with one `node-drain` evaluation per job, re-deciding
 * whenever allocations change and at each deadline. The drain completes when nothing is left
 * running on the node, counting allocations the servers stopped as gone.
 *
 * @module
 */
import { nsToTime } from "../scheduler/mod.ts";
import { type DrainStrategy, type Evaluation, ZERO_TIME } from "../structs/mod.ts";
import type { RequestContext } from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";
import { createNodeEvals, type NodeEvalResponse, nodeEvent } from "./_node_endpoint.ts";
import { planDrain } from "./_drain_plan.ts";
import type { TimerHandle } from "./timers.ts";

/** The drain endpoint and the loop that moves allocations off draining nodes. */
export class Drainer {
  readonly #core: ServerCore;
  readonly #draining = new Set<string>();
  #checkQueued = false;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(core: ServerCore) {
    this.#core = core;
    core.onAllocsChanged = () => this.#queueCheck();
  }

  /** Starts watching the nodes the state says are draining (on gaining leadership). */
  start(): void {
    this.#running = true;
    for (const n of this.#core.store.snapshot().nodes()) {
      if (n.DrainStrategy !== null) this.#draining.add(n.ID);
    }
    this.#queueCheck();
  }

  /** Stops watching (on losing leadership). */
  stop(): void {
    this.#running = false;
    this.#draining.clear();
    if (this.#timer !== undefined) this.#core.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** `Node.UpdateDrain`: sets, updates or cancels a node's drain. */
  async updateDrain(
    nodeId: string,
    drain: DrainStrategy | null,
    markEligible: boolean,
    _ctx: RequestContext,
  ): Promise<NodeEvalResponse> {
    const core = this.#core;
    const node = core.store.snapshot().node(nodeId);
    if (!nodeId) throw new Error("missing node ID for drain update");
    if (node === undefined) throw new Error("node not found");
    const now = core.nowNs();
    let strategy: DrainStrategy | null = null;
    if (drain !== null) {
      strategy = {
        ...drain,
        StartedAt: node.DrainStrategy?.StartedAt ?? nsToTime(now),
        ForceDeadline: drain.Deadline > 0 ? nsToTime(now + drain.Deadline) : ZERO_TIME,
      };
    }
    const message = node.DrainStrategy === null
      ? (strategy !== null ? "Node drain strategy set" : "")
      : (strategy !== null ? "Node drain strategy updated" : "Node drain disabled");
    const applied = await core.commit({
      type: "NodeDrain",
      nodeId,
      drain: strategy,
      markEligible,
      event: message === "" ? null : nodeEvent(core, message, "Drain"),
      updatedAt: core.nowSeconds(),
    });
    const out: NodeEvalResponse = {
      EvalIDs: null,
      EvalCreateIndex: 0,
      NodeModifyIndex: applied.index,
      Index: applied.index,
    };
    if (strategy !== null) {
      this.#draining.add(nodeId);
      this.#queueCheck();
    } else {
      this.#draining.delete(nodeId);
      if (node.SchedulingEligibility === "ineligible" && markEligible) {
        const { ids, index } = await createNodeEvals(core, node, applied.index);
        out.EvalIDs = ids.length > 0 ? ids : null;
        out.EvalCreateIndex = index;
      }
    }
    return out;
  }

  #queueCheck(): void {
    if (!this.#running || this.#checkQueued || this.#draining.size === 0) return;
    this.#checkQueued = true;
    this.#core.background(
      Promise.resolve().then(async () => {
        this.#checkQueued = false;
        await this.#check();
      }),
    );
  }

  async #check(): Promise<void> {
    const core = this.#core;
    const now = core.nowNs();
    const step = planDrain(core.store.snapshot(), this.#draining, now);

    const transitions: Record<string, { Migrate: boolean }> = {};
    const evals = new Map<string, Evaluation>();
    for (const { alloc: a, nodeId } of step.migrate) {
      transitions[a.ID] = { Migrate: true };
      const key = `${a.Namespace}\u0000${a.JobID}`;
      if (!evals.has(key)) {
        evals.set(
          key,
          newEval(core.newId(), a.Job!, "node-drain", now, {
            Namespace: a.Namespace,
            NodeID: nodeId,
          }),
        );
      }
    }
    if (Object.keys(transitions).length > 0) {
      await core.commit({
        type: "AllocDesiredTransition",
        transitions,
        evals: [...evals.values()],
      });
    }
    for (const nodeId of step.complete) {
      this.#draining.delete(nodeId);
      await core.commit({
        type: "NodeDrain",
        nodeId,
        drain: null,
        markEligible: false,
        drainComplete: true,
        event: nodeEvent(core, "Node drain complete", "Drain"),
        updatedAt: core.nowSeconds(),
      });
    }
    this.#armDeadline(step.nextDeadline);
  }

  #armDeadline(deadlineNs: number): void {
    const core = this.#core;
    if (this.#timer !== undefined) core.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (!this.#running || deadlineNs === Infinity) return;
    const ms = Math.max(0, deadlineNs / 1e6 - core.clock.now());
    this.#timer = core.clock.setTimer(ms + 1, () => {
      this.#timer = undefined;
      this.#queueCheck();
    });
  }
}
