/**
 * The JSON shapes of etcd's v3 gateway: keys and values in base64, 64-bit integers as strings,
 * fields at their zero value left out. Converted here to and from the client's types.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key or value: a string (UTF-8) or bytes. */
export type Bytes = string | Uint8Array;

/** Bytes as the gateway wants them. */
export function b64(data: Bytes): string {
  return (typeof data === "string" ? encoder.encode(data) : data).toBase64();
}

/** Bytes from the gateway (an absent field is empty). */
export function unb64(data: string | undefined): Uint8Array {
  return data ? Uint8Array.fromBase64(data) : new Uint8Array();
}

/** A key from the gateway, as text. */
export function keyText(data: string | undefined): string {
  return decoder.decode(unb64(data));
}

/** The gateway's int64 (a string, absent for zero) as a number. */
export function int(v: string | number | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/** The end of the range of every key starting with `prefix` (etcd's `range_end`). */
export function prefixEnd(prefix: Bytes): Uint8Array {
  const p = typeof prefix === "string" ? encoder.encode(prefix) : prefix.slice();
  for (let i = p.length - 1; i >= 0; i--) {
    if ((p[i] as number) < 0xff) {
      p[i] = (p[i] as number) + 1;
      return p.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff: the range runs to the end of the key space.
  return new Uint8Array([0]);
}

/** The response header. */
export interface RawHeader {
  cluster_id?: string;
  member_id?: string;
  revision?: string;
  raft_term?: string;
}

/** A key-value pair. */
export interface RawKeyValue {
  key?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  value?: string;
  lease?: string;
}

/** `/v3/kv/range`'s response. */
export interface RawRange {
  header?: RawHeader;
  kvs?: RawKeyValue[];
  more?: boolean;
  count?: string;
}

/** A watch event. */
export interface RawEvent {
  type?: "PUT" | "DELETE";
  kv?: RawKeyValue;
  prev_kv?: RawKeyValue;
}

/** One message of `/v3/watch`'s stream (inside `result`). */
export interface RawWatchResponse {
  header?: RawHeader;
  watch_id?: string;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: string;
  cancel_reason?: string;
  fragment?: boolean;
  events?: RawEvent[];
}

/** The error body of a failed call (also `error` of a stream message). */
export interface RawError {
  error?: string;
  message?: string;
  code?: number;
}

/** A key-value pair as the client returns it. */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  /** How many times the key was written since it was created. */
  readonly version: number;
  /** The lease the key is attached to ("0": none); an int64, kept as a string. */
  readonly lease: string;
}

/** Converts a gateway key-value pair. */
export function keyValue(kv: RawKeyValue): KeyValue {
  return {
    key: keyText(kv.key),
    value: unb64(kv.value),
    createRevision: int(kv.create_revision),
    modRevision: int(kv.mod_revision),
    version: int(kv.version),
    lease: kv.lease ?? "0",
  };
}

/** What every response carries: the cluster's revision when it was served. */
export interface ResponseHeader {
  readonly revision: number;
  readonly memberId: string;
  readonly raftTerm: number;
}

/** Converts a gateway header. */
export function header(h: RawHeader | undefined): ResponseHeader {
  return {
    revision: int(h?.revision),
    memberId: h?.member_id ?? "",
    raftTerm: int(h?.raft_term),
  };
}
