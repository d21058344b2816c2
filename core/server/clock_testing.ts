/**
 * A fake {@link Clock} for tests and benchmarks: time moves only when `advance` is called, and
 * timers fire in deadline order (ties in the order they were set), synchronously.
 *
 * @module
 */
import { Heap } from "./_heap.ts";
import type { Clock, TimerHandle } from "./timers.ts";

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock whose time stands still until {@link FakeClock.advance}.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(0);
 * let fired = false;
 * clock.setTimer(1_000, () => fired = true);
 * clock.advance(999); // fired === false
 * clock.advance(1);   // fired === true
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #live = new Set<number>();
  readonly #timers = new Heap<FakeTimer>((a, b) => a.at < b.at || (a.at === b.at && a.id < b.id));
  /** How many timers were ever set: lets tests check that a loop uses one timer, not one each. */
  timersSet = 0;

  /** Starts the clock at `start` milliseconds since the epoch (default 2024-01-01). */
  constructor(start = Date.UTC(2024, 0, 1)) {
    this.#now = start;
  }

  /** Now, in milliseconds since the epoch. */
  now(): number {
    return this.#now;
  }

  /** Calls `fn` when the clock has advanced `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#live.add(id);
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    this.timersSet++;
    return id;
  }

  /** Cancels a timer. */
  clearTimer(handle: TimerHandle): void {
    this.#live.delete(handle as number);
  }

  /** How many timers are set and have not fired. */
  get pending(): number {
    return this.#live.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (timers set while
   * firing included), each with the clock at its own deadline.
   */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`Cannot advance the clock by ${ms} ms: must be >= 0`);
    const target = this.#now + ms;
    for (;;) {
      const top = this.#timers.peek();
      if (top === undefined || top.at > target) break;
      this.#timers.pop();
      if (!this.#live.delete(top.id)) continue;
      this.#now = Math.max(this.#now, top.at);
      top.fn();
    }
    this.#now = target;
  }
}
