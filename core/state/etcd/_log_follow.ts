/**
 * Following `EtcdLogBackend`'s log: read what is there at one revision R (the snapshot when the
 * records needed were compacted, then the records), then watch the record keys from R + 1.
 * The watch resumes by itself after a dropped connection; when etcd compacted the revision it
 * needs, the follow reads again from the next index it owes (yielding the new snapshot if the
 * records it needs are gone by then).
 *
 * @module
 */
import type { FollowItem } from "../log_backend.ts";
import type { EtcdClient } from "./client.ts";
import { EtcdCompactedError, EtcdError } from "./errors.ts";
import type { Layout } from "./_log_layout.ts";
import { readMeta, readRecords, recordData, snapshotChunks } from "./_log_read.ts";
import { watch } from "./watch.ts";
import { sleep } from "../../structs/sleep.ts";

/** What {@link followLog} needs. */
export interface FollowContext {
  readonly client: EtcdClient;
  readonly layout: Layout;
  readonly fromIndex: number;
  readonly signal: AbortSignal;
  readonly stopAtHead: boolean;
  readonly onRetry?: ((err: unknown) => void) | undefined;
  /** Told the snapshot pointer's revision each time it is read. */
  readonly onMeta: (modRevision: number) => void;
  /** Told each index (a snapshot's or a record's) as it is yielded. */
  readonly onIndex: (index: number) => void;
}

/** The watch delivered a record out of order: read again. */
class OutOfOrder extends Error {}

/** Yields the log from `ctx.fromIndex` on; see the module doc. */
export async function* followLog(ctx: FollowContext): AsyncGenerator<FollowItem> {
  const { client, layout, signal } = ctx;
  let next = ctx.fromIndex;
  let backoff = 50;
  while (!signal.aborted) {
    try {
      const m = await readMeta(client, layout, signal);
      ctx.onMeta(m.modRevision);
      if (m.meta && next <= m.meta.index) {
        const chunks = snapshotChunks(client, layout, m.meta, m.revision);
        next = m.meta.index + 1;
        ctx.onIndex(m.meta.index);
        yield { snapshot: { index: m.meta.index, chunks } };
      }
      for await (const r of readRecords(client, layout, next, m.revision, signal)) {
        next++;
        ctx.onIndex(r.index);
        yield r;
      }
      if (ctx.stopAtHead) return;
      const events = watch(client, layout.logPrefix, {
        prefix: true,
        noDelete: true,
        startRevision: m.revision + 1,
        signal,
        ...(ctx.onRetry ? { onReconnect: ctx.onRetry } : {}),
      });
      for await (const batch of events) {
        backoff = 50;
        for (const e of batch.events) {
          const index = layout.indexOf(e.kv.key);
          if (index < next) continue;
          if (index > next) throw new OutOfOrder(`record ${index} came before ${next}`);
          const data = await recordData(
            client,
            layout,
            index,
            e.kv.value,
            e.kv.modRevision,
            signal,
          );
          if (!data) throw new OutOfOrder(`the chunks of record ${index} are missing`);
          next++;
          ctx.onIndex(index);
          yield { index, data };
        }
      }
      return;
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof EtcdCompactedError)) {
        if (ctx.stopAtHead || !(err instanceof EtcdError || err instanceof OutOfOrder)) throw err;
        ctx.onRetry?.(err);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }
}
