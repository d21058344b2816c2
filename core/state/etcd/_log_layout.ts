/**
 * Where `EtcdLogBackend` keeps things under its prefix `P`, and how values are encoded:
 *
 * - `P/log/<index, 20 digits>`: a record. Its value is a tag byte then the record's bytes
 *   (tag 0), or them deflated (tag 2), or for a record larger than a chunk once deflated,
 *   `{ id, chunks, bytes, z }` as JSON (tag 1) whose bytes (deflated when `z`) are in
 *   `P/logc/<index>/<id>/<n, 6 digits>`, written before it.
 * - `P/snap/<id>/<n>`: the chunks of a snapshot (one raw deflate stream when `z`); `P/meta`:
 *   `{ v, index, id, chunks, bytes, z }`, the newest snapshot.
 *
 * Entries and snapshots are JSON: deflate shrinks them 10 to 25 times, and etcd's write
 * bandwidth is what limits the log.
 *
 * The record at the snapshot's index is kept (its chunks are not): it anchors the next append,
 * whose transaction requires the previous index to exist and its own to be free.
 *
 * @module
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { prefixEnd } from "./_wire.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The newest snapshot, as `P/meta` holds it. */
export interface SnapMeta {
  readonly v: 1;
  readonly index: number;
  readonly id: string;
  readonly chunks: number;
  /** The bytes stored (deflated when `z`). */
  readonly bytes: number;
  /** The chunks form one raw deflate stream. */
  readonly z?: boolean;
}

/** A chunked record's head. */
export interface ChunkedHead {
  readonly id: string;
  readonly chunks: number;
  /** The bytes stored (deflated when `z`). */
  readonly bytes: number;
  readonly z?: boolean;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** The keys of one log. */
export class Layout {
  readonly prefix: string;
  /** `P/log/`: the records' keys start with it. */
  readonly logPrefix: string;
  readonly meta: string;

  constructor(prefix: string) {
    this.prefix = prefix.replace(/\/+$/, "");
    this.logPrefix = `${this.prefix}/log/`;
    this.meta = `${this.prefix}/meta`;
  }

  log(index: number): string {
    return `${this.logPrefix}${pad(index, 20)}`;
  }

  /** The index of a record key; NaN for a key that is not one. */
  indexOf(key: string): number {
    return key.startsWith(this.logPrefix) ? Number(key.slice(this.logPrefix.length)) : NaN;
  }

  /** The end of the record keys (exclusive). */
  get logEnd(): Uint8Array {
    return prefixEnd(this.logPrefix);
  }

  logChunkPrefix(index: number, id: string): string {
    return `${this.prefix}/logc/${pad(index, 20)}/${id}/`;
  }

  logChunk(index: number, id: string, n: number): string {
    return `${this.logChunkPrefix(index, id)}${pad(n, 6)}`;
  }

  /** Every record chunk of the indexes before `index`: `[start, end)`. */
  logChunksBefore(index: number): [string, string] {
    return [`${this.prefix}/logc/`, `${this.prefix}/logc/${pad(index, 20)}`];
  }

  snapPrefix(id: string): string {
    return `${this.prefix}/snap/${id}/`;
  }

  snapChunk(id: string, n: number): string {
    return `${this.snapPrefix(id)}${pad(n, 6)}`;
  }

  /** The two ranges holding every snapshot chunk but those of `id`. */
  otherSnapshots(id: string): [string, Uint8Array | string][] {
    const all = `${this.prefix}/snap/`;
    return [[all, this.snapPrefix(id)], [
      decoder.decode(prefixEnd(this.snapPrefix(id))),
      prefixEnd(all),
    ]];
  }
}

/** A record's value: inline bytes (tag 0), or deflated bytes (tag 2). */
export function inlineValue(data: Uint8Array, deflated = false): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = deflated ? 2 : 0;
  out.set(data, 1);
  return out;
}

/** A record's value: the head of a chunked record. */
export function headValue(head: ChunkedHead): Uint8Array {
  const json = encoder.encode(JSON.stringify(head));
  const out = new Uint8Array(json.length + 1);
  out[0] = 1;
  out.set(json, 1);
  return out;
}

/** A decoded record value. */
export type RecordValue =
  | { readonly data: Uint8Array; readonly z: boolean }
  | { readonly head: ChunkedHead };

/** Decodes a record's value: its bytes (maybe deflated), or the head of its chunks. */
export function decodeValue(value: Uint8Array): RecordValue {
  switch (value[0]) {
    case 0:
      return { data: value.subarray(1), z: false };
    case 2:
      return { data: value.subarray(1), z: true };
    case 1:
      return { head: JSON.parse(decoder.decode(value.subarray(1))) as ChunkedHead };
  }
  throw new Error(`Cannot read a state log record: unknown value tag ${value[0]}`);
}

/** Deflates a record when that makes it at least 10% smaller; says whether it did. */
export function deflateRecord(data: Uint8Array): { data: Uint8Array; z: boolean } {
  if (data.length < 1024) return { data, z: false };
  const z = deflateRawSync(data, { level: 1 });
  return z.length < data.length * 0.9
    ? { data: new Uint8Array(z.buffer, z.byteOffset, z.length), z: true }
    : { data, z: false };
}

/** Inflates what {@link deflateRecord} deflated. */
export function inflateRecord(data: Uint8Array, z: boolean | undefined): Uint8Array {
  if (!z) return data;
  const out = inflateRawSync(data);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Deflates a stream of snapshot bytes (one raw deflate stream). */
export function deflateStream(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return ReadableStream.from(chunks as AsyncIterable<Uint8Array<ArrayBuffer>>).pipeThrough(
    new CompressionStream("deflate-raw"),
  );
}

/** Inflates what {@link deflateStream} deflated. */
export function inflateStream(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return ReadableStream.from(chunks as AsyncIterable<Uint8Array<ArrayBuffer>>).pipeThrough(
    new DecompressionStream("deflate-raw"),
  );
}

/** Parses `P/meta`. */
export function decodeMeta(value: Uint8Array): SnapMeta {
  const meta = JSON.parse(decoder.decode(value)) as SnapMeta;
  if (meta.v !== 1) throw new Error(`Cannot read the state snapshot pointer: version ${meta.v}`);
  return meta;
}

/** Encodes `P/meta`. */
export function encodeMeta(meta: SnapMeta): Uint8Array {
  return encoder.encode(JSON.stringify(meta));
}

/** Joins chunks into one array of `bytes` bytes. */
export function join(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Whether two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
