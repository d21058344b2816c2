/**
 * The durable log on Deno KV.
 *
 * Keys (under a prefix, `["state"]` by default):
 * - `["log", index]`: an entry's bytes, or `{ chunks, bytes }` when it is larger than a KV value
 *   and its bytes are in `["logc", index, 0..chunks-1]`;
 * - `["snap"]`: `{ index, id, chunks, bytes }`, the newest snapshot, whose bytes are in
 *   `["snapc", id, 0..chunks-1]`;
 * - `["owner"]`: who holds the log; every write checks it, so a second process opening the same
 *   database fences the first one off.
 *
 * Writes are packed into atomic commits of at most 900 mutations and ~700 KB, committed in
 * order; a large entry's head key is written with (or after) its last chunk, so a crash between
 * commits leaves a readable prefix. Leftovers of an interrupted write or compaction are removed
 * when the log is loaded.
 *
 * @module
 */
import { dirname } from "node:path";
import { checkFollows, type LoadedLog, type LogBackend, type LogRecord } from "./log_backend.ts";

/** The largest value written to one KV key (KV's limit is 64 KiB). */
export const KV_VALUE_BYTES = 60_000;
const ATOMIC_BYTES = 700_000;
const ATOMIC_MUTATIONS = 900;

interface ChunkedHead {
  chunks: number;
  bytes: number;
}

interface SnapMeta {
  index: number;
  id: string;
  chunks: number;
  bytes: number;
}

/** Options of {@link KvLogBackend}. */
export interface KvLogBackendOptions {
  /** Where under the database the log lives. Default `["state"]`. */
  readonly prefix?: Deno.KvKey;
  /** Close the database with the backend (set by {@link KvLogBackend.open}). */
  readonly ownsKv?: boolean;
}

/** Raised when another process took over the log (its `load()` ran after ours). */
export class LogFencedError extends Error {
  override readonly name = "LogFencedError";
}

/** A log and snapshots in a Deno KV database. */
export class KvLogBackend implements LogBackend {
  readonly #kv: Deno.Kv;
  readonly #prefix: Deno.KvKey;
  readonly #ownsKv: boolean;
  #owner: Deno.AtomicCheck | null = null;
  #last = 0;
  #snap: SnapMeta | null = null;
  /** Chunk counts of the chunked entries not yet compacted away. */
  readonly #chunked = new Map<number, number>();

  /**
   * Opens (creating it and its directory) the KV database at `path` and a backend over it,
   * which closes the database when closed.
   *
   * @example
   * ```ts
   * const backend = await KvLogBackend.open(`${dataDir}/server/state.kv`);
   * const store = await StateStore.open({ backend });
   * ```
   */
  static async open(
    path: string,
    opts: Omit<KvLogBackendOptions, "ownsKv"> = {},
  ): Promise<KvLogBackend> {
    await Deno.mkdir(dirname(path), { recursive: true });
    const kv = await Deno.openKv(path);
    return new KvLogBackend(kv, { ...opts, ownsKv: true });
  }

  /** A backend over an open database (which the caller keeps unless `ownsKv`). */
  constructor(kv: Deno.Kv, opts: KvLogBackendOptions = {}) {
    this.#kv = kv;
    this.#prefix = opts.prefix ?? ["state"];
    this.#ownsKv = opts.ownsKv ?? false;
  }

  #key(...parts: Deno.KvKeyPart[]): Deno.KvKey {
    return [...this.#prefix, ...parts];
  }

  #batch(): Batch {
    if (!this.#owner) throw new Error("Cannot write the state log before load()");
    return new Batch(this.#kv, this.#owner);
  }

  async load(): Promise<LoadedLog> {
    const ownerKey = this.#key("owner");
    const res = await this.#kv.atomic().set(ownerKey, crypto.randomUUID()).commit();
    if (!res.ok) throw new Error("Cannot take ownership of the state log");
    this.#owner = { key: ownerKey, versionstamp: res.versionstamp };
    const snap = (await this.#kv.get<SnapMeta>(this.#key("snap"))).value;
    this.#snap = snap;
    const from = snap?.index ?? 0;
    const records: LogRecord[] = [];
    for await (
      const e of this.#kv.list<Uint8Array | ChunkedHead>({
        prefix: this.#key("log"),
        start: this.#key("log", from + 1),
      })
    ) {
      const index = e.key[e.key.length - 1] as number;
      if (index !== from + records.length + 1) break;
      const data = e.value instanceof Uint8Array ? e.value : await this.#readChunks(index, e.value);
      if (!data) break;
      if (!(e.value instanceof Uint8Array)) this.#chunked.set(index, e.value.chunks);
      records.push({ index, data });
    }
    this.#last = from + records.length;
    await this.#cleanup(from, this.#last, snap);
    return {
      snapshot: snap ? { index: snap.index, chunks: this.#snapshotChunks(snap) } : null,
      entries: iterate(records),
    };
  }

  async #readChunks(index: number, head: ChunkedHead): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(head.bytes);
    let offset = 0;
    let n = 0;
    for await (const c of this.#kv.list<Uint8Array>({ prefix: this.#key("logc", index) })) {
      if (c.key[c.key.length - 1] !== n) return undefined;
      out.set(c.value, offset);
      offset += c.value.length;
      n++;
    }
    return n === head.chunks && offset === head.bytes ? out : undefined;
  }

