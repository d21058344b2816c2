/**
 * Watching keys through the gateway's `/v3/watch` stream (JSON messages, one a line).
 *
 * A watch resumes by itself after a dropped connection (on the next endpoint, from the
 * revision after the last one it delivered, so nothing is missed or repeated) and ends with
 * {@link EtcdCompactedError} when the revision it needs was compacted away: the caller then
 * re-reads the current state and watches again from there.
 *
 * @example
 * ```ts
 * for await (const batch of watch(etcd, "/nomad-ts/", { prefix: true, signal })) {
 *   for (const e of batch.events) console.log(e.type, e.kv.key);
 * }
 * ```
 *
 * @module
 */
import type { EtcdClient, KeyRange, KeyValue } from "./client.ts";
import { EtcdCompactedError, EtcdError } from "./errors.ts";
import {
  b64,
  type Bytes,
  header,
  int,
  keyValue,
  prefixEnd,
  type RawWatchResponse,
} from "./_wire.ts";
import { sleep } from "../../structs/sleep.ts";

/** Options of {@link watch}. */
export interface WatchOptions extends KeyRange {
  /** The first revision to deliver (0: changes after now). */
  readonly startRevision?: number;
  /** Leave out deletions (or puts). */
  readonly noDelete?: boolean;
  readonly noPut?: boolean;
  /** Deliver each event's previous key-value pair. */
  readonly prevKv?: boolean;
  /**
   * After this long without a message, check that the endpoint still answers (and has a
   * leader); if it does not, reconnect elsewhere. Default 5000 ms.
   */
  readonly idleCheckMs?: number;
  /** Reconnect after a dropped stream (default true); false: throw the error instead. */
  readonly resume?: boolean;
  /** Told about each dropped stream before the watch reconnects. */
  readonly onReconnect?: (err: unknown) => void;
  /** Ends the watch (the iteration returns). */
  readonly signal: AbortSignal;
}

/** One change. */
export interface WatchEvent {
  readonly type: "PUT" | "DELETE";
  /** For a deletion, the key with `modRevision` the deletion's revision and an empty value. */
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

/** The events of one or more revisions, in revision order (a revision is never split). */
export interface WatchBatch {
  readonly events: readonly WatchEvent[];
  /**
   * Every change up to this revision has been delivered: the last event's revision, or for a
   * progress notification the cluster's revision.
   */
  readonly revision: number;
}

/**
 * Watches a key or range; see the module doc.
 *
 * @throws {EtcdCompactedError} when history the watch needs was compacted.
 */
export async function* watch(
  client: EtcdClient,
  key: Bytes,
  opts: WatchOptions,
): AsyncGenerator<WatchBatch> {
  const { signal } = opts;
  let next = opts.startRevision ?? 0;
  let backoff = 50;
  while (!signal.aborted) {
    if (client.closed.aborted) {
      throw new EtcdError("Cannot watch: the etcd client is closed", { endpoint: "" });
    }
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let checker: ReturnType<typeof setInterval> | undefined;
    try {
      const stream = await client.stream("/v3/watch", {
        create_request: {
          key: b64(key),
          ...(opts.prefix
            ? { range_end: b64(prefixEnd(key)) }
            : opts.end
            ? { range_end: b64(opts.end) }
            : {}),
          ...(next ? { start_revision: String(next) } : {}),
          ...(opts.prevKv ? { prev_kv: true } : {}),
          filters: [...(opts.noPut ? ["NOPUT"] : []), ...(opts.noDelete ? ["NODELETE"] : [])],
        },
      }, attempt.signal);
      let lastMessage = Date.now();
      const idle = opts.idleCheckMs ?? 5000;
      checker = setInterval(() => {
        if (Date.now() - lastMessage < idle) return;
        lastMessage = Date.now();
        client.call("/v3/kv/range", { key: b64(key), limit: "1", keys_only: true }, {
          idempotent: true,
          endpoint: stream.endpoint,
          timeoutMs: idle,
        }).catch((err) =>
          attempt.abort(
            new EtcdError(`etcd at ${stream.endpoint} stopped answering: ${err.message}`, {
              endpoint: stream.endpoint,
              cause: err,
            }),
          )
        );
      }, Math.max(50, Math.floor(idle / 2)));
      for await (const m of stream.messages) {
        lastMessage = Date.now();
        const msg = m as RawWatchResponse;
        if (msg.canceled) {
          const compactRevision = int(msg.compact_revision);
          if (compactRevision > 0) {
            throw new EtcdCompactedError(
              `Cannot watch from revision ${next}: etcd at ${stream.endpoint} compacted history up to ${compactRevision}`,
              compactRevision,
              { endpoint: stream.endpoint },
            );
          }
          throw new EtcdError(
            `etcd at ${stream.endpoint} canceled the watch: ${
              msg.cancel_reason || "no reason given"
            }`,
            { endpoint: stream.endpoint },
          );
        }
        if (msg.created) {
          backoff = 50;
          continue;
        }
        const events = (msg.events ?? []).map((e): WatchEvent => ({
          type: e.type ?? "PUT",
          kv: keyValue(e.kv ?? {}),
          ...(e.prev_kv ? { prevKv: keyValue(e.prev_kv) } : {}),
        }));
        const last = events[events.length - 1];
        // A progress notification comes only once every earlier change was sent.
        const revision = last ? last.kv.modRevision : header(msg.header).revision;
        if (revision >= next) next = revision + 1;
        yield { events, revision };
      }
      if (signal.aborted) return;
      throw new EtcdError(`etcd at ${stream.endpoint} ended the watch stream`, {
        endpoint: stream.endpoint,
      });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof EtcdCompactedError || opts.resume === false || client.closed.aborted) {
        throw err;
      }
      if (attempt.signal.aborted && attempt.signal.reason instanceof EtcdError) {
        opts.onReconnect?.(attempt.signal.reason);
      } else {
        opts.onReconnect?.(err);
      }
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 2000);
    } finally {
      clearInterval(checker);
      signal.removeEventListener("abort", onAbort);
      attempt.abort();
    }
  }
}
