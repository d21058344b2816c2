import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { EtcdClient } from "./client.ts";
import { EtcdCompactedError } from "./errors.ts";
import { etcdTest, startEtcd, TcpProxy } from "./etcd_testing.ts";
import { watch, type WatchBatch } from "./watch.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Collects the events' `type key=value` until `n` arrived. */
async function take(
  batches: AsyncIterable<WatchBatch>,
  n: number,
  out: string[] = [],
): Promise<string[]> {
  for await (const b of batches) {
    for (const e of b.events) out.push(`${e.type} ${e.kv.key}=${text(e.kv.value)}`);
    if (out.length >= n) break;
  }
  return out;
}

etcdTest("watch() delivers puts and deletes under a prefix from a start revision", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const start = await c.put("/w/a", "1");
    await c.put("/other", "x");
    await c.txn({
      success: [{ put: { key: "/w/b", value: "2" } }, { put: { key: "/w/c", value: "3" } }],
    });
    await c.deleteRange("/w/a");
    const signal = AbortSignal.timeout(10_000);
    const all = await take(
      watch(c, "/w/", { prefix: true, startRevision: start.revision, signal }),
      4,
    );
    assertEquals(all, ["PUT /w/a=1", "PUT /w/b=2", "PUT /w/c=3", "DELETE /w/a="]);
    const puts = await take(
      watch(c, "/w/", { prefix: true, startRevision: start.revision, noDelete: true, signal }),
      3,
    );
    assertEquals(puts, ["PUT /w/a=1", "PUT /w/b=2", "PUT /w/c=3"]);
    // A live watch sees later changes; the events of one transaction come in one batch.
    const live = watch(c, "/w/", { prefix: true, signal });
    const first = live.next();
    await new Promise((r) => setTimeout(r, 100));
    const tx = await c.txn({
      success: [{ put: { key: "/w/d", value: "4" } }, { put: { key: "/w/e", value: "5" } }],
    });
    const batch = (await first).value as WatchBatch;
    assertEquals(batch.events.map((e) => e.kv.key), ["/w/d", "/w/e"]);
    assertEquals(batch.revision, tx.header.revision);
    await live.return(undefined);
  } finally {
    c.close();
  }
});

etcdTest(
  "watch() rejects with EtcdCompactedError when its start revision was compacted",
  async () => {
    await using etcd = await startEtcd();
    const c = new EtcdClient({ endpoints: etcd.endpoints });
    try {
      const old = await c.put("/w/a", "1");
      const now = await c.put("/w/a", "2");
      await c.compact(now.revision);
      const err = await assertRejects(
        () =>
          take(
            watch(c, "/w/", {
              prefix: true,
              startRevision: old.revision,
              signal: AbortSignal.timeout(10_000),
            }),
            1,
          ),
        EtcdCompactedError,
        `compacted history up to ${now.revision}`,
      );
      assertEquals((err as EtcdCompactedError).compactRevision, now.revision);
    } finally {
      c.close();
    }
  },
);

etcdTest("watch() resumes from its last revision after the connection drops", async () => {
  await using etcd = await startEtcd();
  await using proxy = new TcpProxy(etcd.endpoints[0] as string);
  const direct = new EtcdClient({ endpoints: etcd.endpoints });
  const viaProxy = new EtcdClient({ endpoints: [proxy.url] });
  try {
    const reconnects: unknown[] = [];
    const w = watch(viaProxy, "/w/", {
      prefix: true,
      signal: AbortSignal.timeout(15_000),
      onReconnect: (err) => reconnects.push(err),
    });
    const first = w.next();
    await new Promise((r) => setTimeout(r, 100));
    await direct.put("/w/1", "a");
    assertEquals(((await first).value as WatchBatch).events[0]?.kv.key, "/w/1");
    proxy.drop(true);
    for (let i = 2; i <= 5; i++) await direct.put(`/w/${i}`, "b");
    const rest = take(w, 4);
    while (reconnects.length === 0) await new Promise((r) => setTimeout(r, 10));
    proxy.unblock();
    assertEquals(await rest, ["PUT /w/2=b", "PUT /w/3=b", "PUT /w/4=b", "PUT /w/5=b"]);
    assert(reconnects.length >= 1);
  } finally {
    direct.close();
    viaProxy.close();
  }
});

etcdTest("watch() ends when its signal aborts, and refuses to run on a closed client", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  const ac = new AbortController();
  const seen = take(watch(c, "/w/", { prefix: true, signal: ac.signal }), 1);
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  assertEquals(await seen, []);
  c.close();
  await assertRejects(
    () => take(watch(c, "/w/", { prefix: true, signal: AbortSignal.timeout(5000) }), 1),
    Error,
    "client is closed",
  );
});
