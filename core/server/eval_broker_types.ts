/**
 * The eval broker's options, deliveries, statistics and errors.
 *
 * @module
 */
import type { Evaluation } from "../structs/mod.ts";
import type { Clock } from "./timers.ts";

/**
 * The queue evaluations go to once they reach the delivery limit. The leader dequeues it like a
 * scheduler type (`broker.dequeue([FAILED_QUEUE])`), marks each evaluation failed, creates its
 * follow-up (see `failedEvalUpdates`) and acks it.
 */
export const FAILED_QUEUE = "_failed";

/** Nomad's defaults for the broker (`eval_nack_timeout`, `eval_delivery_limit`, ...). */
export const EVAL_BROKER_DEFAULTS = {
  nackTimeoutMs: 60_000,
  deliveryLimit: 3,
  initialNackDelayMs: 1_000,
  subsequentNackDelayMs: 20_000,
} as const;

/** How an {@link EvalBroker} is set up; every field has Nomad's default. */
export interface EvalBrokerOptions {
  /** Timers and now; the real clock by default. */
  readonly clock?: Clock;
  /** How long a dequeued evaluation may stay unacked before it is nacked (60 s). */
  readonly nackTimeoutMs?: number;
  /** Deliveries before an evaluation moves to the {@link FAILED_QUEUE} (3). */
  readonly deliveryLimit?: number;
  /** Delay before redelivering an evaluation nacked once (1 s). */
  readonly initialNackDelayMs?: number;
  /** Delay per further nack before redelivering (20 s, 40 s, ...). */
  readonly subsequentNackDelayMs?: number;
  /** Makes a delivery token; `crypto.randomUUID` by default. */
  readonly newToken?: () => string;
  /** Picks between scheduler types whose next evaluations tie on priority; `Math.random`. */
  readonly random?: () => number;
}

/** An evaluation handed to a worker, with the token that acks or nacks it. */
export interface Delivery {
  /** The evaluation; the broker's own object, not to be mutated. */
  readonly eval: Evaluation;
  /** Changes on every delivery: an ack with an old token fails. */
  readonly token: string;
}

/** Ready and unacked counts of one scheduler type (or the failed queue). */
export interface SchedulerStats {
  Ready: number;
  Unacked: number;
}

/** The broker's counters, as Nomad reports them (`nomad.broker.*` metrics). */
export interface BrokerStats {
  /** Evaluations waiting for a worker. */
  TotalReady: number;
  /** Evaluations delivered and not yet acked or nacked. */
  TotalUnacked: number;
  /** Evaluations waiting behind another evaluation of the same job. */
  TotalPending: number;
  /** Evaluations waiting for their `Wait` or `WaitUntil` (or a nack delay). */
  TotalWaiting: number;
  /** Superseded pending evaluations not yet taken by `cancelable()`. */
  TotalCancelable: number;
  /** The evaluations waiting for their `WaitUntil`, by ID. */
  DelayedEvals: Record<string, Evaluation>;
  /** Ready and unacked counts by scheduler type. */
  ByScheduler: Record<string, SchedulerStats>;
}

/** Why an {@link EvalBrokerError} was thrown. */
export type EvalBrokerErrorCode = "disabled" | "not-outstanding" | "token-mismatch";

/** A broker call that cannot be done: the broker is disabled, or the ack/nack is stale. */
export class EvalBrokerError extends Error {
  override readonly name = "EvalBrokerError";
  /** What went wrong, for callers that map errors without parsing messages. */
  readonly code: EvalBrokerErrorCode;
  /** The evaluation concerned, when there is one. */
  readonly evalId: string | undefined;

  constructor(code: EvalBrokerErrorCode, message: string, evalId?: string) {
    super(message);
    this.code = code;
    this.evalId = evalId;
  }

  /** An ack, nack or reset of an evaluation that is not in flight. */
  static notOutstanding(verb: string, evalId: string): EvalBrokerError {
    return new EvalBrokerError(
      "not-outstanding",
      `Cannot ${verb} evaluation "${evalId}": it is not outstanding (not delivered, already acked, or its nack timeout passed)`,
      evalId,
    );
  }

  /** An ack, nack or reset with the token of an earlier delivery. */
  static tokenMismatch(verb: string, evalId: string): EvalBrokerError {
    return new EvalBrokerError(
      "token-mismatch",
      `Cannot ${verb} evaluation "${evalId}": the token does not match its current delivery`,
      evalId,
    );
  }
}

/** The error of a call to a disabled broker. */
export function brokerDisabled(): EvalBrokerError {
  return new EvalBrokerError(
    "disabled",
    "eval broker disabled: evaluations are brokered only on the leader (enable it with setEnabled(true))",
  );
}
