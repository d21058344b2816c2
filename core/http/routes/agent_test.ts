// /v1/agent/* through app.request.
import { assertEquals } from "../../../tests/assert.ts";
import { testAgent, testApi } from "./_testing.ts";

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

Deno.test("POST /v1/agent/join answers {num_joined, error}", async () => {
  await using api = await testApi();
  const { app } = api;
  const res = await app.request("/v1/agent/join?address=10.0.0.9", { method: "POST" });
  const body = await res.json();
  assertEquals(body.num_joined, 0);
  assertEquals(body.error.startsWith("joining other servers is not supported yet"), true);
  const missing = await app.request("/v1/agent/join", { method: "PUT" });
  assertEquals([missing.status, await missing.text()], [400, "missing address to join"]);
  await using joining = await testApi({
    agent: testAgent({ join: (a) => Promise.resolve(a.length) }),
  });
  const two = await joining.app.request("/v1/agent/join?address=a&address=b", { method: "PUT" });
  assertEquals(await two.json(), { num_joined: 2, error: "", warning: "" });
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
