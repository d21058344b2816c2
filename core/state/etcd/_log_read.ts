/**
 * Reading `EtcdLogBackend`'s keys: the snapshot pointer, records (joining chunked ones) and
 * snapshot chunks, each read pinned to one revision so that what is read fits together.
 *
 * @module
 */
import type { LogRecord } from "../log_backend.ts";
import type { EtcdClient } from "./client.ts";
import {
  decodeMeta,
  decodeValue,
  inflateRecord,
  inflateStream,
  join,
  type Layout,
  type SnapMeta,
} from "./_log_layout.ts";

/** The snapshot pointer and the revision it was read at. */
export interface MetaRead {
  readonly meta: SnapMeta | null;
  /** `P/meta`'s mod revision (0: absent). */
  readonly modRevision: number;
  /** The revision of the read: later reads pinned to it see the same state. */
  readonly revision: number;
}

/** Records per page (most are a few KB; the largest inline one is about a MiB). */
const RECORD_PAGE = 128;
/** Chunks per page (each up to about a MiB). */
const CHUNK_PAGE = 4;

/** Reads `P/meta` (at the newest revision, linearizably). */
export async function readMeta(
  client: EtcdClient,
  layout: Layout,
  signal?: AbortSignal,
): Promise<MetaRead> {
  const r = await client.range(layout.meta, signal ? { signal } : {});
  const kv = r.kvs[0];
  return {
    meta: kv ? decodeMeta(kv.value) : null,
    modRevision: kv?.modRevision ?? 0,
    revision: r.header.revision,
  };
}

/** A chunked record's or snapshot's chunks under `prefix`, joined; undefined when incomplete. */
export async function readChunks(
  client: EtcdClient,
  prefix: string,
  head: { chunks: number; bytes: number },
  revision: number,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  for await (const c of chunksOf(client, prefix, revision, signal)) parts.push(c);
  const bytes = parts.reduce((n, c) => n + c.length, 0);
  if (parts.length !== head.chunks || bytes !== head.bytes) return undefined;
  return join(parts, bytes);
}

async function* chunksOf(
  client: EtcdClient,
  prefix: string,
  revision: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  for await (
    const page of client.scan(prefix, {
      prefix: true,
      pageSize: CHUNK_PAGE,
      revision,
      ...(signal ? { signal } : {}),
    })
  ) {
    for (const kv of page.kvs) yield kv.value;
  }
}

/** The bytes of record `index` from its stored value (reading its chunks when chunked). */
export async function recordData(
  client: EtcdClient,
  layout: Layout,
  index: number,
  value: Uint8Array,
  revision: number,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const v = decodeValue(value);
  if ("data" in v) return inflateRecord(v.data, v.z);
  const prefix = layout.logChunkPrefix(index, v.head.id);
  const stored = await readChunks(client, prefix, v.head, revision, signal);
  return stored && inflateRecord(stored, v.head.z);
}

/**
 * The records from `from` on, as of `revision`, in index order; stops before a gap or a
 * chunked record whose chunks are missing.
 */
export async function* readRecords(
  client: EtcdClient,
  layout: Layout,
  from: number,
  revision: number,
  signal?: AbortSignal,
): AsyncGenerator<LogRecord> {
  let next = from;
  for await (
    const page of client.scan(layout.log(from), {
      end: layout.logEnd,
      pageSize: RECORD_PAGE,
      revision,
      ...(signal ? { signal } : {}),
    })
  ) {
    for (const kv of page.kvs) {
      const index = layout.indexOf(kv.key);
      if (index !== next) return;
      const data = await recordData(client, layout, index, kv.value, revision, signal);
      if (!data) return;
      yield { index, data };
      next++;
    }
  }
}

/** A snapshot's bytes as of `revision` (inflated); throws when some chunks are missing. */
export function snapshotChunks(
  client: EtcdClient,
  layout: Layout,
  meta: SnapMeta,
  revision: number,
): AsyncIterable<Uint8Array> {
  const stored = storedChunks(client, layout, meta, revision);
  return meta.z ? inflateStream(stored) : stored;
}

async function* storedChunks(
  client: EtcdClient,
  layout: Layout,
  meta: SnapMeta,
  revision: number,
): AsyncGenerator<Uint8Array> {
  let n = 0;
  let bytes = 0;
  for await (const c of chunksOf(client, layout.snapPrefix(meta.id), revision)) {
    n++;
    bytes += c.length;
    yield c;
  }
  if (n !== meta.chunks || bytes !== meta.bytes) {
    throw new Error(
      `Cannot read the state snapshot at index ${meta.index} from etcd: ${n} of ${meta.chunks} chunks found`,
    );
  }
}
