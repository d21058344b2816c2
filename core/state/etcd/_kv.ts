/**
 * The key-value request and answer types of the client, and their gateway JSON shapes.
 *
 * @module
 */
import {
  b64,
  type Bytes,
  int,
  type KeyValue,
  keyValue,
  prefixEnd,
  type RawRange,
  type ResponseHeader,
} from "./_wire.ts";

/** Which keys a call covers: one key, `[key, end)`, or every key starting with `key`. */
export interface KeyRange {
  /** The end of the range (exclusive). */
  readonly end?: Bytes;
  /** Every key starting with the key. */
  readonly prefix?: boolean;
}

/** Options of {@link EtcdClient.range}. */
export interface RangeOptions extends KeyRange {
  /** At most this many keys (0: no limit). */
  readonly limit?: number;
  /** Read as of this revision (0: the newest). */
  readonly revision?: number;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  /** Served by the member alone, possibly stale (no quorum round). */
  readonly serializable?: boolean;
  readonly signal?: AbortSignal;
}

/** The answer to a range. */
export interface RangeResult {
  readonly header: ResponseHeader;
  readonly kvs: KeyValue[];
  /** More keys matched than `limit`. */
  readonly more: boolean;
  readonly count: number;
}

/** What a compare looks at, and how. */
export type CompareResult = "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";

/** One condition of a transaction. A missing key has version, create and mod revision 0. */
export type Compare =
  | {
    readonly key: Bytes;
    readonly target: "VALUE";
    readonly result: CompareResult;
    readonly value: Bytes;
  }
  | {
    readonly key: Bytes;
    readonly target: "VERSION" | "CREATE" | "MOD";
    readonly result: CompareResult;
    readonly value: number;
  }
  | {
    readonly key: Bytes;
    readonly target: "LEASE";
    readonly result: CompareResult;
    readonly value: string;
  };

/** One operation of a transaction. */
export type TxnOp =
  | { readonly put: { readonly key: Bytes; readonly value: Bytes; readonly lease?: string } }
  | { readonly range: { readonly key: Bytes } & Omit<RangeOptions, "signal" | "revision"> }
  | { readonly deleteRange: { readonly key: Bytes } & KeyRange };

/** A transaction: if every compare holds, `success` runs, else `failure`. */
export interface TxnRequest {
  readonly compare?: readonly Compare[];
  readonly success?: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

/** The answer of one transaction operation. */
export interface TxnOpResult {
  readonly range?: { readonly kvs: KeyValue[]; readonly more: boolean; readonly count: number };
  readonly deleted?: number;
}

/** The answer to a transaction. */
export interface TxnResult {
  readonly header: ResponseHeader;
  /** Whether the compares held (and `success` ran). */
  readonly succeeded: boolean;
  readonly responses: TxnOpResult[];
}

/** A member's status (`/v3/maintenance/status`). */
export interface MemberStatus {
  readonly endpoint: string;
  readonly header: ResponseHeader;
  readonly version: string;
  /** The size of the backend database file, and the part of it in use. */
  readonly dbSize: number;
  readonly dbSizeInUse: number;
  /** The leader's member ID ("0": none known). */
  readonly leader: string;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly errors: readonly string[];
}

/** A cluster member. */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

/** A lease: its ID (an int64, kept as a string) and TTL in seconds. */
export interface Lease {
  readonly id: string;
  readonly ttl: number;
}

export function rangeFields(key: Bytes, r: KeyRange): { key: string; range_end?: string } {
  const end = r.prefix ? prefixEnd(key) : r.end;
  return end === undefined ? { key: b64(key) } : { key: b64(key), range_end: b64(end) };
}

export function rawRange(key: Bytes, o: Omit<RangeOptions, "signal">): Record<string, unknown> {
  return {
    ...rangeFields(key, o),
    ...(o.limit ? { limit: String(o.limit) } : {}),
    ...(o.revision ? { revision: String(o.revision) } : {}),
    ...(o.keysOnly ? { keys_only: true } : {}),
    ...(o.countOnly ? { count_only: true } : {}),
    ...(o.serializable ? { serializable: true } : {}),
  };
}

export function rawCompare(c: Compare): Record<string, unknown> {
  const base = { key: b64(c.key), result: c.result, target: c.target };
  switch (c.target) {
    case "VALUE":
      return { ...base, value: b64(c.value) };
    case "VERSION":
      return { ...base, version: String(c.value) };
    case "CREATE":
      return { ...base, create_revision: String(c.value) };
    case "MOD":
      return { ...base, mod_revision: String(c.value) };
    case "LEASE":
      return { ...base, lease: c.value };
  }
}

export function rawOp(op: TxnOp): Record<string, unknown> {
  if ("put" in op) {
    const { key, value, lease } = op.put;
    return { request_put: { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) } };
  }
  if ("range" in op) return { request_range: rawRange(op.range.key, op.range) };
  return { request_delete_range: rangeFields(op.deleteRange.key, op.deleteRange) };
}

/** Converts a gateway range answer. */
export function rangeResult(r: RawRange): { kvs: KeyValue[]; more: boolean; count: number } {
  return { kvs: (r.kvs ?? []).map(keyValue), more: r.more ?? false, count: int(r.count) };
}
