/**
 * The eval broker: at-least-once delivery of evaluations to the scheduler workers, run by the
 * leader in memory.
 *
 * @module
 */
import type { Evaluation } from "../structs/mod.ts";
import { Heap } from "./_heap.ts";
import { type Held, NO_STATS, readyBefore, waitUntilMs } from "./_eval_order.ts";
import { JobSlots } from "./_job_slots.ts";
import { Waiters } from "./_waiters.ts";
import { type Clock, DeadlineQueue, systemClock } from "./timers.ts";
import {
  brokerDisabled,
  type BrokerStats,
  type Delivery,
  EVAL_BROKER_DEFAULTS,
  EvalBrokerError,
  type EvalBrokerOptions,
  FAILED_QUEUE,
  type SchedulerStats,
} from "./eval_broker_types.ts";

/**
 * Brokers evaluations to scheduler workers with at-least-once delivery, as Nomad's leader does:
 *
 * - Each scheduler type (`eval.Type`) has its own ready queue; `dequeue` takes the highest
 *   priority evaluation across the types asked for (older `CreateIndex` first within a
 *   priority) and hands it out with a fresh token.
 * - A delivery must be acked within the nack timeout or it is nacked automatically; a nacked
 *   evaluation is redelivered after a growing delay, and after `deliveryLimit` deliveries it
 *   moves to the {@link FAILED_QUEUE} for the leader to mark failed.
 * - Only one evaluation per job is ready or in flight. Others for the job wait as pending;
 *   when the in-flight one is acked, the best pending one (highest priority, then newest
 *   `ModifyIndex`) is enqueued and the rest become {@link EvalBroker.cancelable}.
 * - Evaluations with `Wait` or a future `WaitUntil` wait for their time first.
 * - Disabled (the initial state, and on followers) it drops enqueues, rejects dequeues and
 *   forgets everything it held.
 *
 * Evaluations are never mutated or copied: the broker hands out the objects it was given.
 *
 * @example
 * ```ts
 * const broker = new EvalBroker();
 * broker.setEnabled(true);
 * broker.enqueue([evaluation]);
 * const { eval: e, token } = await broker.dequeue(["service", "batch"], signal);
 * // ... schedule e ...
 * broker.ack(e.ID, token);
 * ```
 */
export class EvalBroker {
  readonly #clock: Clock;
  readonly #o: Required<Omit<EvalBrokerOptions, "clock">>;
  #enabled = false;
  #seq = 0;
  /** Every evaluation the broker holds, by ID: what de-duplicates enqueues. */
  readonly #held = new Map<string, Held>();
  readonly #jobs = new JobSlots();
  #cancelable: Evaluation[] = [];
  readonly #ready = new Map<string, Heap<Held>>();
  #readyCount = 0;
  #unackCount = 0;
  /** Token -> evaluation to enqueue once that delivery is acked. */
  readonly #requeue = new Map<string, Evaluation>();
  readonly #waitTimers: DeadlineQueue<Held>;
  readonly #nackTimers: DeadlineQueue<Held>;
  readonly #byScheduler = new Map<string, SchedulerStats>();
  readonly #waiters = new Waiters<Delivery, readonly string[]>();

  /** @throws {RangeError} when `nackTimeoutMs` or `deliveryLimit` is not > 0. */
  constructor(options: EvalBrokerOptions = {}) {
    const { clock = systemClock, ...rest } = options;
    this.#clock = clock;
    this.#o = {
      ...EVAL_BROKER_DEFAULTS,
      newToken: () => crypto.randomUUID(),
      random: Math.random,
      ...rest,
    };
    checkPositive("nackTimeoutMs", this.#o.nackTimeoutMs);
    checkPositive("deliveryLimit", this.#o.deliveryLimit);
    this.#waitTimers = new DeadlineQueue(clock, (h) => this.#waitDone(h));
    this.#nackTimers = new DeadlineQueue(clock, (h) => this.#nackTimedOut(h));
  }

  /** Whether the broker accepts work (only on the leader). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Enables the broker on gaining leadership; disabling flushes everything it holds. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (!enabled) this.#flush();
  }

  /** Enqueues new evaluations; ones already held are ignored. A no-op while disabled. */
  enqueue(evals: readonly Evaluation[]): void {
    for (const e of evals) this.#process(e, "");
    this.#wake();
  }

  /**
   * Enqueues evaluations with the token of the delivery that created them (or `""`). An
   * evaluation that is itself in flight under that token (a scheduler re-blocking its own
   * evaluation) is enqueued again only once that delivery is acked, and dropped if nacked.
   */
  enqueueAll(entries: Iterable<readonly [Evaluation, string]>): void {
    for (const [e, token] of entries) this.#process(e, token);
    this.#wake();
  }

  /**
   * Waits for the highest-priority ready evaluation of the given scheduler types.
   *
   * @throws {EvalBrokerError} `disabled` when the broker is or becomes disabled.
   * @throws the signal's reason when `signal` aborts first.
   */
  dequeue(schedulers: readonly string[], signal?: AbortSignal): Promise<Delivery> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#enabled) return Promise.reject(brokerDisabled());
    const ready = this.tryDequeue(schedulers);
    return ready === undefined ? this.#waiters.wait(schedulers, signal) : Promise.resolve(ready);
  }

