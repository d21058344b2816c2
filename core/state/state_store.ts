/**
 * The state store: Nomad's state machine made durable. Every change is an {@link Entry};
 * `apply(entry)` writes it to the log, applies it to the in-memory tables in log order and
 * resolves once it is durable. Readers take a {@link StateSnapshot}, wait for tables to change
 * (`waitForIndex`) or stream the changes (`events`).
 *
 * Group commit: entries applied while a write is in flight (or in the same tick) share one log
 * write. The log is compacted into a snapshot automatically, so a restart replays a bounded
 * tail whatever the history.
 *
 * @module
 */
import type { Applied, Entry } from "./entries.ts";
import {
  type FollowItem,
  isSnapshotItem,
  type LogBackend,
  type LogRecord,
  MemoryLogBackend,
  type StoredSnapshot,
} from "./log_backend.ts";
import { LogFencedError } from "./kv_log_backend.ts";
import { Db, TABLE_NAMES, type TableName } from "./_tables.ts";
import { Txn } from "./_txn.ts";
import { applyEntry, EVENT_TYPES } from "./_apply.ts";
import type { ApplyConfig } from "./_jobs.ts";
import { DEFAULT_JOB_TRACKED_VERSIONS } from "./_status.ts";
import { capture, decodeEntry, encodeEntry, readSnapshot, writeSnapshot } from "./_codec.ts";
import { type EventBatch, EventBroker, type EventsRequest } from "./events.ts";
import { StateSnapshot } from "./snapshot.ts";
import { Watchers } from "./_watch.ts";

/** Options of {@link StateStore.open}. */
export interface StateStoreOptions {
  /** Where the log lives. Default: a new {@link MemoryLogBackend} (nothing survives). */
  readonly backend?: LogBackend;
  /** Job versions kept per job (Nomad's `job_tracked_versions`). Default 6. */
  readonly jobTrackedVersions?: number;
  /** Entries kept for event stream subscribers (Nomad's `event_buffer_size`). Default 100. */
  readonly eventBufferSize?: number;
  /** Snapshot after this many log entries. Default 8192. */
  readonly compactEntries?: number;
  /**
   * Snapshot after this many log bytes, or after as many bytes as the last snapshot had if
   * that is more (so compaction costs at most as much as the log it replaces). Default 64 MiB.
   */
  readonly compactBytes?: number;
  /** Deep-freeze stored rows, so that a reader changing one throws (tests, `-dev`). */
  readonly freeze?: boolean;
  /** Receives background failures (compaction); default `console.error`. */
  readonly onError?: (err: unknown) => void;
}

/** Counters of the store's log. */
export interface StoreStats {
  /** The index of the last applied entry. */
  readonly index: number;
  /** The index of the newest snapshot (0: none). */
  readonly snapshotIndex: number;
  /** Entries in the log after the snapshot. */
  readonly logEntries: number;
  readonly logBytes: number;
  readonly lastSnapshotBytes: number;
  /** Entries replayed when the store was opened. */
  readonly replayed: number;
  readonly compactions: number;
}

interface Pending {
  readonly entry: Entry;
  readonly data: Uint8Array;
  readonly resolve: (a: Applied) => void;
  readonly reject: (err: unknown) => void;
}

/** The state machine with its durable log. */
export class StateStore {
  readonly #db = new Db();
  readonly #backend: LogBackend;
  readonly #cfg: ApplyConfig;
  readonly #freeze: boolean;
  readonly #compactEntries: number;
  readonly #compactBytes: number;
  readonly #onError: (err: unknown) => void;
  readonly #broker: EventBroker;
  readonly #watchers: Watchers;
  #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  #nextIndex = 1;
  #failure: Error | null = null;
  /** Aborted (with the failure) when a write of the log fails; renewed by `follow()`. */
  #failed = new AbortController();
  #closed = false;
  #compaction: Promise<void> | null = null;
  #snapshotIndex = 0;
  #logEntries = 0;
  #logBytes = 0;
  #lastSnapshotBytes = 0;
  #replayed = 0;
  #compactions = 0;
  #following = false;

