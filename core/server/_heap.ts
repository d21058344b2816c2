/**
 * A binary min-heap ordered by a `before(a, b)` function, the one priority queue behind the
 * eval broker, the plan queue and the deadline queue.
 *
 * @module
 */

/**
 * A binary heap: `peek()` is the item no other item comes `before`. Push and pop are
 * O(log n). When `onMove` is given, it is told every item's new position, so a caller can keep
 * the position and later `removeAt` or `fix` that item in O(log n).
 */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;
  readonly #onMove: ((item: T, index: number) => void) | undefined;

  constructor(before: (a: T, b: T) => boolean, onMove?: (item: T, index: number) => void) {
    this.#before = before;
    this.#onMove = onMove;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    this.#items.push(item);
    this.#up(this.#items.length - 1);
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    return this.#items.length === 0 ? undefined : this.removeAt(0);
  }

  /** Removes the item at `index` (as last reported by `onMove`) and returns it. */
  removeAt(index: number): T {
    const items = this.#items;
    const item = items[index];
    if (item === undefined) throw new RangeError(`Cannot remove heap item ${index}: out of range`);
    const last = items.pop() as T;
    if (index < items.length) {
      items[index] = last;
      this.#moved(index);
      this.fix(index);
    }
    return item;
  }

  /** Restores the order after the item at `index` changed its sort key. */
  fix(index: number): void {
    if (!this.#up(index)) this.#down(index);
  }

  /** Every item, in heap (not sorted) order. */
  values(): readonly T[] {
    return this.#items;
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0;
  }

  #moved(index: number): void {
    if (this.#onMove !== undefined) this.#onMove(this.#items[index] as T, index);
  }

  #up(start: number): boolean {
    const items = this.#items;
    const item = items[start] as T;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.#before(item, p)) break;
      items[i] = p;
      this.#moved(i);
      i = parent;
    }
    items[i] = item;
    this.#moved(i);
    return i !== start;
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[start] as T;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#before(items[right] as T, items[left] as T)) child = right;
      const c = items[child] as T;
      if (!this.#before(c, item)) break;
      items[i] = c;
      this.#moved(i);
      i = child;
    }
    items[i] = item;
    this.#moved(i);
  }
}