  async *#snapshotChunks(snap: SnapMeta): AsyncGenerator<Uint8Array> {
    let n = 0;
    for await (const c of this.#kv.list<Uint8Array>({ prefix: this.#key("snapc", snap.id) })) {
      if (c.key[c.key.length - 1] !== n) break;
      n++;
      yield c.value;
    }
    if (n !== snap.chunks) {
      throw new Error(
        `Cannot read the state snapshot at index ${snap.index}: ${n} of ${snap.chunks} chunks found`,
      );
    }
  }

  /** Deletes what an interrupted append or compaction left behind. */
  async #cleanup(from: number, last: number, snap: SnapMeta | null): Promise<void> {
    const batch = this.#batch();
    const stale: Deno.KvListSelector[] = [
      { prefix: this.#key("log"), end: this.#key("log", from + 1) },
      { prefix: this.#key("log"), start: this.#key("log", last + 1) },
      { prefix: this.#key("logc"), end: this.#key("logc", from + 1) },
      { prefix: this.#key("logc"), start: this.#key("logc", last + 1) },
    ];
    if (snap) {
      stale.push(
        { prefix: this.#key("snapc"), end: this.#key("snapc", snap.id) },
        { prefix: this.#key("snapc"), start: this.#key("snapc", `${snap.id}\u0000`) },
      );
    } else {
      stale.push({ prefix: this.#key("snapc") });
    }
    for (const selector of stale) {
      for await (const e of this.#kv.list(selector)) {
        batch.delete(e.key);
        await batch.flushIfFull();
      }
    }
    await batch.flush();
  }

  async append(records: readonly LogRecord[]): Promise<void> {
    const last = checkFollows(this.#last, records);
    const batch = this.#batch();
    for (const r of records) {
      const data = r.data;
      if (data.length <= KV_VALUE_BYTES) {
        batch.set(this.#key("log", r.index), data, data.length);
      } else {
        const chunks = Math.ceil(data.length / KV_VALUE_BYTES);
        for (let i = 0; i < chunks; i++) {
          const part = data.subarray(i * KV_VALUE_BYTES, (i + 1) * KV_VALUE_BYTES);
          batch.set(this.#key("logc", r.index, i), part, part.length);
          await batch.flushIfFull();
        }
        batch.set(this.#key("log", r.index), { chunks, bytes: data.length }, 64);
        this.#chunked.set(r.index, chunks);
      }
      await batch.flushIfFull();
    }
    await batch.flush();
    this.#last = last;
  }

  async compact(index: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (index > this.#last) {
      throw new RangeError(
        `Cannot compact the log at index ${index}: the last record is ${this.#last}`,
      );
    }
    const id = crypto.randomUUID();
    const batch = this.#batch();
    let n = 0;
    let bytes = 0;
    for await (const chunk of chunks) {
      for (let off = 0; off < chunk.length; off += KV_VALUE_BYTES) {
        const part = chunk.subarray(off, off + KV_VALUE_BYTES);
        batch.set(this.#key("snapc", id, n++), part, part.length);
        bytes += part.length;
        await batch.flushIfFull();
      }
    }
    const meta: SnapMeta = { index, id, chunks: n, bytes };
    batch.set(this.#key("snap"), meta, 128);
    await batch.flush();
    const old = this.#snap;
    this.#snap = meta;
    // The new snapshot is durable: drop the old one and the log it covers.
    const drop = this.#batch();
    for (let i = 0; old && i < old.chunks; i++) {
      drop.delete(this.#key("snapc", old.id, i));
      await drop.flushIfFull();
    }
    for (let i = (old?.index ?? 0) + 1; i <= index; i++) {
      drop.delete(this.#key("log", i));
      const c = this.#chunked.get(i) ?? 0;
      for (let j = 0; j < c; j++) {
        drop.delete(this.#key("logc", i, j));
        await drop.flushIfFull();
      }
      this.#chunked.delete(i);
      await drop.flushIfFull();
    }
    await drop.flush();
  }

  close(): Promise<void> {
    if (this.#ownsKv) this.#kv.close();
    return Promise.resolve();
  }
}

/** Mutations packed into atomic commits within KV's limits, committed in order. */
class Batch {
  readonly #kv: Deno.Kv;
  readonly #owner: Deno.AtomicCheck;
  #op: Deno.AtomicOperation;
  #mutations = 0;
  #bytes = 0;

  constructor(kv: Deno.Kv, owner: Deno.AtomicCheck) {
    this.#kv = kv;
    this.#owner = owner;
    this.#op = kv.atomic().check(owner);
  }

  set(key: Deno.KvKey, value: unknown, bytes: number): void {
    this.#op.set(key, value);
    this.#mutations++;
    this.#bytes += bytes + 64;
  }

  delete(key: Deno.KvKey): void {
    this.#op.delete(key);
    this.#mutations++;
    this.#bytes += 64;
  }

  /** Commits when one more value might not fit. */
  async flushIfFull(): Promise<void> {
    if (this.#mutations >= ATOMIC_MUTATIONS || this.#bytes + KV_VALUE_BYTES > ATOMIC_BYTES) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.#mutations === 0) return;
    const res = await this.#op.commit();
    if (!res.ok) {
      throw new LogFencedError(
        "Cannot write the state log: another process opened it; stop the other agent using this data directory",
      );
    }
    this.#op = this.#kv.atomic().check(this.#owner);
    this.#mutations = 0;
    this.#bytes = 0;
  }
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
