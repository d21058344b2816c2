/**
 * Blocking-query waiters: callers waiting for any of some tables to pass an index.
 *
 * @module
 */
import type { Db, TableName } from "./_tables.ts";

interface Waiter {
  readonly tables: readonly TableName[];
  readonly minIndex: number;
  readonly resolve: (index: number) => void;
  readonly reject: (err: unknown) => void;
  readonly cleanup: () => void;
}

/** The highest last-change index among `tables`. */
export function maxIndex(db: Db, tables: readonly TableName[]): number {
  let max = 0;
  for (const t of tables) max = Math.max(max, db.indexOf(t));
  return max;
}

/** Waiters grouped by table, woken after changes. */
export class Watchers {
  readonly #db: Db;
  readonly #byTable = new Map<TableName, Set<Waiter>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** Resolves with the tables' index once it passes `minIndex`; rejects on abort. */
  wait(tables: readonly TableName[], minIndex: number, signal?: AbortSignal): Promise<number> {
    const now = maxIndex(this.#db, tables);
    if (now > minIndex) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        waiter.cleanup();
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        tables,
        minIndex,
        resolve,
        reject,
        cleanup: () => {
          signal?.removeEventListener("abort", onAbort);
          for (const t of tables) this.#byTable.get(t)?.delete(waiter);
        },
      };
      for (const t of tables) {
        let set = this.#byTable.get(t);
        if (!set) this.#byTable.set(t, set = new Set());
        set.add(waiter);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes the waiters of `changed` tables whose index passed their minimum. */
  notify(changed: Iterable<TableName>): void {
    for (const t of changed) {
      const set = this.#byTable.get(t);
      if (!set) continue;
      for (const w of [...set]) {
        const index = maxIndex(this.#db, w.tables);
        if (index > w.minIndex) {
          w.cleanup();
          w.resolve(index);
        }
      }
    }
  }

  /** Rejects every waiter (the store closed). */
  rejectAll(err: Error): void {
    const all = new Set<Waiter>();
    for (const set of this.#byTable.values()) for (const w of set) all.add(w);
    for (const w of all) {
      w.cleanup();
      w.reject(err);
    }
  }
}
