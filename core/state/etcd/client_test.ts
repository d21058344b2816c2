import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../../tests/assert.ts";
import { EtcdClient } from "./client.ts";
import { EtcdCompactedError, EtcdError, EtcdUnavailableError } from "./errors.ts";
import { EtcdLogBackend } from "./log_backend.ts";
import { etcdTest, freePort, makeTlsFiles, startEtcd } from "./etcd_testing.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

etcdTest("EtcdClient puts, reads ranges and prefixes, and deletes", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const h1 = await c.put("/t/a", "1");
    await c.put("/t/b", new Uint8Array([0, 255, 7]));
    await c.put("/t/c", "3");
    await c.put("/u", "other");
    assertEquals(text((await c.get("/t/a"))?.value), "1");
    assertEquals((await c.get("/t/b"))?.value, new Uint8Array([0, 255, 7]));
    assertEquals(await c.get("/nope"), undefined);
    const all = await c.range("/t/", { prefix: true });
    assertEquals(all.kvs.map((kv) => kv.key), ["/t/a", "/t/b", "/t/c"]);
    assertEquals(all.count, 3);
    const page = await c.range("/t/", { prefix: true, limit: 2 });
    assertEquals([page.kvs.length, page.more], [2, true]);
    const between = await c.range("/t/b", { end: "/t/c" });
    assertEquals(between.kvs.map((kv) => kv.key), ["/t/b"]);
    await c.put("/t/a", "changed");
    const old = await c.range("/t/a", { revision: h1.revision });
    assertEquals(text(old.kvs[0]?.value), "1", "a read at an old revision sees the old value");
    const pages = [];
    for await (const p of c.scan("/t/", { prefix: true, pageSize: 1 })) pages.push(p);
    assertEquals(pages.map((p) => p.kvs.map((kv) => kv.key)).flat(), ["/t/a", "/t/b", "/t/c"]);
    assertEquals(new Set(pages.map((p) => p.revision)).size, 1, "pages share one revision");
    assertEquals(await c.deleteRange("/t/", { prefix: true }), 3);
    assertEquals((await c.range("/", { prefix: true })).kvs.map((kv) => kv.key), ["/u"]);
  } finally {
    c.close();
  }
});

etcdTest("EtcdClient.txn() compares values, versions and revisions", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const created = await c.txn({
      compare: [{ key: "k", target: "CREATE", result: "EQUAL", value: 0 }],
      success: [{ put: { key: "k", value: "v1" } }],
    });
    assert(created.succeeded, "the key did not exist");
    const again = await c.txn({
      compare: [{ key: "k", target: "CREATE", result: "EQUAL", value: 0 }],
      success: [{ put: { key: "k", value: "v2" } }],
      failure: [{ range: { key: "k" } }],
    });
    assertEquals(again.succeeded, false);
    assertEquals(text(again.responses[0]?.range?.kvs[0]?.value), "v1");
    const kv = await c.get("k");
    const byMod = await c.txn({
      compare: [
        { key: "k", target: "MOD", result: "EQUAL", value: kv?.modRevision ?? -1 },
        { key: "k", target: "VALUE", result: "EQUAL", value: "v1" },
        { key: "k", target: "VERSION", result: "EQUAL", value: 1 },
      ],
      success: [{ put: { key: "k", value: "v3" } }, { deleteRange: { key: "gone" } }],
    });
    assert(byMod.succeeded);
    assertEquals(byMod.responses[1]?.deleted, 0);
    const stale = await c.txn({
      compare: [{ key: "k", target: "VALUE", result: "EQUAL", value: "v1" }],
      success: [{ put: { key: "k", value: "v4" } }],
    });
    assertEquals(stale.succeeded, false, "the value changed");
    assertEquals(text((await c.get("k"))?.value), "v3");
  } finally {
    c.close();
  }
});

etcdTest("EtcdClient says what etcd refused: too large, compacted", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const err = await assertRejects(
      () => c.put("big", new Uint8Array(1_600_000)),
      EtcdError,
      "request is too large",
    );
    assertStringIncludes(err.message, etcd.endpoints[0] as string);
    const first = await c.put("x", "1");
    await c.put("x", "2");
    const last = await c.put("x", "3");
    assert(await c.compact(last.revision), "history was dropped");
    assertEquals(await c.compact(first.revision), false, "compacting the past again is a no-op");
    await assertRejects(() => c.range("x", { revision: first.revision }), EtcdCompactedError);
  } finally {
    c.close();
  }
});

etcdTest("EtcdClient grants, renews and revokes leases", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const lease = await c.leaseGrant(30);
    assertEquals(lease.ttl, 30);
    await c.put("leased", "x", { lease: lease.id });
    assertEquals((await c.get("leased"))?.lease, lease.id);
    assertEquals(await c.leaseKeepAlive(lease.id), 30);
    assert((await c.leaseTimeToLive(lease.id)) > 25);
    await c.leaseRevoke(lease.id);
    assertEquals(await c.get("leased"), undefined, "the lease's keys go with it");
    assertEquals(await c.leaseKeepAlive(lease.id), 0, "a revoked lease cannot be renewed");
    await c.leaseRevoke(lease.id);
  } finally {
    c.close();
  }
});

