/**
 * What the leader writes for an evaluation that reached the broker's delivery limit: the
 * evaluation marked failed, and a "failed-follow-up" evaluation that retries the job after a
 * long random delay. Pure: the leader's loop dequeues the `FAILED_QUEUE`, writes these
 * through the state store, then acks.
 *
 * @module
 */
import { EvalStatus, EvalTrigger, type Evaluation, EvaluationSpec, zero } from "../structs/mod.ts";
import { EVAL_BROKER_DEFAULTS } from "./eval_broker_types.ts";

/** Nanoseconds per millisecond. */
const MILLISECOND = 1_000_000;

/** Nomad's defaults for follow-ups: 1 minute plus up to 5 more, at random. */
export const FAILED_FOLLOW_UP_DEFAULTS = {
  baselineDelayMs: 60_000,
  delayRangeMs: 300_000,
} as const;

/** The inputs of {@link failedEvalUpdates}. */
export interface FailedEvalOptions {
  /** Now, in ms since the epoch. */
  readonly nowMs: number;
  /** Makes the follow-up's ID. */
  readonly newId: () => string;
  /** A random source in [0, 1) for the follow-up delay. */
  readonly random: () => number;
  /** Whether the job still exists: a purged job gets no follow-up. */
  readonly jobExists: boolean;
  /** The broker's delivery limit, quoted in the status description (3). */
  readonly deliveryLimit?: number;
  /** The least follow-up delay (1 minute). */
  readonly baselineDelayMs?: number;
  /** The most added to the baseline, at random (5 minutes). */
  readonly delayRangeMs?: number;
}

/** The evaluations to write for a failed delivery. */
export interface FailedEvalUpdates {
  /** A copy of the evaluation, `failed`, pointing at its follow-up through `NextEval`. */
  readonly failed: Evaluation;
  /** The follow-up evaluation, waiting `Wait` before it runs; null when the job is gone. */
  readonly followUp: Evaluation | null;
}

/**
 * The updates for an evaluation taken from the `FAILED_QUEUE`, or null for a core
 * (`_core`) evaluation, which the leader only acks: core jobs are scheduled again periodically.
 *
 * @example
 * ```ts
 * const { eval: e, token } = await broker.dequeue([FAILED_QUEUE], signal);
 * const updates = failedEvalUpdates(e, { nowMs: Date.now(), newId, random, jobExists: true });
 * if (updates) await writeEvals([updates.failed, ...(updates.followUp ? [updates.followUp] : [])]);
 * broker.ack(e.ID, token);
 * ```
 */
export function failedEvalUpdates(
  evaluation: Evaluation,
  options: FailedEvalOptions,
): FailedEvalUpdates | null {
  if (evaluation.Type === "_core") return null;
  const nowNs = options.nowMs * MILLISECOND;
  const limit = options.deliveryLimit ?? EVAL_BROKER_DEFAULTS.deliveryLimit;
  const failed: Evaluation = {
    ...evaluation,
    Status: EvalStatus.Failed,
    StatusDescription: `evaluation reached delivery limit (${limit})`,
    ModifyTime: Math.max(nowNs, evaluation.CreateTime + 1),
  };
  if (!options.jobExists) return { failed, followUp: null };
  const baseline = options.baselineDelayMs ?? FAILED_FOLLOW_UP_DEFAULTS.baselineDelayMs;
  const range = options.delayRangeMs ?? FAILED_FOLLOW_UP_DEFAULTS.delayRangeMs;
  const waitMs = baseline + Math.floor(options.random() * range);
  const followUp: Evaluation = {
    ...zero(EvaluationSpec),
    ID: options.newId(),
    Namespace: evaluation.Namespace,
    Priority: evaluation.Priority,
    Type: evaluation.Type,
    TriggeredBy: EvalTrigger.FailedFollowUp,
    JobID: evaluation.JobID,
    JobModifyIndex: evaluation.JobModifyIndex,
    Status: EvalStatus.Pending,
    Wait: waitMs * MILLISECOND,
    PreviousEval: evaluation.ID,
    CreateTime: nowNs,
    ModifyTime: nowNs,
  };
  failed.NextEval = followUp.ID;
  return { failed, followUp };
}
