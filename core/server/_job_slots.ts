/**
 * The eval broker's one-evaluation-per-job rule.
 *
 * @module
 */
import type { Evaluation } from "../structs/mod.ts";
import { Heap } from "./_heap.ts";
import { type Held, pendingBefore } from "./_eval_order.ts";

interface Slot {
  readonly holder: Held;
  pending: Heap<Held> | undefined;
}

/**
 * One slot per job: the evaluation holding it may be ready or in flight; other evaluations of
 * the job wait as pending. Releasing the slot hands back the pending ones, best first (highest
 * priority, then newest `ModifyIndex`): the broker enqueues the first, and a newer evaluation
 * of the job makes the rest useless.
 *
 * Slots are keyed by namespace, then job ID, so lookups hash strings the evaluations already
 * carry (a string caches its hash) instead of a new concatenated key each time.
 */
export class JobSlots {
  readonly #slots = new Map<string, Map<string, Slot>>();
  #pendingCount = 0;

  /** How many evaluations wait behind another of their job. */
  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** Whether `e` holds its job's slot. */
  holds(e: Evaluation): boolean {
    return this.#slots.get(e.Namespace)?.get(e.JobID)?.holder.eval.ID === e.ID;
  }

  /** Gives `h` its job's slot if free (true), or parks it as pending (false). */
  claim(h: Held): boolean {
    let jobs = this.#slots.get(h.eval.Namespace);
    if (jobs === undefined) {
      jobs = new Map();
      this.#slots.set(h.eval.Namespace, jobs);
    }
    const slot = jobs.get(h.eval.JobID);
    if (slot === undefined) {
      jobs.set(h.eval.JobID, { holder: h, pending: undefined });
      return true;
    }
    if (slot.holder === h) return true;
    slot.pending ??= new Heap<Held>(pendingBefore);
    slot.pending.push(h);
    this.#pendingCount++;
    return false;
  }

  /** Frees `h`'s job slot; returns the job's pending evaluations, best first, if any. */
  release(h: Held): Held[] | undefined {
    const jobs = this.#slots.get(h.eval.Namespace);
    const slot = jobs?.get(h.eval.JobID);
    if (slot === undefined || slot.holder !== h) return undefined;
    jobs?.delete(h.eval.JobID);
    const pending = slot.pending;
    if (pending === undefined) return undefined;
    this.#pendingCount -= pending.size;
    const best = pending.pop() as Held;
    return [best, ...pending.values()];
  }

  /** Forgets everything. */
  clear(): void {
    this.#slots.clear();
    this.#pendingCount = 0;
  }
}
