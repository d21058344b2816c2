import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../../tests/assert.ts";
import { LogFencedError } from "../kv_log_backend.ts";
import type { LogRecord } from "../log_backend.ts";
import { bytes, concat, runTests, stream } from "../log_backend_testing.ts";
import { EtcdClient } from "./client.ts";
import { Election, fenceOf } from "./election.ts";
import { EtcdCompactedError, EtcdError } from "./errors.ts";
import { etcdMissing, etcdTest, startEtcd, TcpProxy } from "./etcd_testing.ts";
import { EtcdLogBackend } from "./log_backend.ts";

if (!etcdMissing()) {
  runTests({
    name: "EtcdLogBackend (one member)",
    newBackend: async () => {
      const etcd = await startEtcd();
      return {
        open: () =>
          Promise.resolve(new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/t" })),
        dispose: () => etcd.stop(),
      };
    },
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function records(from: number, to: number, size = 100): LogRecord[] {
  return Array.from(
    { length: to - from + 1 },
    (_, i) => ({ index: from + i, data: bytes(size, from + i) }),
  );
}

etcdTest(
  "EtcdLogBackend chunks records and snapshots larger than etcd's request limit",
  async () => {
    // A quarter of etcd's default limit, so that chunking is exercised at every size.
    await using etcd = await startEtcd({ flags: ["--max-request-bytes=393216"] });
    const client = new EtcdClient({ endpoints: etcd.endpoints });
    try {
      const b = new EtcdLogBackend({
        client,
        prefix: "/c",
        maxRequestBytes: 393216,
        compress: false,
      });
      await b.load();
      const big = bytes(3_000_000, 5);
      const written = [...records(1, 3, 200_000), { index: 4, data: big }, ...records(5, 6)];
      await b.append(written);
      const chunks = await client.range("/c/logc/", { prefix: true, keysOnly: true });
      assertEquals(
        chunks.count,
        Math.ceil(big.length / b.chunkBytes),
        "only the large record is chunked",
      );
      assert(b.chunkBytes < 393216, `a chunk (${b.chunkBytes} bytes) fits in a request`);
      const again = new EtcdLogBackend({ client, prefix: "/c", maxRequestBytes: 393216 });
      assertEquals(await collect((await again.load()).entries), written);
      const snap = bytes(2_500_000, 6);
      await again.compact(5, stream(snap, 700_000));
      const third = new EtcdLogBackend({ client, prefix: "/c" });
      const loaded = await third.load();
      assertEquals(loaded.snapshot?.index, 5);
      assertEquals(
        concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
        snap,
      );
      assertEquals((await collect(loaded.entries)).map((r) => r.index), [6]);
      assertEquals((await client.range("/c/logc/", { prefix: true, countOnly: true })).count, 0);

      // A backend that believes etcd takes more than it does says what etcd answered.
      const wrong = new EtcdLogBackend({
        client,
        prefix: "/w",
        maxRequestBytes: 4 << 20,
        compress: false,
      });
      await wrong.load();
      await assertRejects(
        () => wrong.append([{ index: 1, data: bytes(1_000_000, 1) }]),
        EtcdError,
        "more than etcd accepts in one request: set the log's maxRequestBytes",
      );
    } finally {
      client.close();
    }
  },
);

etcdTest("EtcdLogBackend deflates records and snapshots, chunking what stays large", async () => {
  await using etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const enc = new TextEncoder();
    const json = enc.encode(
      JSON.stringify(
        Array.from({ length: 30_000 }, (_, i) => ({ ID: `alloc-${i}`, Status: "running" })),
      ),
    );
    // Hex text of random bytes deflates a little: 4 MB stays larger than a chunk.
    const random = new Uint8Array(2_000_000);
    for (let off = 0; off < random.length; off += 65536) {
      crypto.getRandomValues(random.subarray(off, off + 65536));
    }
    const hex = enc.encode(Array.from(random, (b) => b.toString(16).padStart(2, "0")).join(""));
    const small = enc.encode("tiny");
    const b = new EtcdLogBackend({ client, prefix: "/z" });
    await b.load();
    const written = [{ index: 1, data: json }, { index: 2, data: hex }, { index: 3, data: small }];
    await b.append(written);
    const first = (await client.get("/z/log/00000000000000000001"))?.value.length ?? 0;
    assert(first < json.length / 5, `the JSON record takes ${first} of ${json.length} bytes`);
    const chunks = await client.range("/z/logc/", { prefix: true });
    const hexStored = chunks.kvs.reduce((n, kv) => n + kv.value.length, 0);
    assert(chunks.count >= 2, "the hex record is chunked");
    assert(
      hexStored < hex.length * 0.9,
      `the hex record takes ${hexStored} of ${hex.length} bytes`,
    );
    const reopened = new EtcdLogBackend({ client, prefix: "/z" });
    assertEquals(await collect((await reopened.load()).entries), written);
    await reopened.compact(3, stream(json, 100_000));
    const snapKeys = await client.range("/z/snap/", { prefix: true });
    assert(
      snapKeys.kvs.reduce((n, kv) => n + kv.value.length, 0) < json.length / 5,
      "the snapshot is deflated",
    );
    const loaded = await new EtcdLogBackend({ client, prefix: "/z" }).load();
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      json,
    );
  } finally {
    client.close();
  }
});

etcdTest("EtcdLogBackend keeps etcd's keys and size bounded across compactions", async () => {
  await using etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const b = new EtcdLogBackend({ client, prefix: "/b" });
    await b.load();
    const firstRevision = (await client.range("/b", { countOnly: true })).header.revision;
    const inUse: number[] = [];
    let index = 0;
    for (let round = 1; round <= 24; round++) {
      for (let k = 0; k < 4; k++) {
        await b.append(records(index + 1, index + 50, 10_000));
        index += 50;
      }
      await b.compact(index, stream(bytes(600_000, round), 100_000));
      const [s] = await client.status();
      assert(s?.status === "fulfilled");
      inUse.push(s.value.dbSizeInUse);
    }
    const keys = await client.range("/b/", { prefix: true, keysOnly: true });
    // The snapshot's chunk, the anchor record and the pointer.
    assertEquals(keys.kvs.map((kv) => kv.key.split("/")[2]).sort(), ["log", "meta", "snap"]);
    await assertRejects(
      () => client.range("/b/meta", { revision: firstRevision }),
      EtcdCompactedError,
    );
    // 48 MB went through the log; etcd holds about two rounds of it.
    const late = Math.max(...inUse.slice(12));
    assert(
      late < 12 << 20,
      `etcd's database in use stays bounded: ${inUse.map((n) => (n / 2 ** 20).toFixed(1))} MiB`,
    );
    const loaded = await new EtcdLogBackend({ client, prefix: "/b" }).load();
    assertEquals(loaded.snapshot?.index, index);
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      bytes(600_000, 24),
    );
  } finally {
    client.close();
  }
});

