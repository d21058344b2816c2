/**
 * The records, orderings and keys the eval broker and the blocked-evals tracker share.
 *
 * @module
 */
import { type Evaluation, ZERO_TIME } from "../structs/mod.ts";
import type { SchedulerStats } from "./eval_broker_types.ts";

/** Where a held evaluation is: waiting for `Wait` (or a nack delay) or `WaitUntil`, etc. */
export type HeldState = "waiting" | "delayed" | "pending" | "ready" | "unacked";

/**
 * An evaluation the eval broker holds, from enqueue to ack. The sort keys are copied out of
 * the evaluation so that heap comparisons touch one small object.
 */
export interface Held {
  readonly eval: Evaluation;
  readonly priority: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
  /** Arrival order, renewed each time it is queued. */
  seq: number;
  state: HeldState;
  /** How many times it was delivered. */
  deliveries: number;
  /** The current delivery's token while unacked. */
  token: string;
  /** The queue it was last made ready on, and that queue's counters. */
  queue: string;
  stats: SchedulerStats;
}

/** The counters of no queue, before an evaluation is first made ready. */
export const NO_STATS: SchedulerStats = { Ready: 0, Unacked: 0 };

/** The key of an evaluation's job: namespace and job ID. */
export function jobKey(namespace: string, jobId: string): string {
  return `${namespace}\u0000${jobId}`;
}

/** Ready order: higher priority first, then older (lower `CreateIndex`), then arrival. */
export function readyBefore(a: Held, b: Held): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.createIndex !== b.createIndex) return a.createIndex < b.createIndex;
  return a.seq < b.seq;
}

/** Pending order: higher priority first, then newer (higher `ModifyIndex`), then latest. */
export function pendingBefore(a: Held, b: Held): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.modifyIndex !== b.modifyIndex) return a.modifyIndex > b.modifyIndex;
  return a.seq > b.seq;
}

/** `WaitUntil` in ms since the epoch, or undefined when unset (Go's zero time or empty). */
export function waitUntilMs(evaluation: Evaluation): number | undefined {
  const text = evaluation.WaitUntil;
  if (text === "" || text === ZERO_TIME || text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The larger of an evaluation's create and snapshot index. */
export function latestIndex(evaluation: Evaluation): number {
  return Math.max(evaluation.CreateIndex, evaluation.SnapshotIndex);
}
