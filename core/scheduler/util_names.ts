/**
 * Choosing allocation names (Nomad's reconciler `AllocNameIndex`): which indexes a group's
 * allocations hold, the lowest free ones for new placements, the highest ones to stop, and the
 * duplicates to rename.
 *
 * @module
 */
import type { Allocation } from "../structs/mod.ts";
import { allocIndex, allocName } from "./util.ts";

/** The size of the index bitmap Nomad would allocate: byte-aligned, above the highest index. */
function bitmapSize(allocs: Iterable<Allocation>, count: number, n: number): number {
  let max = 0;
  for (const a of allocs) max = Math.max(max, allocIndex(a));
  const min = Math.max(count, n);
  if (max < min) max = min;
  else if (max % 8 === 0) max++;
  if (max === 0) max = 8;
  if (max % 8 !== 0) max += 8 - (max % 8);
  return max;
}

/**
 * Tracks the name indexes used by a task group's allocations, for picking names of placements
 * (lowest free first) and of stops (highest first).
 *
 * @example
 * ```ts
 * const names = new AllocNameIndex("web", "frontend", 3, existing); // existing uses [0] and [2]
 * names.next(1); // ["web.frontend[1]"]
 * ```
 */
export class AllocNameIndex {
  readonly #job: string;
  readonly #group: string;
  readonly #count: number;
  #bits: Uint8Array;
  /** Extra holders of an index beyond the first, by index. */
  readonly #duplicates = new Map<number, number>();

  constructor(jobId: string, group: string, count: number, existing: Iterable<Allocation>) {
    this.#job = jobId;
    this.#group = group;
    this.#count = count;
    const list = [...existing];
    this.#bits = new Uint8Array(bitmapSize(list, count, list.length));
    for (const a of list) {
      const i = allocIndex(a);
      if (this.#bits[i]) this.#duplicates.set(i, (this.#duplicates.get(i) ?? 0) + 1);
      else this.#set(i);
    }
  }

  #set(i: number): void {
    if (i >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(i + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    this.#bits[i] = 1;
  }

  #name(i: number): string {
    return allocName(this.#job, this.#group, i);
  }

  /** Whether the index is in use (by at least one allocation). */
  isSet(index: number): boolean {
    return this.#bits[index] === 1;
  }

  /** Removes and returns the names of the `n` highest indexes in use. */
  highest(n: number): Set<string> {
    const out = new Set<string>();
    for (let i = this.#bits.length - 1; i >= 0 && out.size < n; i--) {
      if (this.#bits[i]) {
        this.#bits[i] = 0;
        out.add(this.#name(i));
      }
    }
    return out;
  }

  /** Whether more than one allocation holds the index. */
  isDuplicate(index: number): boolean {
    return (this.#duplicates.get(index) ?? 0) > 0;
  }

  /** Releases one holder of the index. */
  unsetIndex(index: number): void {
    const dup = this.#duplicates.get(index);
    if (dup !== undefined) {
      if (dup <= 1) this.#duplicates.delete(index);
      else this.#duplicates.set(index, dup - 1);
    } else if (index < this.#bits.length) {
      this.#bits[index] = 0;
    }
  }

  /**
   * The next `n` names for new placements: the free indexes below the count, lowest first, then
   * (when those run out) indexes from 0 again.
   */
  next(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.#count && out.length < n; i++) {
      if (!this.#bits[i]) {
        this.#set(i);
        out.push(this.#name(i));
      }
    }
    for (let i = 0; out.length < n; i++) {
      this.#set(i);
      out.push(this.#name(i));
    }
    return out;
  }

  /**
   * The next `n` canary names: first the indexes of allocations being destructively updated,
   * then free indexes, skipping names existing canaries hold; past that, indexes from the count
   * up so canaries overlap no running allocation.
   */
  nextCanaries(
    n: number,
    existing: Iterable<Allocation>,
    destructive: Iterable<Allocation>,
  ): string[] {
    const out: string[] = [];
    if (n <= 0) return out;
    const taken = new Set<string>();
    for (const a of existing) taken.add(a.Name);
    const updating = new Set<number>();
    for (const a of destructive) updating.add(allocIndex(a));
    const pick = (i: number): boolean => {
      const name = this.#name(i);
      if (taken.has(name)) return false;
      out.push(name);
      taken.add(name);
      this.#set(i);
      return out.length === n;
    };
    for (let i = 0; i < this.#count; i++) if (updating.has(i) && pick(i)) return out;
    for (let i = 0; i < this.#count; i++) if (!this.#bits[i] && pick(i)) return out;
    const remainder = n - out.length;
    for (let i = this.#count; i < this.#count + remainder; i++) out.push(this.#name(i));
    return out;
  }
}