etcdTest("EtcdClient reports member status and the member list", async () => {
  await using etcd = await startEtcd();
  const c = new EtcdClient({ endpoints: etcd.endpoints });
  try {
    const [s] = await c.status();
    assert(s?.status === "fulfilled");
    assertEquals(s.value.version, "3.4.23");
    assert(s.value.dbSize > 0 && s.value.leader !== "0");
    const members = await c.memberList();
    assertEquals(members.map((m) => m.clientURLs), [[...etcd.endpoints]]);
  } finally {
    c.close();
  }
});

etcdTest("EtcdClient fails over past a dead endpoint and names every failure", async () => {
  await using etcd = await startEtcd();
  const dead = `http://127.0.0.1:${freePort()}`;
  const c = new EtcdClient({ endpoints: [dead, ...etcd.endpoints] });
  try {
    await c.put("k", "v");
    assertEquals(text((await c.get("k"))?.value), "v");
    const tx = await c.txn({ success: [{ put: { key: "k", value: "w" } }] });
    assert(tx.succeeded, "a refused connection is safe to retry, even for a write");
  } finally {
    c.close();
  }
  const none = new EtcdClient({
    endpoints: [dead, `http://127.0.0.1:${freePort()}`],
    failoverMs: 600,
  });
  try {
    const started = Date.now();
    const err = await assertRejects(() => none.get("k"), EtcdUnavailableError);
    assert(err instanceof EtcdUnavailableError);
    assertStringIncludes(err.message, `etcd at ${dead} did not answer range: connection refused`);
    assertStringIncludes(err.message, "no etcd endpoint answered for 0.");
    assertEquals(err.errors.length, 2, "the last round's failures, one per endpoint");
    const took = Date.now() - started;
    assert(took >= 300 && took < 3000, `the client kept trying for about failoverMs: ${took} ms`);
  } finally {
    none.close();
  }
});

Deno.test("EtcdClient takes host:port as http and refuses other schemes", () => {
  assertEquals(new EtcdClient({ endpoints: ["127.0.0.1:2379", "https://e:1/"] }).endpoints, [
    "http://127.0.0.1:2379",
    "https://e:1",
  ]);
  for (
    const [endpoints, msg] of [
      [[], "'endpoints' is empty"],
      [["unix:///run/etcd.sock"], "must start with http:// or https://"],
      [["http://[nope"], "is not a URL"],
    ] as const
  ) {
    let err: unknown;
    try {
      new EtcdClient({ endpoints });
    } catch (e) {
      err = e;
    }
    assert(err instanceof TypeError, `${endpoints}`);
    assertStringIncludes(err.message, msg);
  }
});

etcdTest(
  "EtcdClient talks TLS with a client certificate (ca_file, cert_file, key_file)",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "nomad_etcd_tls_" });
    try {
      const tls = await makeTlsFiles(dir);
      await using etcd = await startEtcd({ tls });
      assert(etcd.endpoints[0]?.startsWith("https://"));
      const c = await EtcdClient.fromFiles({ endpoints: etcd.endpoints, ...tls });
      try {
        await c.put("secure", "yes");
        assertEquals(text((await c.get("secure"))?.value), "yes");
      } finally {
        c.close();
      }
      const log = await EtcdLogBackend.open({ endpoints: etcd.endpoints, prefix: "/tls", ...tls });
      await log.load();
      await log.append([{ index: 1, data: new Uint8Array([1, 2, 3]) }]);
      await log.close();
      const again = await EtcdLogBackend.open({
        endpoints: etcd.endpoints,
        prefix: "/tls",
        ...tls,
      });
      const entries = [];
      for await (const r of (await again.load()).entries) entries.push(r);
      assertEquals(entries, [{ index: 1, data: new Uint8Array([1, 2, 3]) }]);
      await again.close();
      // Without a client certificate etcd refuses the connection; without the CA we refuse etcd.
      const noCert = new EtcdClient({
        endpoints: etcd.endpoints,
        tls: { caCerts: [await Deno.readTextFile(tls.caFile)] },
        failoverMs: 0,
      });
      const noCa = new EtcdClient({ endpoints: etcd.endpoints, failoverMs: 0 });
      try {
        const refused = await assertRejects(() => noCert.get("secure"), EtcdError);
        assertStringIncludes(refused.message, `etcd at ${etcd.endpoints[0]} did not answer range`);
        // etcd refuses the handshake; whether the client reads its TLS alert or only sees the
        // connection close first depends on timing.
        assertMatch(
          refused.message,
          /BadCertificate \(a TLS failure: check ca_file|connection closed/,
        );
        await assertRejects(() => noCa.get("secure"), EtcdError, "UnknownIssuer (a TLS failure");
      } finally {
        noCert.close();
        noCa.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
