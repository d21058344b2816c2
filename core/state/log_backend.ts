/**
 * Where the state's log and snapshots live: the {@link LogBackend} contract, and
 * {@link MemoryLogBackend} for tests and `-dev` agents. `KvLogBackend` (Deno KV) is the durable
 * one for a single server, `EtcdLogBackend` (`etcd/`) the one several servers share (a
 * {@link FollowableLogBackend}); all pass the same conformance suite (`log_backend_testing.ts`).
 *
 * @module
 */

/** One log entry: its index and its encoded bytes. */
export interface LogRecord {
  readonly index: number;
  readonly data: Uint8Array;
}

/** A snapshot as stored: the index it was taken at and its bytes, streamed. */
export interface StoredSnapshot {
  readonly index: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** What a backend holds when opened: the newest snapshot and the entries after it. */
export interface LoadedLog {
  readonly snapshot: StoredSnapshot | null;
  /** The entries after the snapshot, in index order and without gaps. */
  readonly entries: AsyncIterable<LogRecord>;
}

/**
 * A durable log with snapshots.
 *
 * Invariants: `load()` is called once, before anything else; `append()` gets records whose
 * indexes follow the last stored one without a gap, and resolves only when they are durable;
 * after a crash, `load()` returns a prefix of the appended records that includes every record
 * whose `append()` resolved. `compact(index, chunks)` stores a snapshot of the state at `index`
 * and then drops the records up to `index`; it may run while later records are appended.
 */
export interface LogBackend {
  /** Reads the newest snapshot and the records after it (and takes ownership of the log). */
  load(): Promise<LoadedLog>;
  /** Appends records durably; rejects a record whose index does not follow the last one. */
  append(records: readonly LogRecord[]): Promise<void>;
  /** Stores a snapshot taken at `index` and drops the log up to it. */
  compact(index: number, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Releases the backend's resources. */
  close(): Promise<void>;
  /**
   * How a store recovers after a failed write, for its error messages. Default: "restart the
   * agent to recover from its data directory".
   */
  readonly recovery?: string;
}

/** What a followed log yields: a record, or a snapshot that replaces the state up to its index. */
export type FollowItem = LogRecord | { readonly snapshot: StoredSnapshot };

/** Options of {@link FollowableLogBackend.follow}. */
export interface FollowOptions {
  /** Ends the iteration. */
  readonly signal?: AbortSignal;
  /**
   * Stop once every record committed when `follow` was called has been yielded, instead of
   * waiting for more (a new leader catching up before it writes).
   */
  readonly stopAtHead?: boolean;
  /**
   * Told about each failure a live follow retries (the backend is unreachable, say); a follow
   * that stops at the head throws them instead.
   */
  readonly onRetry?: (err: unknown) => void;
}

/**
 * A log that several servers share: one appends, the others follow what it appends.
 *
 * `follow(fromIndex)` yields the records from `fromIndex` on, in index order, without gaps or
 * repeats, then each record as it is committed. When the records a follower needs were
 * compacted away, it yields the snapshot that replaced them (whose index is at least
 * `fromIndex - 1`; the records after it follow): the follower resets its state from it. A
 * snapshot's chunks must be read before the next item is asked for.
 */
export interface FollowableLogBackend extends LogBackend {
  follow(fromIndex: number, opts?: FollowOptions): AsyncIterable<FollowItem>;
}

/** Whether a followed item is a snapshot. */
export function isSnapshotItem(item: FollowItem): item is { readonly snapshot: StoredSnapshot } {
  return "snapshot" in item;
}

/** Checks that `records` follow `last` without a gap; returns the new last index. */
export function checkFollows(last: number, records: readonly LogRecord[]): number {
  let expected = last + 1;
  for (const r of records) {
    if (r.index !== expected) {
      throw new RangeError(
        `Cannot append log record ${r.index}: the next index must be ${expected}`,
      );
    }
    expected++;
  }
  return expected - 1;
}

interface MemoryStorage {
  log: Map<number, Uint8Array>;
  snapshot: { index: number; chunks: Uint8Array[] } | null;
}

/**
 * A log kept in memory (nothing survives the process). `reopen()` gives a new backend over the
 * same storage, as a restart would see it.
 *
 * @example
 * ```ts
 * const backend = new MemoryLogBackend();
 * const store = await StateStore.open({ backend });
 * ```
 */
export class MemoryLogBackend implements LogBackend {
  readonly #storage: MemoryStorage;
  #last = 0;

  constructor(storage?: MemoryStorage) {
    this.#storage = storage ?? { log: new Map(), snapshot: null };
  }

  /** A new backend over the same storage. */
  reopen(): MemoryLogBackend {
    return new MemoryLogBackend(this.#storage);
  }

  /** Bytes held: log records and snapshot. */
  get bytes(): number {
    let n = 0;
    for (const d of this.#storage.log.values()) n += d.length;
    for (const c of this.#storage.snapshot?.chunks ?? []) n += c.length;
    return n;
  }

  load(): Promise<LoadedLog> {
    const snap = this.#storage.snapshot;
    const from = snap?.index ?? 0;
    const records: LogRecord[] = [];
    for (let i = from + 1; this.#storage.log.has(i); i++) {
      records.push({ index: i, data: this.#storage.log.get(i) as Uint8Array });
    }
    this.#last = from + records.length;
    return Promise.resolve({
      snapshot: snap ? { index: snap.index, chunks: iterate(snap.chunks) } : null,
      entries: iterate(records),
    });
  }

  append(records: readonly LogRecord[]): Promise<void> {
    try {
      this.#last = checkFollows(this.#last, records);
    } catch (err) {
      return Promise.reject(err);
    }
    for (const r of records) this.#storage.log.set(r.index, r.data);
    return Promise.resolve();
  }

  async compact(index: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (index > this.#last) {
      throw new RangeError(
        `Cannot compact the log at index ${index}: the last record is ${this.#last}`,
      );
    }
    const stored: Uint8Array[] = [];
    for await (const c of chunks) stored.push(c.slice());
    const old = this.#storage.snapshot?.index ?? 0;
    this.#storage.snapshot = { index, chunks: stored };
    for (let i = old; i <= index; i++) this.#storage.log.delete(i);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
