/**
 * The state log on etcd, shared by several servers: the leader appends, every server follows.
 *
 * Layout under the prefix: see `_log_layout.ts` (`P/log/<index>`, chunks, `P/snap/...`,
 * `P/meta`). Appends go in transactions of at most etcd's request size and operation count,
 * each requiring the previous record to exist and the next index to be free, and carrying the
 * leader's fence when one is set ({@link EtcdLogBackend.setFence}): a server that lost the
 * election cannot commit anything. A record larger than a chunk is split; its head is written
 * last. Compaction writes the snapshot's chunks, then in one transaction points `P/meta` at it
 * and deletes the records before it and the older snapshots, then asks etcd to drop the
 * history older than the previous snapshot, so etcd's size stays bounded while a follower that
 * lags by less than one snapshot can still resume its watch.
 *
 * Unlike `KvLogBackend`, `load()` takes no ownership: every server loads, and then follows
 * ({@link EtcdLogBackend.follow}); only writes are guarded (fence, and the compares above).
 *
 * @example
 * ```ts
 * const backend = new EtcdLogBackend({ endpoints: ["http://127.0.0.1:2379"], prefix: "/nomad-ts/global" });
 * const store = await StateStore.open({ backend });
 * ```
 *
 * @module
 */
import {
  checkFollows,
  type FollowableLogBackend,
  type FollowItem,
  type FollowOptions,
  type LoadedLog,
  type LogRecord,
} from "../log_backend.ts";
import { LogFencedError } from "../kv_log_backend.ts";
import { EtcdClient, type EtcdClientOptions, type TxnResult } from "./client.ts";
import type { LogFence } from "./election.ts";
import { EtcdCompactedError, EtcdError } from "./errors.ts";
import {
  decodeMeta,
  deflateRecord,
  deflateStream,
  encodeMeta,
  headValue,
  inlineValue,
  Layout,
  type SnapMeta,
} from "./_log_layout.ts";
import { readMeta, readRecords, snapshotChunks } from "./_log_read.ts";
import { checkFence, fenceCompare, fenceRead, LogWriter, txnLimits } from "./_log_write.ts";
import { followLog } from "./_log_follow.ts";

/** Options of {@link EtcdLogBackend}. */
export interface EtcdLogBackendOptions extends Partial<EtcdClientOptions> {
  /** A client to use (kept open on close, unless `ownsClient`) instead of one made here. */
  readonly client?: EtcdClient;
  /** Close the given client with the backend (set by {@link EtcdLogBackend.open}). */
  readonly ownsClient?: boolean;
  /** Where the log lives, e.g. `/nomad-ts/global`. */
  readonly prefix: string;
  /** etcd's `--max-request-bytes` (default 1.5 MiB): records and snapshots are chunked to fit. */
  readonly maxRequestBytes?: number;
  /** etcd's `--max-txn-ops` (default 128). */
  readonly maxTxnOps?: number;
  /**
   * Drop etcd's history older than the previous snapshot after each compaction (default true).
   * etcd's compaction is cluster-wide: give the log an etcd cluster of its own, or turn it off
   * and let etcd's `--auto-compaction-retention` do it.
   */
  readonly compactHistory?: boolean;
  /**
   * Deflate records (of 1 KiB or more) and snapshots (default true): they are JSON, deflate
   * shrinks them 10 to 25 times, and etcd's write bandwidth is what limits the log.
   */
  readonly compress?: boolean;
}

/** How many times a read restarts after its revision was compacted under it. */
const READ_ATTEMPTS = 5;

/** A log in etcd; see the module doc. */
export class EtcdLogBackend implements FollowableLogBackend {
  /** A server on etcd needs no restart after a failed write: it follows the log again. */
  readonly recovery =
    "the server recovers by itself: it steps down, follows the shared log and campaigns again once etcd answers";
  readonly #client: EtcdClient;
  readonly #ownsClient: boolean;
  readonly #layout: Layout;
  readonly #limits: ReturnType<typeof txnLimits>;
  readonly #compactHistory: boolean;
  readonly #compress: boolean;
  #fence: LogFence | null = null;
  #last = 0;
  #metaModRevision = 0;
  /** The revision of the previous snapshot pointer: etcd's history before it can go. */
  #historyFloor = 0;
  readonly #aborts = new AbortController();

  constructor(opts: EtcdLogBackendOptions) {
    if (!opts.client && !opts.endpoints) {
      throw new TypeError("Cannot open the etcd state log: give 'endpoints' or a 'client'");
    }
    if (!opts.prefix.startsWith("/")) {
      throw new TypeError(
        `Cannot open the etcd state log: prefix "${opts.prefix}" must start with "/"`,
      );
    }
    this.#client = opts.client ?? new EtcdClient({ ...opts, endpoints: opts.endpoints ?? [] });
    this.#ownsClient = !opts.client || (opts.ownsClient ?? false);
    this.#layout = new Layout(opts.prefix);
    this.#limits = txnLimits(opts.maxRequestBytes ?? 1_572_864, opts.maxTxnOps ?? 128);
    this.#compactHistory = opts.compactHistory ?? true;
    this.#compress = opts.compress ?? true;
  }

