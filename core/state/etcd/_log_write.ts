/**
 * Writes of `EtcdLogBackend`, packed into etcd transactions within its limits (request bytes,
 * operations per transaction). Transactions with records are committed in order, each after
 * every transaction before it; those with chunks only are sent a few at a time.
 *
 * Every transaction carries the fence, if any (the election key still has the leader's
 * creation revision). One that writes records also requires the first of them to be free and
 * the one before it to exist: no overwrite, no gap. A transaction may reach etcd twice (its
 * outcome was unknown and it was sent again; or Deno's HTTP client repeated it on a new
 * connection when a pooled one closed): then the repeat fails its compare, finds its own
 * records in place, byte for byte, and counts as done.
 *
 * @module
 */
import { LogFencedError } from "../kv_log_backend.ts";
import type { Compare, EtcdClient, TxnOp, TxnResult } from "./client.ts";
import type { LogFence } from "./election.ts";
import { EtcdError } from "./errors.ts";
import type { Layout } from "./_log_layout.ts";
import { sameBytes } from "./_log_layout.ts";

/** Size limits of one transaction. */
export interface TxnLimits {
  /** Bytes of keys and values in one transaction. */
  readonly bytes: number;
  /** Operations in one transaction (etcd's `--max-txn-ops`). */
  readonly ops: number;
}

/** Derives the limits from etcd's `--max-request-bytes` and `--max-txn-ops`. */
export function txnLimits(
  maxRequestBytes: number,
  maxTxnOps: number,
): TxnLimits & { chunk: number } {
  const bytes = maxRequestBytes - 32 * 1024;
  if (!(bytes >= 64 * 1024)) {
    throw new RangeError(
      `Cannot use etcd with maxRequestBytes ${maxRequestBytes}: it must be at least 96 KiB`,
    );
  }
  if (!(maxTxnOps >= 4)) {
    throw new RangeError(`Cannot use etcd with maxTxnOps ${maxTxnOps}: it must be at least 4`);
  }
  return { bytes, ops: maxTxnOps, chunk: Math.min(1 << 20, bytes - 4096) };
}

const ATTEMPTS = 3;
/** Chunk transactions in flight at once. */
const PARALLEL = 4;

/** Ops collected for the next transaction. */
interface Pending {
  ops: TxnOp[];
  bytes: number;
  /** The record heads in it, with their values. */
  heads: { index: number; value: Uint8Array }[];
  /** For chunks only: the index of the record they belong to. */
  chunksOf?: number;
}

/** Puts packed into ordered transactions. */
export class LogWriter {
  readonly #client: EtcdClient;
  readonly #layout: Layout;
  readonly #limits: TxnLimits;
  readonly #fence: LogFence | null;
  #pending: Pending = { ops: [], bytes: 0, heads: [] };
  readonly #inflight = new Set<Promise<void>>();
  #error: unknown = undefined;

  constructor(client: EtcdClient, layout: Layout, limits: TxnLimits, fence: LogFence | null) {
    this.#client = client;
    this.#layout = layout;
    this.#limits = limits;
    this.#fence = fence;
  }

  /** Adds a chunk of record `index` (written before its head). */
  async chunk(index: number, key: string, value: Uint8Array): Promise<void> {
    await this.#room(key.length + value.length);
    this.#pending.chunksOf ??= index;
    this.#push(key, value);
  }

  /** Adds a put guarded only by the fence (a snapshot's chunk). */
  async put(key: string, value: Uint8Array): Promise<void> {
    await this.#room(key.length + value.length);
    this.#push(key, value);
  }

  /** Adds a record's head. */
  async head(index: number, value: Uint8Array): Promise<void> {
    const key = this.#layout.log(index);
    await this.#room(key.length + value.length);
    this.#pending.heads.push({ index, value });
    this.#push(key, value);
  }