  /**
   * Takes the highest-priority ready evaluation of the given scheduler types without waiting;
   * undefined when there is none.
   *
   * @throws {EvalBrokerError} `disabled` when the broker is disabled.
   */
  tryDequeue(schedulers: readonly string[]): Delivery | undefined {
    if (!this.#enabled) throw brokerDisabled();
    return this.#readyCount === 0 ? undefined : this.#scan(schedulers);
  }

  /**
   * Acknowledges a delivery: the evaluation is done and leaves the broker, and the job's next
   * pending evaluation (if any) becomes ready.
   *
   * @throws {EvalBrokerError} `not-outstanding` or `token-mismatch` for a stale ack.
   */
  ack(evalId: string, token: string): void {
    const requeued = this.#requeue.size === 0 ? undefined : this.#requeue.get(token);
    if (requeued !== undefined) this.#requeue.delete(token);
    const h = this.#outstanding("ack", evalId, token);
    this.#nackTimers.delete(h);
    this.#held.delete(evalId);
    this.#unackCount--;
    h.stats.Unacked--;
    this.#releaseJob(h);
    if (requeued !== undefined) this.#process(requeued, "");
    this.#wake();
  }

  /**
   * Negatively acknowledges a delivery: the evaluation is redelivered after the nack delay, or
   * moves to the {@link FAILED_QUEUE} once delivered `deliveryLimit` times.
   *
   * @throws {EvalBrokerError} `not-outstanding` or `token-mismatch` for a stale nack.
   */
  nack(evalId: string, token: string): void {
    if (this.#requeue.size > 0) this.#requeue.delete(token);
    const h = this.#outstanding("nack", evalId, token);
    this.#nackTimers.delete(h);
    this.#unackCount--;
    h.stats.Unacked--;
    h.token = "";
    if (h.deliveries >= this.#o.deliveryLimit) {
      this.#enqueueReady(h, FAILED_QUEUE);
    } else {
      const delay = this.#nackDelay(h.deliveries);
      if (delay > 0) this.#wait(h, this.#clock.now() + delay, "waiting");
      else this.#enqueueReady(h, h.eval.Type);
    }
    this.#wake();
  }

  /** The token of an evaluation's outstanding delivery, or undefined when not in flight. */
  outstanding(evalId: string): string | undefined {
    const h = this.#held.get(evalId);
    return h?.state === "unacked" ? h.token : undefined;
  }

  /**
   * Restarts a delivery's nack timeout (a worker that is still making progress).
   *
   * @throws {EvalBrokerError} `not-outstanding` or `token-mismatch`.
   */
  outstandingReset(evalId: string, token: string): void {
    const h = this.#outstanding("reset the nack timeout of", evalId, token);
    this.#nackTimers.set(h, this.#clock.now() + this.#o.nackTimeoutMs);
  }

  /** Stops a delivery's nack timeout while its plan waits in the plan queue. */
  pauseNackTimeout(evalId: string, token: string): void {
    this.#nackTimers.delete(this.#outstanding("pause the nack timeout of", evalId, token));
  }

  /** Restarts a paused nack timeout with the full timeout. */
  resumeNackTimeout(evalId: string, token: string): void {
    this.outstandingReset(evalId, token);
  }

  /** Forgets an evaluation still waiting for its `Wait`/`WaitUntil` (it was deleted). */
  dropWaiting(evaluation: Evaluation): void {
    const h = this.#held.get(evaluation.ID);
    if (h === undefined || !this.#waitTimers.delete(h)) return;
    this.#held.delete(evaluation.ID);
    // A nacked evaluation waiting out its delay still holds its job's slot.
    if (this.#jobs.holds(evaluation)) {
      this.#releaseJob(h);
      this.#wake();
    }
  }

  /**
   * Takes up to `batchSize` superseded evaluations: pending evaluations of a job that a newer
   * one made useless. The caller marks them `canceled` ("canceled after more recent eval was
   * processed").
   */
  cancelable(batchSize: number): Evaluation[] {
    return this.#cancelable.splice(0, Math.max(0, batchSize));
  }

  /** A copy of the broker's counters. */
  stats(): BrokerStats {
    const delayed: Record<string, Evaluation> = {};
    for (const [h] of this.#waitTimers.entries()) {
      if (h.state === "delayed") delayed[h.eval.ID] = h.eval;
    }
    const byScheduler: Record<string, SchedulerStats> = {};
    for (const [name, s] of this.#byScheduler) byScheduler[name] = { ...s };
    return {
      TotalReady: this.#readyCount,
      TotalUnacked: this.#unackCount,
      TotalPending: this.#jobs.pendingCount,
      TotalWaiting: this.#waitTimers.size,
      TotalCancelable: this.#cancelable.length,
      DelayedEvals: delayed,
      ByScheduler: byScheduler,
    };
  }

  #process(e: Evaluation, token: string): void {
    if (!this.#enabled) return;
    const known = this.#held.get(e.ID);
    if (known !== undefined) {
      if (token !== "" && known.state === "unacked" && known.token === token) {
        this.#requeue.set(token, e);
      }
      return;
    }
    const h: Held = {
      eval: e,
      priority: e.Priority,
      createIndex: e.CreateIndex,
      modifyIndex: e.ModifyIndex,
      seq: 0,
      state: "ready",
      deliveries: 0,
      token: "",
      queue: "",
      stats: NO_STATS,
    };
    this.#held.set(e.ID, h);
    const now = this.#clock.now();
    if (e.Wait > 0) return this.#wait(h, now + e.Wait / 1e6, "waiting");
    const until = waitUntilMs(e);
    if (until !== undefined && until > now) return this.#wait(h, until, "delayed");
    this.#enqueueReady(h, e.Type);
  }

  #wait(h: Held, at: number, state: "waiting" | "delayed"): void {
    h.state = state;
    this.#waitTimers.set(h, at);
  }

  #waitDone(h: Held): void {
    if (this.#held.get(h.eval.ID) !== h) return;
    this.#enqueueReady(h, h.eval.Type);
    this.#wake();
  }

  #enqueueReady(h: Held, queue: string): void {
    h.seq = this.#seq++;
    if (!this.#jobs.claim(h)) {
      h.state = "pending";
      return;
    }
    h.state = "ready";
    if (h.queue !== queue) {
      h.queue = queue;
      h.stats = this.#stats(queue);
    }
    let ready = this.#ready.get(queue);
    if (ready === undefined) {
      ready = new Heap<Held>(readyBefore);
      this.#ready.set(queue, ready);
    }
    ready.push(h);
    this.#readyCount++;
    h.stats.Ready++;
  }

  /** Frees the job's slot: its best pending evaluation becomes ready, the rest cancelable. */
  #releaseJob(h: Held): void {
    const pending = this.#jobs.release(h);
    if (pending === undefined) return;
    for (let i = 1; i < pending.length; i++) {
      const superseded = pending[i] as Held;
      this.#held.delete(superseded.eval.ID);
      this.#cancelable.push(superseded.eval);
    }
    const next = pending[0] as Held;
    this.#enqueueReady(next, next.eval.Type);
  }

  #scan(schedulers: readonly string[]): Delivery | undefined {
    let best: Heap<Held> | undefined;
    let bestPriority = -Infinity;
    let ties = 0;
    for (const name of schedulers) {
      const queue = this.#ready.get(name);
      const head = queue?.peek();
      if (head === undefined) continue;
      const p = head.priority;
      if (p > bestPriority) {
        best = queue;
        bestPriority = p;
        ties = 1;
      } else if (p === bestPriority) {
        // Choose uniformly among the tied queues, as Nomad does, so no type starves.
        ties++;
        if (Math.floor(this.#o.random() * ties) === 0) best = queue;
      }
    }
    return best === undefined ? undefined : this.#deliver(best.pop() as Held);
  }

  #deliver(h: Held): Delivery {
    const token = this.#o.newToken();
    h.state = "unacked";
    h.token = token;
    h.deliveries++;
    this.#nackTimers.set(h, this.#clock.now() + this.#o.nackTimeoutMs);
    this.#readyCount--;
    this.#unackCount++;
    h.stats.Ready--;
    h.stats.Unacked++;
    return { eval: h.eval, token };
  }

  #wake(): void {
    if (this.#waiters.size === 0 || this.#readyCount === 0) return;
    this.#waiters.serve((types) => this.#readyCount === 0 ? undefined : this.#scan(types));
  }

  #nackTimedOut(h: Held): void {
    if (h.state === "unacked" && this.#held.get(h.eval.ID) === h) this.nack(h.eval.ID, h.token);
  }

  #nackDelay(deliveries: number): number {
    if (deliveries <= 0) return 0;
    if (deliveries === 1) return this.#o.initialNackDelayMs;
    return (deliveries - 1) * this.#o.subsequentNackDelayMs;
  }

  #outstanding(verb: string, evalId: string, token: string): Held {
    const h = this.#held.get(evalId);
    if (h === undefined || h.state !== "unacked") {
      throw EvalBrokerError.notOutstanding(verb, evalId);
    }
    if (h.token !== token) throw EvalBrokerError.tokenMismatch(verb, evalId);
    return h;
  }

  #stats(queue: string): SchedulerStats {
    let s = this.#byScheduler.get(queue);
    if (s === undefined) {
      s = { Ready: 0, Unacked: 0 };
      this.#byScheduler.set(queue, s);
    }
    return s;
  }

  #flush(): void {
    this.#held.clear();
    this.#jobs.clear();
    this.#cancelable = [];
    this.#ready.clear();
    this.#readyCount = 0;
    this.#unackCount = 0;
    this.#requeue.clear();
    this.#waitTimers.clear();
    this.#nackTimers.clear();
    this.#byScheduler.clear();
    this.#waiters.rejectAll(brokerDisabled);
  }
}

function checkPositive(name: string, value: number): void {
  if (value > 0) return;
  throw new RangeError(
    `Cannot create the eval broker as '${name}' must be > 0: current value is ${value}`,
  );
}
