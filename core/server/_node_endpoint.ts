/**
 * The node endpoints (Nomad's `Node.Register`, `UpdateStatus`, `UpdateEligibility`,
 * `Evaluate`, `Deregister`) and what the leader does when a node misses its heartbeat: it is
 * marked down (or disconnected), and evaluations are created for the jobs with allocations on
 * it and for the system jobs it should run.
 *
 * @module
 */
import { computedClass, nodeInDCs, nodeInPool, nsToTime } from "../scheduler/mod.ts";
import { allocGroup, disconnectExpired, groupLostAfter, isTerminal } from "../scheduler/mod.ts";
import {
  type Evaluation,
  type Job,
  type Node,
  type NodeEvent,
  NotFoundError,
  ValidationError,
} from "../structs/mod.ts";
import type { NodeUpdateResponse, RequestContext } from "./api.ts";
import type { ServerCore } from "./_core.ts";
import { newEval } from "./_evals.ts";

/** The answer of the node writes that only create evaluations. */
export interface NodeEvalResponse {
  EvalIDs: string[] | null;
  EvalCreateIndex: number;
  NodeModifyIndex: number;
  Index: number;
}

const VALID_STATUS = new Set(["initializing", "ready", "down", "disconnected"]);

/** A node event of the `Cluster` subsystem (or another), stamped now. */
export function nodeEvent(core: ServerCore, message: string, subsystem = "Cluster"): NodeEvent {
  return {
    Message: message,
    Subsystem: subsystem,
    Details: null,
    Timestamp: nsToTime(core.nowNs()),
    CreateIndex: 0,
  };
}

/** Whether a status change needs evaluations (Nomad's `nodeStatusTransitionRequiresEval`). */
export function transitionRequiresEval(next: string, old: string): boolean {
  return (old === "initializing" && next === "ready") || (old === "down" && next === "ready") ||
    (old === "disconnected" && next !== "disconnected") ||
    (old !== "disconnected" && next === "disconnected");
}

