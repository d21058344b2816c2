/**
 * The leader's reactions to applied entries (what Nomad's FSM does beside the state store):
 * evaluations written by an entry go to the broker or the blocked tracker, and capacity that
 * appears (a node ready or eligible again, an allocation finished on a client) unblocks the
 * blocked evaluations that could use it, and jobs registered, stopped or purged are shown to
 * the periodic dispatcher.
 *
 * @module
 */
import type { Entry, StateSnapshot } from "../state/mod.ts";
import type { Evaluation, Node } from "../structs/mod.ts";
import type { Reblock, ServerCore } from "./_core.ts";

/** What an entry's reaction needs to know about the state before it was applied. */
export interface Before {
  /** The node the entry changes, as it was. */
  readonly node?: Node | undefined;
}

/** Reads what {@link afterApply} will need from the state before the entry is applied. */
export function beforeApply(snap: StateSnapshot, entry: Entry): Before {
  switch (entry.type) {
    case "NodeEligibility":
    case "NodeDrain":
      return { node: snap.node(entry.nodeId) };
    default:
      return {};
  }
}

/** The IDs of the evaluations an entry writes. */
export function entryEvalIds(entry: Entry): string[] {
  const one = (e: Evaluation | null | undefined) => (e ? [e.ID] : []);
  const many = (list: readonly Evaluation[] | undefined) => (list ?? []).map((e) => e.ID);
  switch (entry.type) {
    case "JobRegister":
    case "JobDeregister":
    case "DeploymentStatus":
    case "DeploymentPromote":
    case "DeploymentAllocHealth":
      return one(entry.eval);
    case "AllocStop":
      return [entry.eval.ID];
    case "JobBatchDeregister":
    case "EvalUpsert":
    case "PlanApply":
    case "AllocClientUpdate":
    case "AllocDesiredTransition":
      return many(entry.evals);
    default:
      return [];
  }
}

function unblockNode(core: ServerCore, node: Node | undefined, index: number): void {
  if (node === undefined) return;
  core.blocked.unblock(node.ComputedClass, index);
  core.blocked.unblockNode(node.ID);
}

/** Reacts to an applied entry. */
export function afterApply(
  core: ServerCore,
  entry: Entry,
  index: number,
  before: Before,
  reblock?: Reblock,
): void {
  const snap = core.store.snapshot();
  const ids = entryEvalIds(entry);
  if (ids.length > 0) {
    const evals: Evaluation[] = [];
    for (const id of ids) {
      const e = snap.eval(id);
      if (e !== undefined) evals.push(e);
    }
    core.handleUpsertedEvals(evals, reblock);
  }
  switch (entry.type) {
    case "NodeRegister":
      if (entry.node.Status === "ready") core.blocked.unblock(entry.node.ComputedClass, index);
      break;
    case "NodeStatus":
      if (entry.status === "ready") unblockNode(core, snap.node(entry.nodeId), index);
      break;
    case "NodeEligibility":
      if (
        before.node?.SchedulingEligibility === "ineligible" && entry.eligibility === "eligible"
      ) unblockNode(core, snap.node(entry.nodeId), index);
      break;
    case "NodeDrain":
      if (before.node?.SchedulingEligibility === "ineligible" && entry.markEligible) {
        unblockNode(core, snap.node(entry.nodeId), index);
      }
      break;
    case "AllocClientUpdate": {
      const nodes = new Set<string>();
      for (const u of entry.allocs) {
        if (u.ClientStatus !== "complete" && u.ClientStatus !== "failed") continue;
        const nodeId = u.NodeID ?? snap.alloc(u.ID)?.NodeID;
        if (nodeId !== undefined) nodes.add(nodeId);
      }
      for (const id of nodes) unblockNode(core, snap.node(id), index);
      core.onAllocsChanged();
      break;
    }
    case "PlanApply":
      core.onAllocsChanged();
      break;
    case "JobRegister":
      core.onJobChanged(entry.job.Namespace ?? "default", entry.job.ID ?? "");
      break;
    case "JobDeregister":
      core.onJobChanged(entry.namespace, entry.jobId);
      break;
    case "JobBatchDeregister":
      for (const j of entry.jobs) core.onJobChanged(j.namespace, j.jobId);
      break;
  }
}