  private constructor(opts: StateStoreOptions) {
    this.#backend = opts.backend ?? new MemoryLogBackend();
    const versions = opts.jobTrackedVersions ?? DEFAULT_JOB_TRACKED_VERSIONS;
    if (!Number.isInteger(versions) || versions < 1) {
      throw new RangeError(
        `Cannot open the state store: jobTrackedVersions must be a positive integer, got ${versions}`,
      );
    }
    this.#cfg = { jobTrackedVersions: versions };
    this.#freeze = opts.freeze ?? false;
    this.#compactEntries = opts.compactEntries ?? 8192;
    this.#compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
    this.#onError = opts.onError ?? ((err) => console.error("state compaction failed:", err));
    this.#broker = new EventBroker(opts.eventBufferSize ?? 100);
    this.#watchers = new Watchers(this.#db);
  }

  /**
   * Opens a store: loads the backend's snapshot and replays the log after it.
   *
   * @example
   * ```ts
   * const store = await StateStore.open({ backend: await KvLogBackend.open(path) });
   * const { index } = await store.apply({ type: "NodeRegister", node });
   * store.snapshot().node(node.ID); // the stored node, ModifyIndex === index
   * ```
   */
  static async open(opts: StateStoreOptions = {}): Promise<StateStore> {
    const store = new StateStore(opts);
    await store.#recover();
    return store;
  }

