// A client-only agent's API: local client and agent endpoints, the rest forwarded to a server.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { recordingLogger } from "../_testing.ts";
import { createClientAgentApi } from "../api.ts";
import { mockNode } from "../../state/_testing.ts";
import { DirClient } from "./_client_testing.ts";
import { apiJob, place, send, testAgent, testApi } from "./_testing.ts";
import { NO_MEMBER } from "./agent.ts";

const NODE = "node-client";
const ALLOC = "0f6a4bd7-7c2d-4e0f-9d7e-000000000001";

Deno.test({
  name: "a client-only agent serves its client and agent endpoints and forwards the rest",
  sanitizeResources: false,
  async fn(t) {
    await using server = await testApi();
    const listener = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      server.app.fetch,
    );
    await using client = await DirClient.create(NODE);
    let servers = ["127.0.0.1:4647"];
    const app = createClientAgentApi({
      client,
      agent: testAgent({
        stats: () => ({ client: { node_id: NODE } }),
        client: { servers: () => servers, setServers: (a) => void (servers = [...a]) },
      }),
      serverUrls: () => [`http://127.0.0.1:${listener.addr.port}`],
      logger: recordingLogger(),
    });
    try {
      await t.step("agent self is local, with no member", async () => {
        const body = await (await app.request("/v1/agent/self")).json();
        assertEquals([body.member, body.stats.client.node_id], [NO_MEMBER, NODE]);
      });
      await t.step("servers and health are the client's", async () => {
        assertEquals(await (await app.request("/v1/agent/servers")).json(), ["127.0.0.1:4647"]);
        await app.request("/v1/agent/servers?address=10.0.0.1:4647", { method: "PUT" });
        assertEquals(servers, ["10.0.0.1:4647"]);
        const health = await app.request("/v1/agent/health");
        assertEquals(await health.json(), { client: { ok: true, message: "ok" } });
        const server = await app.request("/v1/agent/health?type=server");
        assertEquals(server.status, 500);
      });
      await t.step("a job registration reaches the server", async () => {
        const res = await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
        assertEquals(res.status, 200);
        assertEquals(server.state.snapshot().job("default", "web")?.ID, "web");
        const list = await (await app.request("/v1/jobs")).json();
        assertEquals(list.map((j: { ID: string }) => j.ID), ["web"]);
      });
      await t.step("this node's allocation is served here", async () => {
        await server.state.apply({ type: "NodeRegister", node: mockNode(NODE) });
        await place(server.state, "default", "web", { node: NODE, ids: [ALLOC] });
        await client.addAlloc(ALLOC, ["app"]);
        const res = await app.request(`/v1/client/fs/ls/${ALLOC}`);
        assertEquals((await res.json()).map((f: { Name: string }) => f.Name), ["alloc", "app"]);
        assertEquals((await app.request("/v1/client/stats")).status, 200);
      });
      await t.step("other allocations go through the server", async () => {
        await place(server.state, "default", "web", { node: "n-other", ids: ["a2"] });
        const res = await app.request("/v1/client/allocation/a2/stats");
        assertEquals([res.status, await res.text()], [404, "No path to node"]);
        const unknown = await app.request("/v1/client/allocation/zz/stats");
        assertEquals([unknown.status, await unknown.text()], [404, 'Unknown allocation "zz"']);
      });
    } finally {
      await listener.shutdown();
    }
  },
});

Deno.test("a client-only agent answers 500 when no server answers", async () => {
  await using client = await DirClient.create(NODE);
  const app = createClientAgentApi({
    client,
    agent: testAgent(),
    serverUrls: () => ["http://127.0.0.1:1"],
    logger: recordingLogger(),
  });
  const res = await app.request("/v1/jobs");
  assertEquals(res.status, 500);
  assertStringIncludes(await res.text(), "no servers");
});

Deno.test("a client-only agent serves the web UI (its API calls are forwarded)", async () => {
  await using client = await DirClient.create(NODE);
  const app = createClientAgentApi({
    client,
    agent: testAgent(),
    serverUrls: () => ["http://127.0.0.1:1"],
    logger: recordingLogger(),
  });
  const res = await app.request("/ui/jobs");
  // 200 with the built UI, 503 with the page that says how to build it.
  assert([200, 503].includes(res.status), String(res.status));
  assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
  await res.body?.cancel();
});
