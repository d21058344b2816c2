import { assert, assertEquals } from "../../../tests/assert.ts";
import { type FollowItem, isSnapshotItem, type LogRecord } from "../log_backend.ts";
import { bytes } from "../log_backend_testing.ts";
import { EtcdClient } from "./client.ts";
import { etcdTest, startEtcd, TcpProxy } from "./etcd_testing.ts";
import { EtcdLogBackend } from "./log_backend.ts";

function records(from: number, to: number, size = 100): LogRecord[] {
  return Array.from(
    { length: to - from + 1 },
    (_, i) => ({ index: from + i, data: bytes(size, from + i) }),
  );
}

async function* stream(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/** What a follower saw: records, and snapshots as `{ snapshot: index, bytes }`. */
type Seen = LogRecord | { snapshot: number; bytes: Uint8Array };

/**
 * Pulls items off `items` into `seen` until the last record's index is `until` (then returns
 * the iterator, ending the follow). `gate` holds the pulling while it is set.
 */
async function pull(
  items: AsyncIterable<FollowItem>,
  seen: Seen[],
  until: () => number,
): Promise<void> {
  for await (const item of items) {
    if (isSnapshotItem(item)) {
      const parts: Uint8Array[] = [];
      for await (const c of item.snapshot.chunks) parts.push(c);
      const all = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of parts) {
        all.set(c, off);
        off += c.length;
      }
      seen.push({ snapshot: item.snapshot.index, bytes: all });
    } else {
      seen.push(item);
    }
    const last = seen[seen.length - 1];
    if (last && "index" in last && last.index >= until()) return;
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const lastIndex = (seen: Seen[]) => {
  const last = seen[seen.length - 1];
  return last && "index" in last ? last.index : 0;
};

etcdTest(
  "EtcdLogBackend.follow() yields the log, then each record as it is committed",
  async () => {
    await using etcd = await startEtcd();
    const writer = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" });
    const follower = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" });
    try {
      await writer.load();
      await writer.append(records(1, 5));
      const seen: Seen[] = [];
      const done = pull(
        follower.follow(1, { signal: AbortSignal.timeout(20_000) }),
        seen,
        () => 10,
      );
      await waitFor(() => lastIndex(seen) === 5, "the records already there");
      const big = { index: 7, data: bytes(3_000_000, 7) };
      await writer.append(records(6, 6));
      await writer.append([big, ...records(8, 10)]);
      await done;
      assertEquals(seen, [...records(1, 6), big, ...records(8, 10)]);
      assertEquals(follower.lastIndex, 10, "the follower knows where the log ends");
      await follower.append(records(11, 11));
    } finally {
      await writer.close();
      await follower.close();
    }
  },
);

etcdTest(
  "EtcdLogBackend.follow() resumes after its connection drops, without a gap or a repeat",
  async () => {
    await using etcd = await startEtcd();
    await using proxy = new TcpProxy(etcd.endpoints[0] as string);
    const writer = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" });
    const follower = new EtcdLogBackend({ endpoints: [proxy.url], prefix: "/p" });
    try {
      await writer.load();
      await writer.append(records(1, 5));
      const seen: Seen[] = [];
      const retries: unknown[] = [];
      const items = follower.follow(1, {
        signal: AbortSignal.timeout(20_000),
        onRetry: (err) => retries.push(err),
      });
      const done = pull(items, seen, () => 20);
      await waitFor(() => lastIndex(seen) === 5, "the first records");
      proxy.drop(true);
      await writer.append(records(6, 12));
      await writer.append(records(13, 20));
      await waitFor(() => retries.length > 0, "the follower to notice the drop");
      assertEquals(lastIndex(seen), 5, "nothing arrives while the connection is down");
      proxy.unblock();
      await done;
      assertEquals(seen, records(1, 20));
    } finally {
      await writer.close();
      await follower.close();
    }
  },
);

etcdTest(
  "EtcdLogBackend.follow() re-reads the snapshot when etcd compacted the revision it needs",
  async () => {
    await using etcd = await startEtcd();
    await using proxy = new TcpProxy(etcd.endpoints[0] as string);
    const client = new EtcdClient({ endpoints: etcd.endpoints });
    const writer = new EtcdLogBackend({ client, prefix: "/p" });
    const follower = new EtcdLogBackend({ endpoints: [proxy.url], prefix: "/p" });
    try {
      await writer.load();
      await writer.append(records(1, 5));
      const seen: Seen[] = [];
      const done = pull(
        follower.follow(1, { signal: AbortSignal.timeout(20_000) }),
        seen,
        () => 30,
      );
      await waitFor(() => lastIndex(seen) === 5, "the first records");
      proxy.drop(true);
      const revisionAt5 = (await client.range("/p", { countOnly: true })).header.revision;
      await writer.append(records(6, 15));
      await writer.compact(10, stream(bytes(1000, 10)));
      await writer.append(records(16, 25));
      await writer.compact(20, stream(bytes(2000, 20)));
      await writer.append(records(26, 30));
      // The second compaction dropped etcd's history before the first one's pointer.
      assert(revisionAt5 < (await client.range("/p/meta")).header.revision);
      proxy.unblock();
      await done;
      assertEquals(seen, [
        ...records(1, 5),
        { snapshot: 20, bytes: bytes(2000, 20) },
        ...records(21, 30),
      ]);
      assertEquals(follower.lastIndex, 30);
    } finally {
      client.close();
      await writer.close();
      await follower.close();
    }
  },
);

etcdTest(
  "EtcdLogBackend.follow() with stopAtHead ends at the head, and the follower appends after it",
  async () => {
    await using etcd = await startEtcd();
    const writer = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" });
    const next = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" });
    try {
      await writer.load();
      await writer.append(records(1, 12));
      await writer.compact(10, stream(bytes(500, 1)));
      await writer.append(records(13, 15));
      const seen: Seen[] = [];
      await pull(next.follow(4, { stopAtHead: true }), seen, () => Infinity);
      assertEquals(seen, [{ snapshot: 10, bytes: bytes(500, 1) }, ...records(11, 15)]);
      const fromTail: Seen[] = [];
      await pull(next.follow(14, { stopAtHead: true }), fromTail, () => Infinity);
      assertEquals(fromTail, records(14, 15), "records still in the log come without the snapshot");
      await next.append(records(16, 16));
      await next.compact(16, stream(bytes(10, 2)));
      const loaded = await new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/p" }).load();
      assertEquals(loaded.snapshot?.index, 16);
    } finally {
      await writer.close();
      await next.close();
    }
  },
);
