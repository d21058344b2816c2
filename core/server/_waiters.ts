/**
 * Callers parked in a blocking `dequeue`, served first come first served.
 *
 * @module
 */

interface Waiter<T, K> {
  readonly key: K;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
  readonly done: () => void;
}

/** Parked callers, each with a key (what it waits for) and an optional abort signal. */
export class Waiters<T, K = undefined> {
  #list: Waiter<T, K>[] = [];

  /** How many callers wait. */
  get size(): number {
    return this.#list.length;
  }

  /** Parks a caller until it is served, rejected, or `signal` aborts (rejecting its reason). */
  wait(key: K, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#list = this.#list.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter<T, K> = {
        key,
        resolve,
        reject,
        done: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#list.push(waiter);
    });
  }

  /** Offers work to each caller in turn: `take(key)` returns its value, or undefined for none. */
  serve(take: (key: K) => T | undefined): void {
    const kept: Waiter<T, K>[] = [];
    for (const w of this.#list) {
      const value = take(w.key);
      if (value === undefined) {
        kept.push(w);
      } else {
        w.done();
        w.resolve(value);
      }
    }
    this.#list = kept;
  }

  /** Gives `value` to the oldest caller; false when none waits. */
  serveFirst(value: T): boolean {
    const w = this.#list.shift();
    if (w === undefined) return false;
    w.done();
    w.resolve(value);
    return true;
  }

  /** Rejects every caller with a fresh error from `error()`. */
  rejectAll(error: () => unknown): void {
    const list = this.#list;
    this.#list = [];
    for (const w of list) {
      w.done();
      w.reject(error());
    }
  }
}