  /**
   * A backend over a client made from the agent's `etcd` block: endpoints, and TLS material
   * read from `caFile`, `certFile`, `keyFile`. The backend closes the client.
   *
   * @example
   * ```ts
   * const backend = await EtcdLogBackend.open({
   *   endpoints: ["https://10.0.0.1:2379"],
   *   prefix: "/nomad-ts/global",
   *   caFile: "/etc/etcd/ca.pem",
   * });
   * const leader = await new Election(backend.client, `${backend.prefix}/leader`).campaign(...);
   * ```
   */
  static async open(
    opts: Omit<EtcdLogBackendOptions, "client" | "ownsClient" | "tls" | "endpoints"> & {
      readonly endpoints: readonly string[];
      readonly caFile?: string;
      readonly certFile?: string;
      readonly keyFile?: string;
    },
  ): Promise<EtcdLogBackend> {
    const client = await EtcdClient.fromFiles(opts);
    try {
      return new EtcdLogBackend({ ...opts, client, ownsClient: true });
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** The client (for elections and status under the same endpoints). */
  get client(): EtcdClient {
    return this.#client;
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#layout.prefix;
  }

  /** The index of the last record this backend wrote, loaded or followed. */
  get lastIndex(): number {
    return this.#last;
  }

  /** The largest record or snapshot piece stored in one key. */
  get chunkBytes(): number {
    return this.#limits.chunk;
  }

  /**
   * Sets the fence every later write carries (null: none): the election key and its creation
   * revision of this server's term as leader (`fenceOf(leader)`). Writes of a server whose
   * key is gone or re-created reject with `LogFencedError`.
   */
  setFence(fence: LogFence | null): void {
    this.#fence = fence;
  }

  async load(): Promise<LoadedLog> {
    for (let attempt = 1;; attempt++) {
      try {
        const m = await readMeta(this.#client, this.#layout);
        const from = (m.meta?.index ?? 0) + 1;
        const records: LogRecord[] = [];
        for await (const r of readRecords(this.#client, this.#layout, from, m.revision)) {
          records.push(r);
        }
        this.#noteMeta(m.modRevision);
        this.#last = from - 1 + records.length;
        const meta = m.meta;
        return {
          snapshot: meta
            ? {
              index: meta.index,
              chunks: snapshotChunks(this.#client, this.#layout, meta, m.revision),
            }
            : null,
          entries: iterate(records),
        };
      } catch (err) {
        if (!(err instanceof EtcdCompactedError) || attempt >= READ_ATTEMPTS) throw err;
      }
    }
  }

  /** Notes a newer snapshot pointer's revision (the previous one's is history that can go). */
  #noteMeta(modRevision: number): void {
    if (modRevision > this.#metaModRevision) {
      this.#historyFloor = this.#metaModRevision;
      this.#metaModRevision = modRevision;
    }
  }

  /**
   * Appends records in order; `opts.fence` overrides the backend's fence for this call.
   *
   * @throws {RangeError} when the first record does not follow the last one.
   * @throws {LogFencedError} when the fence failed or another server appended first.
   */
  async append(
    records: readonly LogRecord[],
    opts: { fence?: LogFence | null } = {},
  ): Promise<void> {
    const last = checkFollows(this.#last, records);
    if (records.length === 0) return;
    const writer = this.#writer(opts.fence === undefined ? this.#fence : opts.fence);
    const chunk = this.#limits.chunk;
    for (const r of records) {
      const { data, z } = this.#compress ? deflateRecord(r.data) : { data: r.data, z: false };
      if (data.length < chunk) {
        await writer.head(r.index, inlineValue(data, z));
        continue;
      }
      const id = crypto.randomUUID();
      const chunks = Math.ceil(data.length / chunk);
      for (let n = 0; n < chunks; n++) {
        const part = data.subarray(n * chunk, (n + 1) * chunk);
        await writer.chunk(r.index, this.#layout.logChunk(r.index, id, n), part);
      }
      await writer.head(
        r.index,
        headValue({ id, chunks, bytes: data.length, ...(z ? { z } : {}) }),
      );
    }
    await writer.flush();
    this.#last = last;
  }

  #writer(fence: LogFence | null): LogWriter {
    return new LogWriter(this.#client, this.#layout, this.#limits, fence);
  }

  async compact(index: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (index > this.#last) {
      throw new RangeError(
        `Cannot compact the log at index ${index}: the last record is ${this.#last}`,
      );
    }
    const fence = this.#fence;
    const id = crypto.randomUUID();
    const snap = this.#writer(fence);
    let n = 0;
    let bytes = 0;
    const stored = this.#compress ? deflateStream(chunks) : chunks;
    for await (const piece of rechunk(stored, this.#limits.chunk)) {
      await snap.put(this.#layout.snapChunk(id, n++), piece);
      bytes += piece.length;
    }
    await snap.flush();
    const meta: SnapMeta = {
      v: 1,
      index,
      id,
      chunks: n,
      bytes,
      ...(this.#compress ? { z: true } : {}),
    };
    if (!(await this.#swapSnapshot(meta, fence))) {
      await this.#client.deleteRange(this.#layout.snapPrefix(id), { prefix: true });
      return;
    }
    if (this.#compactHistory && this.#historyFloor > 0) {
      await this.#client.compact(this.#historyFloor);
    }
  }

  /**
   * Points `P/meta` at a new snapshot and drops what it replaces, in one transaction. Returns
   * false when a snapshot at least as recent is there already (this one is not needed).
   */
  async #swapSnapshot(meta: SnapMeta, fence: LogFence | null): Promise<boolean> {
    const [before, end] = this.#layout.logChunksBefore(meta.index + 1);
    for (let attempt = 1;; attempt++) {
      let res: TxnResult;
      try {
        res = await this.#client.txn({
          compare: [
            ...fenceCompare(fence),
            {
              key: this.#layout.meta,
              target: "MOD",
              result: "EQUAL",
              value: this.#metaModRevision,
            },
          ],
          success: [
            { put: { key: this.#layout.meta, value: encodeMeta(meta) } },
            { deleteRange: { key: this.#layout.logPrefix, end: this.#layout.log(meta.index) } },
            { deleteRange: { key: before, end } },
            ...this.#layout.otherSnapshots(meta.id).map(([key, end]) => ({
              deleteRange: { key, end },
            })),
          ],
          failure: [...fenceRead(fence), { range: { key: this.#layout.meta } }],
        });
      } catch (err) {
        // Unknown outcome: send it again; the pointer tells whether it was applied.
        if (err instanceof EtcdError && err.uncertain && attempt < 3) continue;
        throw err;
      }
      if (res.succeeded) {
        this.#noteMeta(res.header.revision);
        return true;
      }
      const fenceKv = fence ? res.responses.shift()?.range?.kvs[0] : undefined;
      const kv = res.responses[0]?.range?.kvs[0];
      const current = kv ? decodeMeta(kv.value) : null;
      this.#noteMeta(kv?.modRevision ?? 0);
      // This very transaction was applied by an earlier send (see `_log_write.ts`).
      if (current?.id === meta.id) return true;
      checkFence(fence, fenceKv?.createRevision ?? 0);
      // Another compaction went first (a server that led before this one): retry over it,
      // unless it is at least as recent as this one.
      if ((current?.index ?? 0) >= meta.index) return false;
      if (attempt >= 3) {
        throw new LogFencedError(
          `Cannot compact the state log at ${meta.index}: the snapshot pointer keeps changing`,
        );
      }
    }
  }

  /**
   * Yields the records from `fromIndex` on, then each new one as it is committed (see
   * `FollowableLogBackend`); resumes by itself after a dropped connection, and when the
   * records it needs were compacted away yields the snapshot that replaced them. Updates
   * {@link lastIndex} as it goes, so a follower that becomes the leader appends after what it
   * followed.
   */
  follow(fromIndex: number, opts: FollowOptions = {}): AsyncIterable<FollowItem> {
    const signal = opts.signal
      ? AbortSignal.any([opts.signal, this.#aborts.signal])
      : this.#aborts.signal;
    return followLog({
      client: this.#client,
      layout: this.#layout,
      fromIndex,
      signal,
      stopAtHead: opts.stopAtHead ?? false,
      onRetry: opts.onRetry,
      onMeta: (modRevision) => this.#noteMeta(modRevision),
      onIndex: (index) => {
        if (index > this.#last) this.#last = index;
      },
    });
  }

  /** Ends the follows and closes the client (unless it was given). */
  close(): Promise<void> {
    this.#aborts.abort();
    if (this.#ownsClient) this.#client.close();
    return Promise.resolve();
  }
}

/** Re-cuts a stream of byte arrays into pieces of at most `size` bytes. */
async function* rechunk(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let used = 0;
  for await (const c of chunks) {
    let off = 0;
    while (off < c.length) {
      const n = Math.min(size - used, c.length - off);
      buf.set(c.subarray(off, off + n), used);
      used += n;
      off += n;
      if (used === size) {
        yield buf;
        buf = new Uint8Array(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield buf.subarray(0, used);
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
