/**
 * Time for the leader's loops: the {@link Clock} every loop takes as a dependency (so tests run
 * on a fake clock, instantly and deterministically), the real clock, and the
 * {@link DeadlineQueue} that runs any number of keyed deadlines on a single timer.
 *
 * @module
 */
import { Heap } from "./_heap.ts";

/** What a clock's `setTimer` returns; only meaningful to the same clock's `clearTimer`. */
export type TimerHandle = unknown;

/** The clock and timers a loop runs on. Times are milliseconds since the Unix epoch. */
export interface Clock {
  /** Now, in milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Cancels a timer that has not fired yet; a no-op for one that has. */
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as number),
};

/** `setTimeout` fires at once for delays above a signed 32-bit integer; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry<K> {
  key: K;
  deadline: number;
  seq: number;
  index: number;
}

/**
 * Keyed deadlines on one timer: `set(key, deadline)` (re)schedules a key, `delete(key)`
 * cancels it, and `onDue(key)` is called once per key whose deadline has passed, earliest
 * first (ties in the order they were set). Setting, moving and cancelling a deadline are
 * O(log n) with no timer call unless the earliest deadline moves earlier: when it moves later,
 * the armed timer fires early, finds nothing due and re-arms. This is what lets 5,000 node
 * heartbeats or 100,000 nack timers cost one `setTimeout`.
 *
 * A key is removed before its `onDue` runs, so `onDue` may set it again. If `onDue` throws,
 * the error propagates out of the timer callback and the remaining due keys fire on the next
 * (immediate) timer.
 *
 * @example
 * ```ts
 * const q = new DeadlineQueue<string>(systemClock, (id) => console.log(`${id} expired`));
 * q.set("node-1", Date.now() + 10_000);
 * q.set("node-1", Date.now() + 20_000); // moved: still one timer
 * q.delete("node-1");
 * ```
 */
export class DeadlineQueue<K> {
  readonly #clock: Clock;
  readonly #onDue: (key: K) => void;
  readonly #entries = new Map<K, Entry<K>>();
  readonly #heap = new Heap<Entry<K>>(
    (a, b) => a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq),
    (e, i) => {
      e.index = i;
    },
  );
  #seq = 0;
  #handle: TimerHandle | undefined;
  #armedFor = Infinity;
  #firing = false;

  constructor(clock: Clock, onDue: (key: K) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  /** How many keys have a deadline. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether the key has a deadline. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The key's deadline (ms since the epoch), or undefined when it has none. */
  deadline(key: K): number | undefined {
    return this.#entries.get(key)?.deadline;
  }

  /** The earliest deadline, or undefined when there is none. */
  next(): number | undefined {
    return this.#heap.peek()?.deadline;
  }

  /** Gives the key a deadline (ms since the epoch), replacing the one it had. */
  set(key: K, deadline: number): void {
    const seq = this.#seq++;
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      const created: Entry<K> = { key, deadline, seq, index: -1 };
      this.#entries.set(key, created);
      this.#heap.push(created);
    } else {
      entry.deadline = deadline;
      entry.seq = seq;
      this.#heap.fix(entry.index);
    }
    this.#arm();
  }

  /** Cancels the key's deadline; returns whether it had one. */
  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#heap.removeAt(entry.index);
    this.#arm();
    return true;
  }

  /** Cancels every deadline and the timer (which `delete` leaves armed). */
  clear(): void {
    this.#entries.clear();
    this.#heap.clear();
    this.#disarm();
  }

  /** Every key with its deadline, in no particular order. */
  *entries(): IterableIterator<[K, number]> {
    for (const e of this.#entries.values()) yield [e.key, e.deadline];
  }

  #disarm(): void {
    if (this.#handle !== undefined) this.#clock.clearTimer(this.#handle);
    this.#handle = undefined;
    this.#armedFor = Infinity;
  }

  #arm(): void {
    const top = this.#heap.peek();
    // An armed timer is kept when the queue empties: a queue that empties and refills often
    // (a nack timer per delivery) would otherwise pay a clear and a set per item.
    if (this.#firing || top === undefined) return;
    if (this.#handle !== undefined && this.#armedFor <= top.deadline) return;
    this.#disarm();
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, top.deadline - this.#clock.now()));
    this.#armedFor = top.deadline;
    this.#handle = this.#clock.setTimer(delay, () => this.#fire());
  }

  #fire(): void {
    this.#handle = undefined;
    this.#armedFor = Infinity;
    this.#firing = true;
    try {
      const now = this.#clock.now();
      for (;;) {
        const top = this.#heap.peek();
        if (top === undefined || top.deadline > now) break;
        this.#heap.pop();
        this.#entries.delete(top.key);
        this.#onDue(top.key);
      }
    } finally {
      this.#firing = false;
      this.#arm();
    }
  }
}