etcdTest("EtcdLogBackend refuses a write of a server whose fence is stale", async () => {
  await using etcd = await startEtcd();
  const client = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const election = new Election(client, "/f/leader");
    const leaseA = await client.leaseGrant(30);
    const a = await election.campaign("a", {
      lease: leaseA.id,
      signal: AbortSignal.timeout(10_000),
    });
    const first = new EtcdLogBackend({ client, prefix: "/f" });
    await first.load();
    first.setFence(fenceOf(a));
    await first.append(records(1, 2));
    await assertRejects(
      () => first.append(records(3, 3), { fence: { key: a.key, createRevision: a.rev + 1 } }),
      LogFencedError,
      `was created at ${a.rev + 1}`,
    );
    // The leader loses its key (its lease expires, it resigns): it cannot write any more.
    await election.resign(a);
    await assertRejects(() => first.append(records(3, 3)), LogFencedError, "no longer the leader");
    await assertRejects(
      () => first.compact(2, stream(bytes(10, 1), 10)),
      LogFencedError,
      "no longer the leader",
    );
    const leaseB = await client.leaseGrant(30);
    const b = await election.campaign("b", {
      lease: leaseB.id,
      signal: AbortSignal.timeout(10_000),
    });
    const second = new EtcdLogBackend({ client, prefix: "/f" });
    await second.load();
    second.setFence(fenceOf(b));
    await second.append(records(3, 4));
    await second.compact(4, stream(bytes(100, 2), 10));
    // Even re-elected, the old leader's term is over: its fence names the old key revision.
    await election.resign(b);
    const again = await election.campaign("a", {
      lease: leaseA.id,
      signal: AbortSignal.timeout(10_000),
    });
    assert(again.rev > a.rev);
    await assertRejects(() => first.append(records(3, 3)), LogFencedError);
    const loaded = await new EtcdLogBackend({ client, prefix: "/f" }).load();
    assertEquals([loaded.snapshot?.index, await collect(loaded.entries)], [4, []]);
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      bytes(100, 2),
    );
  } finally {
    client.close();
  }
});

etcdTest("EtcdLogBackend counts a write whose answer was lost as done, once", async () => {
  await using etcd = await startEtcd();
  await using proxy = new TcpProxy(etcd.endpoints[0] as string);
  const b = new EtcdLogBackend({ endpoints: [proxy.url], prefix: "/l" });
  try {
    await b.load();
    await b.append(records(1, 2));
    proxy.loseResponses(1);
    // etcd applies the transaction; the answer is lost; the retry finds the records in place.
    await b.append(records(3, 5));
    // The snapshot's chunk is written, then the answer to the pointer's swap is lost.
    proxy.loseResponses(1, 1);
    await b.compact(5, stream(bytes(1000, 1), 1000));
    await b.append(records(6, 6));
    const loaded = await new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/l" }).load();
    assertEquals(loaded.snapshot?.index, 5);
    assertEquals(
      concat(await collect(loaded.snapshot?.chunks ?? stream(new Uint8Array(), 1))),
      bytes(1000, 1),
    );
    assertEquals(await collect(loaded.entries), records(6, 6));
  } finally {
    await b.close();
  }
});

etcdTest("EtcdLogBackend rejects an append at an index another writer took", async () => {
  await using etcd = await startEtcd();
  const a = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/x" });
  const b = new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/x" });
  try {
    await a.load();
    await b.load();
    await a.append(records(1, 3));
    const err = await assertRejects(
      () => b.append([{ index: 1, data: bytes(100, 99) }]),
      LogFencedError,
    );
    assertStringIncludes(err.message, "another server appended it first");
    const loaded = await new EtcdLogBackend({ endpoints: etcd.endpoints, prefix: "/x" }).load();
    assertEquals(await collect(loaded.entries), records(1, 3), "nothing was overwritten");
  } finally {
    await a.close();
    await b.close();
  }
});

etcdTest("EtcdLogBackend refuses prefixes and limits it cannot use", () => {
  assertRejects(
    () =>
      Promise.resolve(new EtcdLogBackend({ endpoints: ["http://127.0.0.1:2379"], prefix: "x" })),
    TypeError,
    `must start with "/"`,
  );
  return assertRejects(
    () =>
      Promise.resolve(
        new EtcdLogBackend({
          endpoints: ["http://127.0.0.1:2379"],
          prefix: "/x",
          maxRequestBytes: 1000,
        }),
      ),
    RangeError,
    "at least 96 KiB",
  ).then(() => {});
});