  #push(key: string, value: Uint8Array): void {
    this.#pending.ops.push({ put: { key, value } });
    this.#pending.bytes += key.length + value.length + 16;
  }

  async #room(bytes: number): Promise<void> {
    const p = this.#pending;
    if (p.ops.length >= this.#limits.ops || p.bytes + bytes + 16 > this.#limits.bytes) {
      await this.#send();
    }
  }

  /** Commits what is pending, and waits for every transaction sent before. */
  async flush(): Promise<void> {
    await this.#send();
    await this.#drain(0);
  }

  /**
   * Sends the pending transaction. Chunks go in parallel (etcd commits concurrent requests
   * together); a transaction with a record waits for everything sent before it.
   */
  async #send(): Promise<void> {
    const p = this.#pending;
    if (p.ops.length === 0) return;
    this.#pending = { ops: [], bytes: 0, heads: [] };
    if (p.heads.length > 0) {
      await this.#drain(0);
      await this.#commit(p);
      return;
    }
    await this.#drain(PARALLEL - 1);
    const sent: Promise<void> = this.#commit(p)
      .catch((err) => {
        this.#error ??= err;
      })
      .finally(() => this.#inflight.delete(sent));
    this.#inflight.add(sent);
  }

  /** Waits until at most `max` transactions are in flight; throws the first that failed. */
  async #drain(max: number): Promise<void> {
    while (this.#inflight.size > max) await Promise.race(this.#inflight);
    if (this.#error !== undefined) throw this.#error;
  }

  async #commit(p: Pending): Promise<void> {
    const at = p.heads[0]?.index ?? p.chunksOf;
    if (at === undefined) return await this.#commitFenced(p.ops);
    const compare: Compare[] = [...fenceCompare(this.#fence)];
    compare.push({ key: this.#layout.log(at), target: "CREATE", result: "EQUAL", value: 0 });
    if (p.heads.length > 0 && at > 1) {
      compare.push({
        key: this.#layout.log(at - 1),
        target: "CREATE",
        result: "GREATER",
        value: 0,
      });
    }
    const last = p.heads[p.heads.length - 1]?.index ?? at;
    const failure: TxnOp[] = [
      ...fenceRead(this.#fence),
      { range: { key: this.#layout.log(at), end: this.#layout.log(last + 1) } },
      { range: { key: this.#layout.log(at - 1), keysOnly: true } },
    ];
    for (let attempt = 1;; attempt++) {
      let res: TxnResult;
      try {
        res = await this.#client.txn({ compare, success: p.ops, failure });
      } catch (err) {
        if (!(err instanceof EtcdError) || !err.uncertain || attempt >= ATTEMPTS) {
          throw tooLarge(err, p.bytes);
        }
        continue;
      }
      if (res.succeeded) return;
      const fence = this.#fence ? res.responses.shift() : undefined;
      const present = res.responses[0]?.range?.kvs ?? [];
      // An earlier attempt was applied (its answer was lost, or the HTTP client sent the
      // request again on a new connection): the records in place are this transaction's.
      const ours = p.heads.length > 0 && present.length === p.heads.length &&
        p.heads.every((h, i) => sameBytes(present[i]?.value ?? new Uint8Array(), h.value));
      if (ours) return;
      checkFence(this.#fence, fence?.range?.kvs[0]?.createRevision ?? 0);
      if (present.length > 0) {
        throw new LogFencedError(
          `Cannot append state log record ${at}: another server appended it first; only the leader writes the log`,
        );
      }
      throw new LogFencedError(
        `Cannot append state log record ${at}: record ${
          at - 1
        } is missing from etcd under ${this.#layout.prefix} (was the log deleted or reset?)`,
      );
    }
  }

  async #commitFenced(ops: TxnOp[]): Promise<void> {
    for (let attempt = 1;; attempt++) {
      let res: TxnResult;
      try {
        res = await this.#client.txn({
          compare: fenceCompare(this.#fence),
          success: ops,
          failure: fenceRead(this.#fence),
        });
      } catch (err) {
        // Puts alone: sending them again is harmless.
        if (!(err instanceof EtcdError) || !err.uncertain || attempt >= ATTEMPTS) {
          throw tooLarge(
            err,
            ops.reduce((n, op) => n + ("put" in op ? op.put.value.length : 0), 0),
          );
        }
        continue;
      }
      if (!res.succeeded) {
        checkFence(this.#fence, res.responses[0]?.range?.kvs[0]?.createRevision ?? 0);
      }
      return;
    }
  }
}

/** Explains etcd's refusal of a transaction too large for it. */
function tooLarge(err: unknown, bytes: number): unknown {
  if (!(err instanceof EtcdError) || !/too large|larger than max/.test(err.message)) return err;
  return new EtcdError(
    `Cannot write ${bytes} bytes to the state log: ${err.message}; this is more than etcd accepts in one request: set the log's maxRequestBytes to etcd's --max-request-bytes`,
    { endpoint: err.endpoint, code: err.code, cause: err },
  );
}

/** The compare that fences a write to the leader that holds `fence`. */
export function fenceCompare(fence: LogFence | null): Compare[] {
  return fence
    ? [{ key: fence.key, target: "CREATE", result: "EQUAL", value: fence.createRevision }]
    : [];
}

/** A failure op that reads the fence key (to say why a transaction failed). */
export function fenceRead(fence: LogFence | null): TxnOp[] {
  return fence ? [{ range: { key: fence.key, keysOnly: true } }] : [];
}

/** Throws {@link LogFencedError} unless the fence key still has its creation revision. */
export function checkFence(fence: LogFence | null, createRevision: number): void {
  if (fence && createRevision !== fence.createRevision) {
    throw new LogFencedError(
      `Cannot write the state log: this server is no longer the leader (the election key ${fence.key} ${
        createRevision === 0 ? "is gone" : `was re-created at revision ${createRevision}`
      }, it was created at ${fence.createRevision})`,
    );
  }
}
