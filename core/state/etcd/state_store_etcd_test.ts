/**
 * The state store on etcd with several servers: followers apply what the leader writes
 * (`StateStore.follow` over `EtcdLogBackend.follow`), and leadership moves from one server to
 * another without losing an acknowledged write, the deposed leader unable to write.
 */
import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { LogFencedError } from "../kv_log_backend.ts";
import { EventStreamDroppedError } from "../events.ts";
import { StateStore } from "../state_store.ts";
import { mockEval, mockJob, mockNode } from "../_testing.ts";
import { EtcdClient } from "./client.ts";
import { Election, fenceOf } from "./election.ts";
import { etcdTest, startEtcd } from "./etcd_testing.ts";
import { EtcdLogBackend } from "./log_backend.ts";

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const nodeIds = (s: StateStore) => s.snapshot().nodes().map((n) => n.ID).sort();

etcdTest("StateStore.follow() keeps a follower's state equal to the leader's", async () => {
  await using etcd = await startEtcd();
  const leaderLog = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/s" });
  const leader = await StateStore.open({ backend: leaderLog, compactEntries: 20 });
  const followerLog = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/s" });
  const follower = await StateStore.open({ backend: followerLog });
  const behindLog = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/s" });
  const behind = await StateStore.open({ backend: behindLog });
  const ac = new AbortController();
  const following = follower.follow(followerLog.follow(follower.index + 1, { signal: ac.signal }));
  try {
    for (let i = 0; i < 30; i++) {
      await leader.apply({ type: "NodeRegister", node: mockNode(`n${i}`) });
    }
    const job = mockJob("web");
    const { index } = await leader.apply({ type: "JobRegister", job, eval: mockEval("e1", job) });
    const waited = await follower.waitForIndex(["jobs"], 0, AbortSignal.timeout(10_000));
    assertEquals(waited, index, "a blocking query on the follower wakes up");
    assertEquals(nodeIds(follower), nodeIds(leader));
    assertEquals(follower.snapshot().job("default", "web")?.ModifyIndex, index);
    await assertRejects(
      () => follower.apply({ type: "NodeRegister", node: mockNode("x") }),
      LogFencedError,
      "only the leader writes it",
    );
    assert(leader.stats().compactions >= 1, "the leader compacted meanwhile");

    // A server that fell behind the compactions is reset from the snapshot; its event
    // subscribers are dropped (they missed events).
    const events = behind.events({}, AbortSignal.timeout(10_000))[Symbol.asyncIterator]();
    const dropped = assertRejects(() => events.next(), EventStreamDroppedError);
    await behind.follow(behindLog.follow(behind.index + 1, { stopAtHead: true }));
    await dropped;
    assert(behind.stats().snapshotIndex > 0, "the follower started from the snapshot");
    assertEquals([behind.index, nodeIds(behind)], [leader.index, nodeIds(leader)]);
    assertEquals(behind.snapshot().job("default", "web")?.ModifyIndex, index);

    // A server that starts after compactions begins from the snapshot.
    const lateLog = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/s" });
    const late = await StateStore.open({ backend: lateLog });
    assert(late.stats().snapshotIndex > 0);
    assertEquals(nodeIds(late), nodeIds(leader));
    await late.close();
  } finally {
    ac.abort();
    await following;
    await leader.close();
    await follower.close();
    await behind.close();
  }
});

etcdTest("leadership moves between StateStores on etcd without losing a write", async () => {
  await using etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  const election = new Election(client, "/s/leader");
  const logA = new EtcdLogBackend({ client, prefix: "/s" });
  const logB = new EtcdLogBackend({ client, prefix: "/s" });
  const a = await StateStore.open({ backend: logA, compactEntries: 10 });
  const b = await StateStore.open({ backend: logB, compactEntries: 10 });
  const stopB = new AbortController();
  const followingB = b.follow(logB.follow(b.index + 1, { signal: stopB.signal }));
  try {
    const leaseA = await client.leaseGrant(30);
    const termA = await election.campaign("a", {
      lease: leaseA.id,
      signal: AbortSignal.timeout(10_000),
    });
    logA.setFence(fenceOf(termA));
    const acked: string[] = [];
    for (let i = 0; i < 15; i++) {
      await a.apply({ type: "NodeRegister", node: mockNode(`a${i}`) });
      acked.push(`a${i}`);
    }
    await until(() => b.index === a.index, "b to catch up");

    // a loses its key (say its lease expired during a pause); b is elected.
    await client.leaseRevoke(leaseA.id);
    const leaseB = await client.leaseGrant(30);
    const termB = await election.campaign("b", {
      lease: leaseB.id,
      signal: AbortSignal.timeout(10_000),
    });
    stopB.abort();
    await followingB;
    logB.setFence(fenceOf(termB));
    await b.follow(logB.follow(b.index + 1, { stopAtHead: true }));
    for (let i = 0; i < 15; i++) {
      await b.apply({ type: "NodeRegister", node: mockNode(`b${i}`) });
      acked.push(`b${i}`);
    }
    // The deposed leader cannot write, whatever it believes...
    await assertRejects(
      () => a.apply({ type: "NodeRegister", node: mockNode("lost") }),
      Error,
      "no longer the leader",
    );
    // ...and following again brings it up to date.
    await a.follow(logA.follow(a.index + 1, { stopAtHead: true }));
    assertEquals(nodeIds(a), [...acked].sort());
    assertEquals(nodeIds(b), [...acked].sort());
    const fresh = await StateStore.open({ backend: new EtcdLogBackend({ client, prefix: "/s" }) });
    assertEquals(nodeIds(fresh), [...acked].sort(), "every acknowledged write is in etcd");
    assertEquals(fresh.index, b.index);
    await fresh.close();
  } finally {
    stopB.abort();
    await followingB.catch(() => {});
    await a.close();
    await b.close();
    client.close();
  }
});
