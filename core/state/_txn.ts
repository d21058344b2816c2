/**
 * A write transaction over the tables: every write is made in place and remembered with the
 * row it replaced, so a failed apply rolls back exactly, and a committed one yields the list of
 * changed rows (one per row, first-before and last-after, like go-memdb's `Changes`).
 *
 * @module
 */
import type { Db, Table, TableName } from "./_tables.ts";
import { deepFreeze } from "./_util.ts";

/** A row changed by one entry: `after` is undefined when the row was deleted. */
export interface Change {
  readonly table: TableName;
  readonly key: string;
  readonly before: unknown;
  readonly after: unknown;
}

interface Touch {
  table: Table<unknown>;
  key: string;
  before: unknown;
}

/** One entry's write transaction at a given index. */
export class Txn {
  readonly db: Db;
  readonly index: number;
  readonly #touched = new Map<string, Touch>();
  readonly #bumped = new Set<TableName>();
  /** Rows created by this transaction, which it may still change before commit. */
  readonly #owned = new WeakSet<object>();

  constructor(db: Db, index: number) {
    this.db = db;
    this.index = index;
  }

  #remember(table: Table<unknown>, key: string): void {
    const id = `${table.name}\u0001${key}`;
    if (!this.#touched.has(id)) this.#touched.set(id, { table, key, before: table.get(key) });
    this.#bumped.add(table.name);
  }

  /** Inserts or replaces a row; `row` becomes owned by the transaction until commit. */
  put<V>(table: Table<V>, key: string, row: V): V {
    this.#remember(table as Table<unknown>, key);
    table.put(key, row);
    if (typeof row === "object" && row !== null) this.#owned.add(row);
    return row;
  }

  /** Deletes a row if present; returns it. */
  delete<V>(table: Table<V>, key: string): V | undefined {
    if (table.get(key) === undefined) return undefined;
    this.#remember(table as Table<unknown>, key);
    return table.delete(key);
  }

  /** Marks a table changed without changing a row (Nomad bumps some indexes unconditionally). */
  bump(name: TableName): void {
    this.#bumped.add(name);
  }

  /** The tables this transaction changed (or bumped). */
  get changedTables(): ReadonlySet<TableName> {
    return this.#bumped;
  }

  /** Whether the row was created by this transaction (and may still be changed in place). */
  owns(row: object): boolean {
    return this.#owned.has(row);
  }

  /**
   * A row this transaction may change: the stored row itself when the transaction made it,
   * else a copy made by `copy` and stored in its place.
   */
  mutable<V extends object>(table: Table<V>, key: string, copy: (row: V) => V): V | undefined {
    const row = table.get(key);
    if (row === undefined) return undefined;
    if (this.#owned.has(row)) return row;
    return this.put(table, key, copy(row));
  }

  /** Undoes every write. */
  rollback(): void {
    for (const t of [...this.#touched.values()].reverse()) {
      if (t.before === undefined) t.table.delete(t.key);
      else t.table.put(t.key, t.before);
    }
    this.#touched.clear();
    this.#bumped.clear();
  }

  /**
   * Sets the table indexes and returns the changed rows in first-touch order; with `freeze`
   * the new rows are deep-frozen.
   */
  commit(freeze: boolean): Change[] {
    const changes: Change[] = [];
    for (const t of this.#touched.values()) {
      const after = t.table.get(t.key);
      if (freeze) deepFreeze(after);
      changes.push({ table: t.table.name, key: t.key, before: t.before, after });
    }
    for (const name of this.#bumped) this.db.tableIndex.set(name, this.index);
    this.db.index = this.index;
    return changes;
  }
}