/** Whether allocations on a node in this status must move (Nomad's `ShouldDrainNode`). */
function shouldDrain(status: string): boolean {
  return status === "down" || status === "disconnected";
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Whether a re-registration changed what feasibility checks read (Nomad's `shouldCreateNodeEval`). */
function shouldCreateNodeEval(original: Node | undefined, updated: Node): boolean {
  if (shouldDrain(updated.Status)) return true;
  if (original === undefined) return transitionRequiresEval(updated.Status, "initializing");
  if (transitionRequiresEval(updated.Status, original.Status)) return true;
  return !(original.Datacenter === updated.Datacenter && original.Name === updated.Name &&
    original.NodeClass === updated.NodeClass && sameJson(original.Attributes, updated.Attributes) &&
    sameJson(original.Meta, updated.Meta) && sameJson(original.Drivers, updated.Drivers) &&
    sameJson(original.HostVolumes, updated.HostVolumes) &&
    sameJson(original.NodeResources?.Devices, updated.NodeResources?.Devices));
}

/**
 * Creates a `node-update` evaluation for every job with allocations on the node that may need
 * to move, and for every system job the node should run (Nomad's `createNodeEvals`).
 */
export async function createNodeEvals(
  core: ServerCore,
  node: Node,
  nodeIndex: number,
): Promise<{ ids: string[]; index: number }> {
  const snap = core.store.snapshot();
  const now = core.nowNs();
  const evals: Evaluation[] = [];
  const seen = new Set<string>();
  const fields = { NodeID: node.ID, NodeModifyIndex: nodeIndex };
  for (const a of snap.allocsByNode(node.ID)) {
    const key = `${a.Namespace}\u0000${a.JobID}`;
    const job = a.Job;
    if (seen.has(key) || job === null) continue;
    const clientTerminal = ["complete", "failed", "lost"].includes(a.ClientStatus);
    if (job.Type === "service" && isTerminal(a) && clientTerminal) continue;
    if (job.Type === "batch" && clientTerminal) continue;
    if (job.Type !== "service" && job.Type !== "batch") continue;
    seen.add(key);
    evals.push(
      newEval(core.newId(), job, "node-update", now, { ...fields, Namespace: a.Namespace }),
    );
  }
  for (const job of snap.jobs({ namespace: "*" })) {
    if (job.Type !== "system" || job.Stop) continue;
    if (!nodeInPool(node, job.NodePool) || !nodeInDCs(node, job.Datacenters)) continue;
    const key = `${job.Namespace}\u0000${job.ID}`;
    if (seen.has(key)) continue;
    seen.add(key);
    evals.push(newEval(core.newId(), job, "node-update", now, fields));
  }
  if (evals.length === 0) return { ids: [], index: 0 };
  const applied = await core.commit({ type: "EvalUpsert", evals });
  return { ids: evals.map((e) => e.ID), index: applied.index };
}

/** The node endpoints over the server core. */
export class NodeEndpoint {
  readonly #core: ServerCore;

  constructor(core: ServerCore) {
    this.#core = core;
    core.onHeartbeatExpired = (id) => core.background(this.#heartbeatMissed(id));
  }

  #response(index: number): NodeUpdateResponse {
    const core = this.#core;
    return {
      HeartbeatTTL: 0,
      EvalIDs: null,
      EvalCreateIndex: 0,
      NodeModifyIndex: 0,
      LeaderRPCAddr: core.rpcAddr,
      NumNodes: core.store.snapshot().nodes().length,
      Servers: [{
        RPCAdvertiseAddr: core.rpcAddr,
        RPCMajorVersion: 1,
        RPCMinorVersion: 1,
        Datacenter: core.datacenter,
      }],
      Index: index,
    };
  }

  #node(nodeId: string): Node {
    if (!nodeId) throw new ValidationError("missing node ID", []);
    const node = this.#core.store.snapshot().node(nodeId);
    if (node === undefined) throw new NotFoundError("node not found");
    return node;
  }

  /** `Node.Register`: stores the node, creates its evaluations, starts its heartbeat. */
  async register(input: Node, _ctx: RequestContext): Promise<NodeUpdateResponse> {
    const core = this.#core;
    const problems: string[] = [];
    if (!input) throw new ValidationError("missing node for client registration", []);
    if (!input.ID) problems.push("missing node ID for client registration");
    if (!input.Datacenter) problems.push("missing datacenter for client registration");
    if (!input.Name) problems.push("missing node name for client registration");
    if (!input.SecretID) problems.push("missing node secret ID for client registration");
    if (problems.length > 0) throw new ValidationError("Cannot register the node", problems);
    const node: Node = {
      ...input,
      Status: input.Status || "initializing",
      SchedulingEligibility: input.SchedulingEligibility || "eligible",
      NodePool: input.NodePool || "default",
      StatusUpdatedAt: core.nowSeconds(),
    };
    if (!VALID_STATUS.has(node.Status)) throw new ValidationError("invalid status for node", []);
    node.ComputedClass = computedClass({ ...node, ComputedClass: "" });
    const original = core.store.snapshot().node(node.ID);
    if (original !== undefined) {
      if (original.SecretID !== "" && node.SecretID !== original.SecretID) {
        throw new ValidationError("node secret ID does not match. Not registering node.", []);
      }
      if (original.Status !== "") node.Status = original.Status;
    }
    const applied = await core.commit({ type: "NodeRegister", node });
    const reply = this.#response(applied.index);
    reply.NodeModifyIndex = applied.index;
    if (shouldCreateNodeEval(original, node)) {
      const { ids, index } = await createNodeEvals(core, node, applied.index);
      reply.EvalIDs = ids.length > 0 ? ids : null;
      reply.EvalCreateIndex = index;
    }
    if (node.Status !== "down") reply.HeartbeatTTL = core.heartbeats.resetHeartbeat(node.ID) * 1e6;
    return reply;
  }

  /** `Node.UpdateStatus`: a heartbeat, or a status change with its evaluations. */
  updateStatus(nodeId: string, status: string, _ctx: RequestContext): Promise<NodeUpdateResponse> {
    return this.#updateStatus(nodeId, status, null);
  }

  async #updateStatus(
    nodeId: string,
    requested: string,
    event: NodeEvent | null,
  ): Promise<NodeUpdateResponse> {
    const core = this.#core;
    if (!VALID_STATUS.has(requested)) throw new ValidationError("invalid status for node", []);
    const node = this.#node(nodeId);
    let status = requested;
    if (node.Status === "initializing" && status === "ready") {
      const live = core.store.snapshot().allocsByNode(nodeId).some((a) => !isTerminal(a));
      const allocsUpdated = node.LastAllocUpdateIndex > node.LastMissedHeartbeatIndex;
      if (live && !allocsUpdated) status = "initializing";
    } else if (node.Status === "disconnected" && status === "ready") {
      status = "initializing";
    }
    let index = 0;
    if (node.Status !== status || event !== null) {
      if (node.Status === "down" && event === null) {
        event = nodeEvent(core, "Node reregistered by heartbeat");
      }
      const applied = await core.commit({
        type: "NodeStatus",
        nodeId,
        status,
        event,
        updatedAt: core.nowSeconds(),
      });
      index = applied.index;
    }
    const reply = this.#response(index);
    reply.NodeModifyIndex = index;
    if (shouldDrain(status) || transitionRequiresEval(status, node.Status)) {
      const { ids, index: evalIndex } = await createNodeEvals(core, node, index);
      reply.EvalIDs = ids.length > 0 ? ids : null;
      reply.EvalCreateIndex = evalIndex;
    }
    if (status !== "down") {
      reply.HeartbeatTTL = core.heartbeats.resetHeartbeat(nodeId) * 1e6;
    } else {
      core.heartbeats.clearHeartbeat(nodeId);
    }
    return reply;
  }

  /** A node missed its TTL: down, or disconnected when its allocations may reconnect. */
  async #heartbeatMissed(nodeId: string): Promise<void> {
    const core = this.#core;
    if (!core.heartbeats.enabled) return;
    const snap = core.store.snapshot();
    const node = snap.node(nodeId);
    if (node === undefined || node.Status === "down") return;
    core.logger.warn("node TTL expired", { node_id: nodeId });
    // Disconnected while some allocation may still reconnect: one its servers want running,
    // whose group has a `lost_after` that has not run out.
    let disconnect = false;
    if (node.Status !== "initializing") {
      const now = core.nowNs();
      disconnect = snap.allocsByNode(nodeId).some((a) =>
        a.DesiredStatus === "run" && groupLostAfter(allocGroup(a, null)) > 0 &&
        !disconnectExpired(a, null, now)
      );
    }
    await this.#updateStatus(
      nodeId,
      disconnect ? "disconnected" : "down",
      nodeEvent(core, "Node heartbeat missed"),
    );
  }

  /** `Node.UpdateEligibility`. */
  async updateEligibility(
    nodeId: string,
    eligibility: string,
    _ctx: RequestContext,
  ): Promise<NodeEvalResponse> {
    const core = this.#core;
    if (eligibility !== "eligible" && eligibility !== "ineligible") {
      throw new ValidationError(`invalid scheduling eligibility "${eligibility}"`, []);
    }
    const node = this.#node(nodeId);
    if (node.DrainStrategy !== null && eligibility === "eligible") {
      throw new ValidationError(
        "can not set node's scheduling eligibility to eligible while it is draining",
        [],
      );
    }
    const out: NodeEvalResponse = {
      EvalIDs: null,
      EvalCreateIndex: 0,
      NodeModifyIndex: 0,
      Index: 0,
    };
    if (node.SchedulingEligibility === eligibility) return out;
    const message = eligibility === "eligible"
      ? "Node marked as eligible for scheduling"
      : "Node marked as ineligible for scheduling";
    const applied = await core.commit({
      type: "NodeEligibility",
      nodeId,
      eligibility,
      event: nodeEvent(core, message),
      updatedAt: core.nowSeconds(),
    });
    out.NodeModifyIndex = applied.index;
    out.Index = applied.index;
    if (node.SchedulingEligibility === "ineligible" && eligibility === "eligible") {
      const { ids, index } = await createNodeEvals(core, node, applied.index);
      out.EvalIDs = ids.length > 0 ? ids : null;
      out.EvalCreateIndex = index;
    }
    return out;
  }

  /** `Node.Evaluate`: evaluations for the node's jobs, now. */
  async evaluate(nodeId: string, _ctx: RequestContext): Promise<NodeEvalResponse> {
    const node = this.#node(nodeId);
    const { ids, index } = await createNodeEvals(this.#core, node, node.ModifyIndex);
    return {
      EvalIDs: ids.length > 0 ? ids : null,
      EvalCreateIndex: index,
      NodeModifyIndex: 0,
      Index: index,
    };
  }

  /** `Node.Deregister` (`node purge`): removes the node; its allocations get evaluations. */
  async purge(nodeId: string, _ctx: RequestContext): Promise<NodeEvalResponse> {
    const core = this.#core;
    const node = this.#node(nodeId);
    const applied = await core.commit({ type: "NodeDeregister", nodeIds: [nodeId] });
    core.heartbeats.clearHeartbeat(nodeId);
    const { ids, index } = await createNodeEvals(core, node, applied.index);
    return {
      EvalIDs: ids.length > 0 ? ids : null,
      EvalCreateIndex: index,
      NodeModifyIndex: applied.index,
      Index: applied.index,
    };
  }
}

/** Whether a job is a system or sysbatch job (drained last, never given node-update evals for allocs). */
export function isSystemJob(job: Job | null): boolean {
  return job?.Type === "system" || job?.Type === "sysbatch";
}
