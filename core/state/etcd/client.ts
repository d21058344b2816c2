/**
 * A small etcd v3 client over the JSON gateway (`/v3/...`), with `fetch` only: key ranges,
 * puts, deletes, transactions, compaction, leases, cluster status. Watches are in `watch.ts`,
 * elections in `election.ts`.
 *
 * @example
 * ```ts
 * const etcd = new EtcdClient({ endpoints: ["http://127.0.0.1:2379"] });
 * await etcd.put("/nomad-ts/hello", "world");
 * const { kvs } = await etcd.range("/nomad-ts/", { prefix: true });
 * etcd.close();
 * ```
 *
 * @module
 */
import { EtcdCompactedError, EtcdError, GrpcCode } from "./errors.ts";
import {
  type CallOptions,
  type OpenStream,
  Transport,
  type TransportOptions,
} from "./_transport.ts";
import {
  b64,
  type Bytes,
  header,
  int,
  type KeyValue,
  keyValue,
  prefixEnd,
  type RawHeader,
  type RawKeyValue,
  type RawRange,
  type ResponseHeader,
} from "./_wire.ts";

import {
  type KeyRange,
  type Lease,
  type Member,
  type MemberStatus,
  rangeFields,
  type RangeOptions,
  type RangeResult,
  rangeResult,
  rawCompare,
  rawOp,
  rawRange,
  type TxnRequest,
  type TxnResult,
} from "./_kv.ts";

export type { CallOptions, EtcdTls, OpenStream } from "./_transport.ts";
export type { Bytes, KeyValue, ResponseHeader } from "./_wire.ts";
export { prefixEnd } from "./_wire.ts";
export type {
  Compare,
  CompareResult,
  KeyRange,
  Lease,
  Member,
  MemberStatus,
  RangeOptions,
  RangeResult,
  TxnOp,
  TxnOpResult,
  TxnRequest,
  TxnResult,
} from "./_kv.ts";

/** Options of {@link EtcdClient}. */
export type EtcdClientOptions = TransportOptions;

/** A client of one etcd cluster (several endpoints, failed over). */
export class EtcdClient {
  readonly #t: Transport;

  /** A client; nothing is contacted until the first call. */
  constructor(opts: EtcdClientOptions) {
    this.#t = new Transport(opts);
  }

