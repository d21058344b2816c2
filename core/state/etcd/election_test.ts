import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { EtcdClient } from "./client.ts";
import { Election, keepAlive, LeaseLostError } from "./election.ts";
import { etcdTest, startEtcd } from "./etcd_testing.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

etcdTest("Election elects one candidate at a time, in order", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const e = new Election(c, "/e/leader");
    assertEquals(await e.leader(), undefined, "no leader before a campaign");
    const [la, lb] = await Promise.all([c.leaseGrant(30), c.leaseGrant(30)]);
    const a = await e.campaign("server-a", { lease: la.id, signal: AbortSignal.timeout(10_000) });
    assert(a.key.startsWith("/e/leader/"), a.key);
    assertEquals((await c.get(a.key))?.createRevision, a.rev);
    let bElected = false;
    const b = e.campaign("server-b", { lease: lb.id, signal: AbortSignal.timeout(10_000) }).then(
      (k) => {
        bElected = true;
        return k;
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(bElected, false, "the second candidate waits");
    assertEquals(text((await e.leader())?.value), "server-a");
    await e.proclaim(a, "server-a v2");
    assertEquals(text((await e.leader())?.value), "server-a v2");
    await e.resign(a);
    const bKey = await b;
    assert(bKey.rev > a.rev);
    assertEquals(text((await e.leader())?.value), "server-b");
    await assertRejects(() => e.proclaim(a, "stale"), Error, "not leader");
  } finally {
    c.close();
  }
});

etcdTest("Election.campaign() withdraws when aborted; observe() follows the leader", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const e = new Election(c, "/e/leader");
    const [la, lb] = await Promise.all([c.leaseGrant(30), c.leaseGrant(30)]);
    const a = await e.campaign("a", { lease: la.id, signal: AbortSignal.timeout(10_000) });
    const ac = new AbortController();
    const waiting = e.campaign("b", { lease: lb.id, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    assertEquals((await c.range("/e/leader/", { prefix: true })).count, 2);
    ac.abort(new Error("stop"));
    await assertRejects(() => waiting, Error, "stop");
    // etcd deletes the withdrawn candidate's key.
    for (let i = 0; i < 50 && (await c.range("/e/leader/", { prefix: true })).count > 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals((await c.range("/e/leader/", { prefix: true })).count, 1);

    const stop = new AbortController();
    const seen: string[] = [];
    const observing = (async () => {
      for await (
        const kv of e.observe(AbortSignal.any([stop.signal, AbortSignal.timeout(10_000)]))
      ) {
        seen.push(text(kv.value));
        if (seen.length === 2) stop.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await c.leaseRevoke(la.id);
    const lc = await c.leaseGrant(30);
    await e.campaign("c", { lease: lc.id, signal: AbortSignal.timeout(10_000) });
    await observing;
    assertEquals(seen, ["a", "c"]);
    assertEquals(a.lease, la.id);
  } finally {
    c.close();
  }
});

etcdTest("keepAlive() renews a lease and reports it lost when it expires", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const lease = await c.leaseGrant(2);
    const ac = new AbortController();
    const alive = keepAlive(c, lease, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 3000));
    assert((await c.leaseTimeToLive(lease.id)) > 0, "the lease outlived its TTL");
    await c.leaseRevoke(lease.id);
    await assertRejects(() => alive, LeaseLostError, "expired");
    const other = await c.leaseGrant(5);
    const stop = new AbortController();
    const running = keepAlive(c, other, { signal: stop.signal });
    stop.abort();
    await running;
    ac.abort();
  } finally {
    c.close();
  }
});
