/**
 * The plan queue: plans submitted by scheduler workers wait here for the leader's plan
 * applier, highest priority first.
 *
 * @module
 */
import type { Plan, PlanResult } from "../scheduler/types.ts";
import { Heap } from "./_heap.ts";
import { Waiters } from "./_waiters.ts";
import { type Clock, systemClock } from "./timers.ts";

/** Why a {@link PlanQueueError} was thrown. */
export type PlanQueueErrorCode = "disabled" | "flushed";

/** A plan the queue refused or dropped: it is disabled, or was flushed on losing leadership. */
export class PlanQueueError extends Error {
  override readonly name = "PlanQueueError";
  /** What went wrong, for callers that map errors without parsing messages. */
  readonly code: PlanQueueErrorCode;

  constructor(code: PlanQueueErrorCode) {
    super(
      code === "disabled"
        ? "plan queue is disabled: plans are applied only on the leader (enable it with setEnabled(true))"
        : "plan queue flushed: leadership was lost before the plan was applied; resubmit to the new leader",
    );
    this.code = code;
  }
}

/** A plan taken off the queue; the applier settles it exactly once. */
export interface PendingPlan {
  /** The submitted plan. */
  readonly plan: Plan;
  /** When it was enqueued, ms since the epoch. */
  readonly enqueuedAt: number;
  /** Resolves the submitter's promise with what was applied. */
  respond(result: PlanResult): void;
  /** Rejects the submitter's promise. */
  fail(error: Error): void;
}

/** The plan queue's counters (`nomad.plan.queue_depth`). */
export interface PlanQueueStats {
  /** Plans waiting for the applier. */
  Depth: number;
}

interface Entry extends PendingPlan {
  readonly seq: number;
}

/**
 * Orders submitted plans for the applier: higher `Priority` first, then first come first
 * served. `enqueue` returns a promise the applier settles through the {@link PendingPlan} it
 * dequeues. Disabled (the initial state, and on followers) it refuses plans; disabling rejects
 * every queued plan and every waiting `dequeue`.
 *
 * @example
 * ```ts
 * const queue = new PlanQueue();
 * queue.setEnabled(true);
 * const result = queue.enqueue(plan);          // worker side
 * const pending = await queue.dequeue(signal); // applier side
 * pending.respond(apply(pending.plan));
 * await result;
 * ```
 */
export class PlanQueue {
  readonly #clock: Pick<Clock, "now">;
  readonly #ready = new Heap<Entry>((a, b) =>
    a.plan.Priority > b.plan.Priority || (a.plan.Priority === b.plan.Priority && a.seq < b.seq)
  );
  #enabled = false;
  #seq = 0;
  readonly #waiters = new Waiters<PendingPlan>();

  /** The clock stamps `enqueuedAt`; the real clock by default. */
  constructor(options: { readonly clock?: Pick<Clock, "now"> } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether the queue accepts plans (only on the leader). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Enables the queue on gaining leadership; disabling rejects everything queued. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (enabled) return;
    const queued = this.#ready.values().slice();
    this.#ready.clear();
    for (const p of queued) p.fail(new PlanQueueError("flushed"));
    this.#waiters.rejectAll(() => new PlanQueueError("disabled"));
  }

  /**
   * Submits a plan; the promise settles when the applier has applied (or rejected) it.
   *
   * @throws {PlanQueueError} (as a rejection) `disabled`, or `flushed` when leadership is lost
   * before the plan is dequeued.
   */
  enqueue(plan: Plan): Promise<PlanResult> {
    if (!this.#enabled) return Promise.reject(new PlanQueueError("disabled"));
    return new Promise<PlanResult>((resolve, reject) => {
      let settled = false;
      const entry: Entry = {
        plan,
        enqueuedAt: this.#clock.now(),
        seq: this.#seq++,
        respond: (result) => {
          if (!settled) resolve(result);
          settled = true;
        },
        fail: (error) => {
          if (!settled) reject(error);
          settled = true;
        },
      };
      if (!this.#waiters.serveFirst(entry)) this.#ready.push(entry);
    });
  }

  /**
   * Waits for the next plan.
   *
   * @throws {PlanQueueError} `disabled` when the queue is or becomes disabled.
   * @throws the signal's reason when `signal` aborts first.
   */
  dequeue(signal?: AbortSignal): Promise<PendingPlan> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#enabled) return Promise.reject(new PlanQueueError("disabled"));
    const next = this.#ready.pop();
    return next === undefined ? this.#waiters.wait(undefined, signal) : Promise.resolve(next);
  }

  /** The next plan without waiting, or undefined when none is queued. */
  tryDequeue(): PendingPlan | undefined {
    if (!this.#enabled) throw new PlanQueueError("disabled");
    return this.#ready.pop();
  }

  /** A copy of the queue's counters. */
  stats(): PlanQueueStats {
    return { Depth: this.#ready.size };
  }
}