  /**
   * A client with TLS material read from files (`ca_file`, `cert_file`, `key_file` of the
   * agent's `etcd` block).
   */
  static async fromFiles(
    opts: Omit<EtcdClientOptions, "tls"> & { caFile?: string; certFile?: string; keyFile?: string },
  ): Promise<EtcdClient> {
    const read = (p: string | undefined) => p ? Deno.readTextFile(p) : undefined;
    const [ca, cert, key] = await Promise.all([
      read(opts.caFile),
      read(opts.certFile),
      read(opts.keyFile),
    ]);
    const { caFile: _a, certFile: _c, keyFile: _k, ...rest } = opts;
    return new EtcdClient({
      ...rest,
      tls: { ...(ca ? { caCerts: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    });
  }

  /** The endpoints, normalized (`http://host:port`). */
  get endpoints(): readonly string[] {
    return this.#t.endpoints;
  }

  /** Makes a raw call (for what this client does not wrap), failed over between endpoints. */
  call<T>(path: string, body: unknown, opts: CallOptions): Promise<T> {
    return this.#t.call<T>(path, body, opts);
  }

  /** Opens a raw streaming call (see `watch.ts`). */
  stream(path: string, body: unknown, signal: AbortSignal): Promise<OpenStream> {
    return this.#t.stream(path, body, signal);
  }

  /**
   * Reads a key or a range of keys.
   *
   * @throws {EtcdCompactedError} when `revision` is older than etcd's compaction.
   */
  async range(key: Bytes, opts: RangeOptions = {}): Promise<RangeResult> {
    try {
      const r = await this.#t.call<RawRange>("/v3/kv/range", rawRange(key, opts), {
        idempotent: true,
        signal: opts.signal,
      });
      return { header: header(r.header), ...rangeResult(r) };
    } catch (err) {
      throw compacted(err);
    }
  }

  /** Reads one key's value and revisions; undefined when it does not exist. */
  async get(key: Bytes, opts: { signal?: AbortSignal } = {}): Promise<KeyValue | undefined> {
    return (await this.range(key, opts)).kvs[0];
  }

  /**
   * Reads every key of a range in pages of `pageSize`, all at one revision (that of the first
   * page), so that the pages are consistent with each other.
   */
  async *scan(
    key: Bytes,
    opts: KeyRange & { pageSize?: number; revision?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<{ kvs: KeyValue[]; revision: number }> {
    const end = opts.prefix ? prefixEnd(key) : opts.end ?? new Uint8Array([0]);
    let from: Bytes = key;
    let revision = opts.revision ?? 0;
    while (true) {
      const r = await this.range(from, {
        end,
        limit: opts.pageSize ?? 256,
        revision,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      revision ||= r.header.revision;
      yield { kvs: r.kvs, revision };
      const last = r.kvs[r.kvs.length - 1];
      if (!r.more || !last) return;
      from = new TextEncoder().encode(`${last.key}\u0000`);
    }
  }

  /** Writes a key. */
  async put(key: Bytes, value: Bytes, opts: { lease?: string } = {}): Promise<ResponseHeader> {
    const r = await this.#t.call<{ header?: RawHeader }>("/v3/kv/put", {
      key: b64(key),
      value: b64(value),
      ...(opts.lease ? { lease: opts.lease } : {}),
    }, { idempotent: true });
    return header(r.header);
  }

  /** Deletes a key or a range; returns how many keys were deleted. */
  async deleteRange(key: Bytes, opts: KeyRange = {}): Promise<number> {
    const r = await this.#t.call<{ deleted?: string }>(
      "/v3/kv/deleterange",
      rangeFields(key, opts),
      {
        idempotent: true,
      },
    );
    return int(r.deleted);
  }

  /**
   * Runs a transaction. Not repeated on another endpoint when the outcome is unknown (the
   * error is then `uncertain`): the caller reads back what it wrote.
   */
  async txn(req: TxnRequest, opts: { signal?: AbortSignal } = {}): Promise<TxnResult> {
    const r = await this.#t.call<{
      header?: RawHeader;
      succeeded?: boolean;
      responses?: { response_range?: RawRange; response_delete_range?: { deleted?: string } }[];
    }>("/v3/kv/txn", {
      compare: (req.compare ?? []).map(rawCompare),
      success: (req.success ?? []).map(rawOp),
      failure: (req.failure ?? []).map(rawOp),
    }, { idempotent: false, signal: opts.signal });
    return {
      header: header(r.header),
      succeeded: r.succeeded ?? false,
      responses: (r.responses ?? []).map((x) => ({
        ...(x.response_range ? { range: rangeResult(x.response_range) } : {}),
        ...(x.response_delete_range ? { deleted: int(x.response_delete_range.deleted) } : {}),
      })),
    };
  }

  /**
   * Discards the history before `revision` (etcd's compaction; key values stay). Compacting at
   * or before the last compaction is a no-op here. Returns whether history was dropped.
   */
  async compact(revision: number, opts: { physical?: boolean } = {}): Promise<boolean> {
    try {
      await this.#t.call("/v3/kv/compaction", {
        revision: String(revision),
        ...(opts.physical ? { physical: true } : {}),
      }, { idempotent: true, timeoutMs: 30_000 });
      return true;
    } catch (err) {
      if (compacted(err) instanceof EtcdCompactedError) return false;
      throw err;
    }
  }

  /** Grants a lease that expires `ttlSeconds` after its last keep-alive. */
  async leaseGrant(ttlSeconds: number): Promise<Lease> {
    const r = await this.#t.call<{ ID?: string; TTL?: string; error?: string }>(
      "/v3/lease/grant",
      { TTL: String(ttlSeconds) },
      { idempotent: true },
    );
    if (!r.ID) {
      throw new EtcdError(`Cannot grant an etcd lease: ${r.error ?? "no ID returned"}`, {
        endpoint: "",
      });
    }
    return { id: r.ID, ttl: int(r.TTL) };
  }

  /** Renews a lease once; returns its new TTL in seconds (0: it already expired). */
  async leaseKeepAlive(id: string, opts: { signal?: AbortSignal } = {}): Promise<number> {
    const r = await this.#t.call<{ result?: { TTL?: string } }>("/v3/lease/keepalive", { ID: id }, {
      idempotent: true,
      signal: opts.signal,
    });
    return int(r.result?.TTL);
  }

  /** Revokes a lease: the keys attached to it are deleted. */
  async leaseRevoke(id: string): Promise<void> {
    try {
      await this.#t.call("/v3/lease/revoke", { ID: id }, { idempotent: true });
    } catch (err) {
      // Revoking a lease that expired already is done.
      if (err instanceof EtcdError && err.code === GrpcCode.NotFound) return;
      throw err;
    }
  }

  /** A lease's remaining TTL in seconds (-1: it does not exist). */
  async leaseTimeToLive(id: string): Promise<number> {
    const r = await this.#t.call<{ TTL?: string }>("/v3/lease/timetolive", { ID: id }, {
      idempotent: true,
    });
    return int(r.TTL);
  }

  /** The status of each endpoint's member; an unreachable one rejects its own promise only. */
  status(opts: { timeoutMs?: number } = {}): Promise<PromiseSettledResult<MemberStatus>[]> {
    return Promise.allSettled(this.endpoints.map((endpoint) => this.memberStatus(endpoint, opts)));
  }

  /** The status of the member at `endpoint` (its database size, leader, raft index). */
  async memberStatus(endpoint: string, opts: { timeoutMs?: number } = {}): Promise<MemberStatus> {
    const r = await this.#t.call<{
      header?: RawHeader;
      version?: string;
      dbSize?: string;
      dbSizeInUse?: string;
      leader?: string;
      raftIndex?: string;
      raftTerm?: string;
      errors?: string[];
    }>("/v3/maintenance/status", {}, { idempotent: true, endpoint, timeoutMs: opts.timeoutMs });
    return {
      endpoint,
      header: header(r.header),
      version: r.version ?? "",
      dbSize: int(r.dbSize),
      dbSizeInUse: int(r.dbSizeInUse),
      leader: r.leader ?? "0",
      raftIndex: int(r.raftIndex),
      raftTerm: int(r.raftTerm),
      errors: r.errors ?? [],
    };
  }

  /** The members of the cluster. */
  async memberList(): Promise<Member[]> {
    const r = await this.#t.call<{
      members?: { ID?: string; name?: string; peerURLs?: string[]; clientURLs?: string[] }[];
    }>("/v3/cluster/member/list", {}, { idempotent: true });
    return (r.members ?? []).map((m) => ({
      id: m.ID ?? "",
      name: m.name ?? "",
      peerURLs: m.peerURLs ?? [],
      clientURLs: m.clientURLs ?? [],
    }));
  }

  /** Aborted once the client is closed. */
  get closed(): AbortSignal {
    return this.#t.closed;
  }

  /** Closes open streams and the HTTP client. */
  close(): void {
    this.#t.close();
  }
}

/** Turns etcd's "required revision has been compacted" into {@link EtcdCompactedError}. */
export function compacted(err: unknown, compactRevision = 0): unknown {
  if (
    err instanceof EtcdError && !(err instanceof EtcdCompactedError) &&
    /required revision has been compacted/.test(err.message)
  ) {
    return new EtcdCompactedError(err.message, compactRevision, {
      endpoint: err.endpoint,
      code: err.code,
      cause: err,
    });
  }
  return err;
}

/** Reads a key-value pair off a raw gateway one (for `watch.ts` and `election.ts`). */
export function fromRaw(kv: RawKeyValue): KeyValue {
  return keyValue(kv);
}
