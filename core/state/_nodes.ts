/**
 * Nodes in the state: registration, deregistration, status, eligibility, drain and events.
 *
 * @module
 */
import type { Node, NodeEvent } from "../structs/mod.ts";
import { NotFoundError } from "../structs/mod.ts";
import type { NodeDrainEntry } from "./entries.ts";
import type { Txn } from "./_txn.ts";
import { nanosToTime } from "./_util.ts";

/** How many events a node keeps (Nomad's `MaxRetainedNodeEvents`). */
export const MAX_RETAINED_NODE_EVENTS = 10;

function unresponsive(n: Node): boolean {
  return n.Status === "down" || n.Status === "disconnected";
}

function clusterEvent(message: string, statusUpdatedAt: number): NodeEvent {
  return {
    Message: message,
    Subsystem: "Cluster",
    Details: null,
    Timestamp: nanosToTime(statusUpdatedAt * 1e9),
    CreateIndex: 0,
  };
}

/** Appends events (stamped with the index) and keeps the newest ones. */
function appendEvents(tx: Txn, n: Node, events: readonly NodeEvent[]): void {
  const all = [...(n.Events ?? []), ...events.map((e) => ({ ...e, CreateIndex: tx.index }))];
  n.Events = all.slice(Math.max(0, all.length - MAX_RETAINED_NODE_EVENTS));
}

/** Registers a node or updates its definition, keeping what the servers own. */
export function upsertNode(tx: Txn, input: Node): void {
  const n: Node = { ...input };
  const exist = tx.db.nodes.get(n.ID);
  if (exist) {
    n.CreateIndex = exist.CreateIndex;
    n.ModifyIndex = tx.index;
    if (!unresponsive(exist) && unresponsive(n)) n.LastMissedHeartbeatIndex = tx.index;
    n.Events = exist.Events;
    if (exist.Status === "down" && n.Status !== "down") {
      appendEvents(tx, n, [clusterEvent("Node re-registered", n.StatusUpdatedAt)]);
    }
    n.SchedulingEligibility = exist.SchedulingEligibility;
    n.DrainStrategy = exist.DrainStrategy;
    n.LastDrain = exist.LastDrain;
    n.LastMissedHeartbeatIndex = Math.max(
      n.LastMissedHeartbeatIndex,
      exist.LastMissedHeartbeatIndex,
    );
    n.LastAllocUpdateIndex = Math.max(n.LastAllocUpdateIndex, exist.LastAllocUpdateIndex);
  } else {
    n.Events = [clusterEvent("Node registered", n.StatusUpdatedAt)];
    n.CreateIndex = tx.index;
    n.ModifyIndex = tx.index;
  }
  tx.put(tx.db.nodes, n.ID, n);
}

/** Removes nodes; every one must exist. */
export function deleteNodes(tx: Txn, ids: readonly string[]): void {
  if (ids.length === 0) throw new RangeError("Cannot deregister nodes: node ids missing");
  for (const id of ids) {
    if (!tx.delete(tx.db.nodes, id)) throw new NotFoundError(`node not found: ${id}`);
  }
}

function copyNode(tx: Txn, id: string): Node {
  const n = tx.mutable(tx.db.nodes, id, (x) => ({ ...x }));
  if (!n) throw new NotFoundError(`node not found: ${id}`);
  return n;
}

/** Changes a node's status. `updatedAt` is Unix seconds. */
export function updateNodeStatus(
  tx: Txn,
  id: string,
  status: string,
  updatedAt: number,
  event: NodeEvent | null | undefined,
): void {
  const old = tx.db.nodes.get(id);
  const n = copyNode(tx, id);
  n.StatusUpdatedAt = updatedAt;
  if (event) appendEvents(tx, n, [event]);
  n.Status = status;
  n.ModifyIndex = tx.index;
  if (old && !unresponsive(old) && unresponsive(n)) n.LastMissedHeartbeatIndex = tx.index;
  else if (old && old.Status !== "ready" && status === "ready") n.LastMissedHeartbeatIndex = 0;
}

/** Changes a node's scheduling eligibility. `updatedAt` is Unix seconds. */
export function updateNodeEligibility(
  tx: Txn,
  id: string,
  eligibility: string,
  updatedAt: number,
  event: NodeEvent | null | undefined,
): void {
  const stored = tx.db.nodes.get(id);
  if (!stored) throw new NotFoundError(`node not found: ${id}`);
  if (stored.DrainStrategy && eligibility === "eligible") {
    throw new Error("can not set node's scheduling eligibility to eligible while it is draining");
  }
  const n = copyNode(tx, id);
  n.StatusUpdatedAt = updatedAt;
  if (event) appendEvents(tx, n, [event]);
  n.SchedulingEligibility = eligibility;
  n.ModifyIndex = tx.index;
}

/** Starts, updates, completes or cancels a drain, and records it in `LastDrain`. */
export function updateNodeDrain(tx: Txn, e: NodeDrainEntry): void {
  const old = tx.db.nodes.get(e.nodeId);
  const n = copyNode(tx, e.nodeId);
  n.StatusUpdatedAt = e.updatedAt;
  if (e.event) appendEvents(tx, n, [e.event]);
  n.DrainStrategy = e.drain;
  if (e.drain) n.SchedulingEligibility = "ineligible";
  else if (e.markEligible) n.SchedulingEligibility = "eligible";
  const wasDraining = old?.DrainStrategy != null;
  if (wasDraining || e.drain) {
    const at = nanosToTime(e.updatedAt * 1e9);
    let last: Record<string, unknown>;
    if (!wasDraining) {
      last = { StartedAt: at, Meta: e.meta ?? null };
    } else if (n.LastDrain) {
      last = { ...n.LastDrain };
    } else {
      const started = old?.DrainStrategy?.StartedAt ?? "";
      last = { StartedAt: started.replace(/\.\d+/, ""), Meta: e.meta ?? null };
    }
    last.UpdatedAt = at;
    if (e.meta && Object.keys(e.meta).length > 0) last.Meta = e.meta;
    if (e.accessorId) last.AccessorID = e.accessorId;
    last.AccessorID ??= "";
    last.Status = e.drain ? "draining" : e.drainComplete ? "complete" : "canceled";
    n.LastDrain = last;
  }
  n.ModifyIndex = tx.index;
}

/** Appends events to nodes (the node's ModifyIndex is left alone, as in Nomad). */
export function addNodeEvents(tx: Txn, events: Record<string, NodeEvent[]>): void {
  for (const [id, list] of Object.entries(events)) appendEvents(tx, copyNode(tx, id), list);
}
