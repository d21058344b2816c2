/**
 * The etcd log on a real three-member etcd cluster: the conformance suite, a member down (the
 * client fails over, a follower's watch moves to another member), and a majority down (a
 * clear error in bounded time, and writes again once the members are back).
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../../tests/assert.ts";
import { isSnapshotItem, type LogRecord } from "../log_backend.ts";
import { bytes, runTests } from "../log_backend_testing.ts";
import { EtcdClient } from "./client.ts";
import { EtcdError } from "./errors.ts";
import { etcdMissing, etcdTest, startEtcd } from "./etcd_testing.ts";
import { EtcdLogBackend } from "./log_backend.ts";

if (!etcdMissing()) {
  runTests({
    name: "EtcdLogBackend (three members)",
    newBackend: async () => {
      const etcd = await startEtcd({ members: 3 });
      return {
        open: () =>
          Promise.resolve(new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/t" })),
        dispose: () => etcd.stop(),
      };
    },
  });
}

function records(from: number, to: number, size = 100): LogRecord[] {
  return Array.from(
    { length: to - from + 1 },
    (_, i) => ({ index: from + i, data: bytes(size, from + i) }),
  );
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The member that is raft leader, by its client URL. */
async function raftLeader(client: EtcdClient): Promise<string> {
  const statuses = await client.status();
  for (const s of statuses) {
    if (s.status === "fulfilled" && s.value.leader === s.value.header.memberId) {
      return s.value.endpoint;
    }
  }
  throw new Error("no etcd member says it leads");
}

etcdTest("EtcdLogBackend keeps working when an etcd member (the raft leader) dies", async () => {
  await using etcd = await startEtcd({ members: 3 });
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  // The writer and the follower prefer the raft leader: its loss hits both.
  const leaderUrl = await raftLeader(client);
  const ordered = [leaderUrl, ...etcd.endpoints.filter((e) => e !== leaderUrl)];
  const writer = new EtcdLogBackend({ endpoints: ordered, prefix: "/h" });
  const follower = new EtcdLogBackend({ endpoints: ordered, prefix: "/h" });
  try {
    await writer.load();
    await writer.append(records(1, 10));
    const seen: LogRecord[] = [];
    const following = (async () => {
      for await (const item of follower.follow(1, { signal: AbortSignal.timeout(30_000) })) {
        if (isSnapshotItem(item)) throw new Error("no snapshot was expected");
        seen.push(item);
        if (item.index === 30) return;
      }
    })();
    while (seen.length < 10) await new Promise((r) => setTimeout(r, 10));
    const member = etcd.members.find((m) => m.clientUrl === leaderUrl);
    await member?.stop();
    const started = Date.now();
    await writer.append(records(11, 20));
    const failover = Date.now() - started;
    await writer.append(records(21, 30));
    await following;
    assertEquals(seen, records(1, 30), "the follower moved to another member without a gap");
    const loaded = await new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/h" }).load();
    assertEquals(await collect(loaded.entries), records(1, 30));
    assert(failover < 10_000, `the first write after the loss took ${failover} ms`);
    assert((await raftLeader(client)) !== leaderUrl, "another member leads");
  } finally {
    client.close();
    await writer.close();
    await follower.close();
  }
});

etcdTest(
  "EtcdLogBackend fails in bounded time with a clear error when a majority is down",
  async () => {
    await using etcd = await startEtcd({ members: 3 });
    const opts = {
      endpoints: etcd.endpoints,
      prefix: "/m",
      requestTimeoutMs: 2000,
      failoverMs: 3000,
    };
    const backend = new EtcdLogBackend(opts);
    try {
      await backend.load();
      await backend.append(records(1, 5));
      const [m1, m2] = etcd.members;
      await m1?.stop();
      await m2?.stop();
      let started = Date.now();
      const err = await assertRejects(() => backend.append(records(6, 6)), EtcdError);
      const tookAppend = Date.now() - started;
      assertStringIncludes(err.message, "check that a majority of the etcd cluster is up");
      assertStringIncludes(err.message, "connection refused");
      started = Date.now();
      await assertRejects(
        () => new EtcdLogBackend(opts).load(),
        EtcdError,
        "no etcd endpoint answered",
      );
      const tookLoad = Date.now() - started;
      assert(
        tookAppend < 12_000 && tookLoad < 12_000,
        `bounded: append ${tookAppend} ms, load ${tookLoad} ms`,
      );
      // Back to a majority. The append that timed out may still have committed (the surviving
      // member had it queued): a writer reopens the log and goes on after its last record.
      m1?.start();
      m2?.start();
      await Promise.all([m1?.ready(), m2?.ready()]);
      const again = new EtcdLogBackend(opts);
      try {
        const last = (await collect((await again.load()).entries)).at(-1)?.index ?? 0;
        assert(last === 5 || last === 6, `the log ends at 5 or 6, not ${last}`);
        await again.append(records(last + 1, 7));
      } finally {
        await again.close();
      }
      const loaded = await new EtcdLogBackend(opts).load();
      assertEquals((await collect(loaded.entries)).map((r) => r.index), [1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await backend.close();
    }
  },
);