  async #recover(): Promise<void> {
    const loaded = await this.#backend.load();
    if (loaded.snapshot) {
      const counted = async function* (chunks: AsyncIterable<Uint8Array>, store: StateStore) {
        for await (const chunk of chunks) {
          store.#lastSnapshotBytes += chunk.length;
          yield chunk;
        }
      };
      this.#snapshotIndex = await readSnapshot(counted(loaded.snapshot.chunks, this), this.#db);
      if (this.#snapshotIndex !== loaded.snapshot.index) {
        throw new Error(
          `Cannot open the state store: the snapshot says index ${this.#snapshotIndex}, the log ${loaded.snapshot.index}`,
        );
      }
    }
    for await (const rec of loaded.entries) {
      if (rec.index !== this.#db.index + 1) {
        throw new Error(
          `Cannot open the state store: log entry ${rec.index} follows index ${this.#db.index}`,
        );
      }
      try {
        this.#applyOne(rec.index, decodeEntry(rec.data), false);
      } catch {
        // The entry failed when it was first applied too: it changed nothing then either.
      }
      this.#logEntries++;
      this.#logBytes += rec.data.length;
      this.#replayed++;
    }
    this.#nextIndex = this.#db.index + 1;
  }

  /** The index of the last applied entry. */
  get index(): number {
    return this.#db.index;
  }

  /** The last index of a table (the `X-Nomad-Index` of reads over it). */
  tableIndex(name: TableName): number {
    return this.#db.indexOf(name);
  }

  /**
   * Aborts when a write of the log fails (every later apply fails too); a store that follows
   * the log again gets a new signal. A leader on a shared log steps down on it.
   */
  get writeFailed(): AbortSignal {
    return this.#failed.signal;
  }

  /**
   * Logs an entry and applies it; resolves once it is durable and applied, with its index.
   * Rejects when the entry's effect fails (nothing of it is applied, except where Nomad keeps
   * part: a deregistration of a missing job still stores its evaluation) or when the log
   * cannot be written (then every later apply fails too, until the store follows the log again
   * or is reopened: see `LogBackend.recovery`).
   *
   * The entry and the objects in it belong to the store from now on: do not change them.
   */
  apply(entry: Entry): Promise<Applied> {
    if (this.#closed) {
      return Promise.reject(new Error(`Cannot apply ${entry.type}: the state store is closed`));
    }
    if (this.#following) {
      return Promise.reject(
        new LogFencedError(
          `Cannot apply ${entry.type}: this server follows the state log; only the leader writes it`,
        ),
      );
    }
    if (this.#failure) return Promise.reject(this.#failedError(entry));
    let data: Uint8Array;
    try {
      data = encodeEntry(entry);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry, data, resolve, reject });
      this.#flushing ??= new Promise<void>((r) => queueMicrotask(r)).then(() => this.#flush());
    });
  }

  #failedError(entry: Entry): Error {
    return new Error(
      `Cannot apply ${entry.type}: the state log failed to write (${this.#failure?.message}); ${
        this.#backend.recovery ?? "restart the agent to recover from its data directory"
      }`,
      { cause: this.#failure },
    );
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#failure) {
        const batch = this.#queue;
        this.#queue = [];
        const first = this.#nextIndex;
        const records = batch.map((p, i) => ({ index: first + i, data: p.data }));
        try {
          await this.#backend.append(records);
        } catch (err) {
          this.#failure = err instanceof Error ? err : new Error(String(err));
          this.#failed.abort(this.#failure);
          for (const p of [...batch, ...this.#queue]) p.reject(this.#failedError(p.entry));
          this.#queue = [];
          break;
        }
        this.#nextIndex += batch.length;
        const changed = new Set<TableName>();
        for (const [i, p] of batch.entries()) {
          this.#logEntries++;
          this.#logBytes += p.data.length;
          try {
            const outcome = this.#applyOne(first + i, p.entry, true, changed);
            if (outcome.error) p.reject(outcome.error);
            else p.resolve({ index: first + i, updated: outcome.updated });
          } catch (err) {
            p.reject(err);
          }
        }
        this.#watchers.notify(changed);
        this.#maybeCompact();
      }
    } finally {
      this.#flushing = null;
      if (this.#queue.length > 0 && !this.#failure) {
        this.#flushing = Promise.resolve().then(() => this.#flush());
      }
    }
  }

  #applyOne(index: number, entry: Entry, publish: boolean, changed?: Set<TableName>) {
    const tx = new Txn(this.#db, index);
    try {
      const outcome = applyEntry(tx, entry, this.#cfg);
      const changes = tx.commit(this.#freeze);
      for (const t of tx.changedTables) changed?.add(t);
      const type = outcome.eventType ?? EVENT_TYPES[entry.type];
      if (publish && type) this.#broker.publish(index, type, changes);
      return outcome;
    } catch (err) {
      tx.rollback();
      this.#db.index = index;
      throw err;
    }
  }

  /**
   * Applies what another server appended to a shared log (`FollowableLogBackend.follow`), as a
   * follower: each record in order, publishing its events and waking blocking queries; a
   * snapshot by replacing the whole state at once (event subscribers are dropped). Resolves
   * when `items` ends; meanwhile `apply` rejects with `LogFencedError`. Afterwards `apply`
   * appends after the last record followed, and a store whose log failed (a deposed leader's)
   * works again: its state is what the log holds up to there.
   *
   * @example
   * ```ts
   * const ac = new AbortController();
   * const following = store.follow(backend.follow(store.index + 1, { signal: ac.signal }));
   * // Elected: stop following, fence the writes, catch up to the head, then lead.
   * ac.abort();
   * await following;
   * backend.setFence(fenceOf(leader));
   * await store.follow(backend.follow(store.index + 1, { stopAtHead: true }));
   * ```
   */
  async follow(items: AsyncIterable<FollowItem>): Promise<void> {
    if (this.#closed) throw new Error("Cannot follow the state log: the state store is closed");
    if (this.#following) throw new Error("Cannot follow the state log twice at once");
    this.#following = true;
    try {
      while (this.#flushing) await this.#flushing;
      await this.#compaction;
      this.#failure = null;
      if (this.#failed.signal.aborted) this.#failed = new AbortController();
      for await (const item of items) {
        if (isSnapshotItem(item)) await this.#followSnapshot(item.snapshot);
        else this.#followRecord(item);
      }
    } finally {
      this.#nextIndex = this.#db.index + 1;
      this.#following = false;
    }
  }

  #followRecord(rec: LogRecord): void {
    if (rec.index !== this.#db.index + 1) {
      throw new Error(
        `Cannot follow the state log: record ${rec.index} follows index ${this.#db.index}`,
      );
    }
    const changed = new Set<TableName>();
    try {
      this.#applyOne(rec.index, decodeEntry(rec.data), true, changed);
    } catch {
      // The entry failed on the leader too: it changed nothing there either.
    }
    this.#logEntries++;
    this.#logBytes += rec.data.length;
    this.#watchers.notify(changed);
  }

  async #followSnapshot(snapshot: StoredSnapshot): Promise<void> {
    const db = new Db();
    let bytes = 0;
    const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    const index = await readSnapshot(counted(snapshot.chunks), db);
    if (index !== snapshot.index || index < this.#db.index) {
      throw new Error(
        `Cannot follow the state log: the snapshot says index ${index}, the log ${snapshot.index}, this server is at ${this.#db.index}`,
      );
    }
    this.#db.replaceWith(db);
    this.#broker.dropAll();
    this.#snapshotIndex = index;
    this.#lastSnapshotBytes = bytes;
    this.#logEntries = 0;
    this.#logBytes = 0;
    this.#watchers.notify(TABLE_NAMES);
  }

  /** A read view at the current index, valid until the next `await` (see {@link StateSnapshot}). */
  snapshot(): StateSnapshot {
    return new StateSnapshot(this.#db);
  }

  /**
   * Resolves with the highest index of `tables` once it is greater than `minIndex` (at once
   * when it already is); rejects with the signal's reason when `signal` aborts.
   */
  waitForIndex(
    tables: readonly TableName[],
    minIndex: number,
    signal?: AbortSignal,
  ): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("Cannot wait: the state store is closed"));
    return this.#watchers.wait(tables, minIndex, signal);
  }

  /** Streams the events of entries applied from `req.fromIndex` on; ends when `signal` aborts. */
  events(req: EventsRequest = {}, signal?: AbortSignal): AsyncIterable<EventBatch> {
    return this.#broker.subscribe(req, signal);
  }

  #maybeCompact(): void {
    if (this.#compaction || this.#closed) return;
    const byBytes = this.#logBytes >= Math.max(this.#compactBytes, this.#lastSnapshotBytes);
    if (this.#logEntries < this.#compactEntries && !byBytes) return;
    this.#compaction = this.#compact().catch(this.#onError).finally(() => {
      this.#compaction = null;
    });
  }

  async #compact(): Promise<void> {
    const c = capture(this.#db);
    const entriesAt = this.#logEntries;
    const bytesAt = this.#logBytes;
    let bytes = 0;
    const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    await this.#backend.compact(c.index, counted(writeSnapshot(c)));
    this.#snapshotIndex = c.index;
    this.#logEntries -= entriesAt;
    this.#logBytes -= bytesAt;
    this.#lastSnapshotBytes = bytes;
    this.#compactions++;
  }

  /** Writes a snapshot now (waits for a running compaction first). */
  async compact(): Promise<void> {
    await this.#flushing;
    await this.#compaction;
    this.#compaction = this.#compact();
    try {
      await this.#compaction;
    } finally {
      this.#compaction = null;
    }
  }

  /** Counters of the log. */
  stats(): StoreStats {
    return {
      index: this.#db.index,
      snapshotIndex: this.#snapshotIndex,
      logEntries: this.#logEntries,
      logBytes: this.#logBytes,
      lastSnapshotBytes: this.#lastSnapshotBytes,
      replayed: this.#replayed,
      compactions: this.#compactions,
    };
  }

  /** Finishes pending writes and compaction, then closes the backend. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#flushing) await this.#flushing;
    this.#closed = true;
    await this.#compaction;
    this.#watchers.rejectAll(new Error("the state store closed"));
    await this.#backend.close();
  }
}
