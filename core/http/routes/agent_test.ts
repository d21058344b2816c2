// /v1/agent/* through app.request.
import { assertEquals } from "../../../tests/assert.ts";
import { testAgent, testApi } from "./_testing.ts";
import type { Membership } from "./deps.ts";

Deno.test("GET /v1/agent/self answers config, member and stats in lower case", async () => {
  await using api = await testApi();
  const { app } = api;
  const body = await (await app.request("/v1/agent/self")).json();
  assertEquals(Object.keys(body), ["config", "member", "stats"]);
  assertEquals(body.config.Region, "global");
  assertEquals([body.member.Name, body.member.Status, body.member.Tags.role], [
    "test.global",
    "alive",
    "nomad",
  ]);
  assertEquals(body.stats.nomad.leader, "true");
  assertEquals((await app.request("/v1/agent/self", { method: "PUT" })).status, 405);
});

Deno.test("GET /v1/agent/members answers the server's gossip view", async () => {
  await using api = await testApi();
  const { app } = api;
  const body = await (await app.request("/v1/agent/members")).json();
  assertEquals([body.ServerName, body.ServerRegion, body.ServerDC], ["test", "global", "dc1"]);
  assertEquals(body.Members.length, 1);
  assertEquals(body.Members[0].Addr, "127.0.0.1");
});

Deno.test("/v1/agent/servers is a client endpoint", async (t) => {
  await t.step("a server-only agent answers 501", async () => {
    await using api = await testApi();
    const { app } = api;
    const res = await app.request("/v1/agent/servers");
    assertEquals([res.status, await res.text()], [501, "Invalid method"]);
  });

  await t.step("with a client it lists and sets the servers", async () => {
    let servers = ["10.0.0.2:4647", "10.0.0.1:4647"];
    await using api = await testApi({
      agent: testAgent({
        client: {
          servers: () => servers,
          setServers: (addrs) => void (servers = [...addrs]),
        },
      }),
    });
    const { app } = api;
    assertEquals(await (await app.request("/v1/agent/servers")).json(), [
      "10.0.0.1:4647",
      "10.0.0.2:4647",
    ]);
    const set = await app.request("/v1/agent/servers?address=a:1&address=b:2", { method: "PUT" });
    assertEquals([set.status, await set.text()], [200, ""]);
    assertEquals(servers, ["a:1", "b:2"]);
    const missing = await app.request("/v1/agent/servers", { method: "POST" });
    assertEquals([missing.status, await missing.text()], [400, "missing server address"]);
  });
});

Deno.test("PUT /v1/agent/join answers {num_joined, error} as Nomad's Serf would", async () => {
  await using api = await testApi();
  const { app } = api;
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = (l.addr as Deno.NetAddr).port;
  l.close();
  const res = await app.request(`/v1/agent/join?address=127.0.0.1:${closed}`, { method: "PUT" });
  assertEquals(await res.json(), {
    num_joined: 0,
    error: "1 error occurred:\n" +
      `\t* Failed to join 127.0.0.1:${closed}: dial tcp 127.0.0.1:${closed}: connect: ` +
      "connection refused\n\n",
    warning: "",
  });
  const self = await app.request("/v1/agent/join?address=127.0.0.1", { method: "POST" });
  assertEquals(await self.json(), { num_joined: 1, error: "", warning: "" });
  const missing = await app.request("/v1/agent/join", { method: "PUT" });
  assertEquals([missing.status, await missing.text()], [400, "missing address to join"]);
  await using joining = await testApi({
    agent: testAgent({ join: (a) => Promise.resolve(a.length) }),
  });
  const two = await joining.app.request("/v1/agent/join?address=a&address=b", { method: "PUT" });
  assertEquals(await two.json(), { num_joined: 2, error: "", warning: "" });
});

Deno.test("/v1/agent/join and force-leave go through the membership dependency", async () => {
  const calls: unknown[][] = [];
  const membership: Membership = {
    join: (a) => {
      calls.push(["join", ...a]);
      return Promise.reject(new Error("1 error occurred:\n\t* no\n\n"));
    },
    forceLeave: (node, prune) => {
      calls.push(["force-leave", node, prune]);
      return node === "bad" ? Promise.reject(new Error("boom")) : Promise.resolve();
    },
  };
  await using api = await testApi({ membership });
  const { app } = api;
  const join = await app.request("/v1/agent/join?address=x&address=y", { method: "PUT" });
  assertEquals((await join.json()).error, "1 error occurred:\n\t* no\n\n");
  const leave = await app.request("/v1/agent/force-leave?node=s2.global&prune=1", {
    method: "PUT",
  });
  assertEquals([leave.status, await leave.text()], [200, ""]);
  const plain = await app.request("/v1/agent/force-leave?node=s3.global", { method: "POST" });
  assertEquals(plain.status, 200);
  const failing = await app.request("/v1/agent/force-leave?node=bad", { method: "PUT" });
  assertEquals([failing.status, await failing.text()], [500, "boom"]);
  assertEquals(calls, [
    ["join", "x", "y"],
    ["force-leave", "s2.global", true],
    ["force-leave", "s3.global", false],
    ["force-leave", "bad", false],
  ]);
});

Deno.test("PUT /v1/agent/force-leave wants a node and a boolean prune", async () => {
  await using api = await testApi();
  const { app } = api;
  const missing = await app.request("/v1/agent/force-leave", { method: "PUT" });
  assertEquals([missing.status, await missing.text()], [400, "missing node to force leave"]);
  const prune = await app.request("/v1/agent/force-leave?node=a&prune=maybe", { method: "PUT" });
  assertEquals([prune.status, await prune.text()], [400, "invalid prune value"]);
  const unknown = await app.request("/v1/agent/force-leave?node=nobody", { method: "PUT" });
  assertEquals([unknown.status, await unknown.text()], [200, ""]);
  assertEquals((await app.request("/v1/agent/force-leave?node=a")).status, 405);
});

Deno.test("GET /v1/agent/health is 200 with a leader, 500 without", async () => {
  await using api = await testApi();
  const { app, server } = api;
  const ok = await app.request("/v1/agent/health");
  assertEquals([ok.status, await ok.json()], [200, { server: { ok: true, message: "ok" } }]);
  const client = await app.request("/v1/agent/health?type=client");
  assertEquals(client.status, 500);
  assertEquals(JSON.parse(await client.text()), {
    client: { ok: false, message: "client not enabled" },
  });
  Object.defineProperty(server, "leader", { value: () => "" });
  const noLeader = await app.request("/v1/agent/health");
  assertEquals(noLeader.status, 500);
  assertEquals(JSON.parse(await noLeader.text()), { server: { ok: false, message: "no leader" } });
});
