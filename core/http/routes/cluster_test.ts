// Status, regions, operator, system, namespaces, metrics and Enterprise paths via app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { mockJob } from "../../state/_testing.ts";
import { send, testApi } from "./_testing.ts";

Deno.test("status and regions answer the leader, peers and region", async () => {
  await using api = await testApi();
  const { app } = api;
  const leader = await app.request("/v1/status/leader");
  assertEquals(await leader.text(), '"127.0.0.1:4647"');
  assertEquals(leader.headers.get("Content-Type"), "application/json");
  assertEquals(await (await app.request("/v1/status/peers")).json(), ["127.0.0.1:4647"]);
  assertEquals(await (await app.request("/v1/regions")).json(), ["global"]);
  assertEquals((await app.request("/v1/status/leader", { method: "POST" })).status, 405);
});

Deno.test("the scheduler configuration reads and writes with check-and-set", async (t) => {
  await using api = await testApi();
  const { app, state } = api;

  await t.step("GET answers Nomad's defaults with the query meta", async () => {
    const body = await (await app.request("/v1/operator/scheduler/configuration")).json();
    assertEquals(body.SchedulerConfig.SchedulerAlgorithm, "binpack");
    assertEquals(body.SchedulerConfig.PreemptionConfig.SystemSchedulerEnabled, true);
    assertEquals(body.KnownLeader, true);
  });

  await t.step("PUT sets it and answers {Updated, Index}", async () => {
    const res = await app.request(
      "/v1/operator/scheduler/configuration",
      send("PUT", { SchedulerAlgorithm: "spread", PreemptionConfig: {} }),
    );
    const body = await res.json();
    assertEquals(Object.keys(body), ["Updated", "Index"]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(body.Index));
    assertEquals(state.snapshot().schedulerConfig().SchedulerAlgorithm, "spread");
  });

  await t.step("?cas= only writes over the index it names", async () => {
    const current = state.snapshot().schedulerConfig().ModifyIndex;
    const stale = await app.request(
      `/v1/operator/scheduler/configuration?cas=${current + 10}`,
      send("POST", { SchedulerAlgorithm: "binpack" }),
    );
    assertEquals((await stale.json()).Updated, false);
    const fresh = await app.request(
      `/v1/operator/scheduler/configuration?cas=${current}`,
      send("POST", { SchedulerAlgorithm: "binpack" }),
    );
    assertEquals((await fresh.json()).Updated, true);
  });

  await t.step("bad bodies and cas values are 400", async () => {
    const algo = await app.request(
      "/v1/operator/scheduler/configuration",
      send("PUT", { SchedulerAlgorithm: "random" }),
    );
    assertEquals([algo.status, await algo.text()], [400, "invalid scheduler algorithm: random"]);
    const cas = await app.request(
      "/v1/operator/scheduler/configuration?cas=x",
      send("PUT", { SchedulerAlgorithm: "spread" }),
    );
    assertEquals(cas.status, 400);
    assertStringIncludes(await cas.text(), "Error parsing cas value");
    const body = await app.request("/v1/operator/scheduler/configuration", {
      method: "PUT",
      body: "nope",
    });
    assertEquals(body.status, 400);
    assertStringIncludes(await body.text(), "Error parsing scheduler config");
  });
});

Deno.test("GET /v1/operator/raft/configuration answers this server as the one voter", async () => {
  await using api = await testApi();
  const { app, server, state } = api;
  const id = server.members()[0]!.Tags["id"]!;
  assert(id !== "", "the member carries its server's ID");
  const res = await app.request("/v1/operator/raft/configuration");
  assertEquals(res.status, 200);
  assertEquals(await res.json(), {
    Servers: [{
      ID: id,
      Node: "test.global",
      Address: "127.0.0.1:4647",
      Leader: true,
      Voter: true,
      RaftProtocol: "3",
    }],
    Index: state.index,
  });
  const stale = await app.request("/v1/operator/raft/configuration?stale");
  assertEquals((await stale.json()).Servers[0].ID, id);
  const post = await app.request("/v1/operator/raft/configuration", { method: "POST" });
  assertEquals([post.status, await post.text()], [405, ""], "a bare 405, as Nomad answers");
});

Deno.test("DELETE /v1/operator/raft/peer checks its query, then asks the server", async (t) => {
  await using api = await testApi();
  const { app, server } = api;
  const id = server.members()[0]!.Tags["id"]!;
  const del = (query: string) =>
    app.request(`/v1/operator/raft/peer${query}`, { method: "DELETE" });

  await t.step("without ?id= it is a 400, and ?address= is refused", async () => {
    const none = await del("");
    assertEquals([none.status, await none.text()], [400, "Must specify the peer's ID to remove"]);
    const byAddress = await del("?address=127.0.0.1:4647&id=x");
    assertEquals([byAddress.status, await byAddress.text()], [
      400,
      "Removing a peer by address is not supported in the current raft protocol version",
    ]);
  });

  await t.step("an unknown ID is a 404 with Nomad's text", async () => {
    const res = await del("?id=nope");
    assertEquals([res.status, await res.text()], [
      404,
      'id "nope" was not found in the Raft configuration',
    ]);
  });

  await t.step("the live server itself is a 409 and stays a peer", async () => {
    const res = await del(`?id=${id}`);
    assertEquals(res.status, 409);
    assertStringIncludes(await res.text(), "is alive");
    assertEquals(server.raftConfiguration().Servers.map((s) => s.ID), [id]);
  });

  await t.step(
    "other verbs and unknown raft paths are 404; transfer-leadership is 501",
    async () => {
      const cases: [string, string][] = [["GET", "peer"], ["PUT", "peer?id=x"], ["GET", "nothing"]];
      for (const [method, path] of cases) {
        const res = await app.request(`/v1/operator/raft/${path}`, { method });
        assertEquals([res.status, await res.text()], [404, "Invalid method"], `${method} ${path}`);
      }
      const transfer = await app.request("/v1/operator/raft/transfer-leadership?id=x", {
        method: "PUT",
      });
      assertEquals(transfer.status, 501, "leadership follows the backend's election");
    },
  );
});

Deno.test("PUT /v1/system/gc and reconcile/summaries call the server; POST is 405", async () => {
  await using api = await testApi();
  const { app, state } = api;
  const job = mockJob("old", { Type: "batch" });
  await state.apply({ type: "JobRegister", job });
  await state.apply({ type: "JobDeregister", namespace: "default", jobId: "old", purge: false });
  const gc = await app.request("/v1/system/gc", { method: "PUT" });
  assertEquals([gc.status, await gc.text()], [200, ""]);
  assertEquals(state.snapshot().job("default", "old"), undefined, "the dead job was collected");
  const before = state.index;
  const rec = await app.request("/v1/system/reconcile/summaries", { method: "PUT" });
  assertEquals(rec.status, 200);
  assertEquals(state.index, before + 1, "the summaries were recounted in one write");
  assertEquals((await app.request("/v1/system/gc", { method: "POST" })).status, 405);
});

Deno.test("namespaces: only default exists", async () => {
  await using api = await testApi();
  const { app } = api;
  const list = await (await app.request("/v1/namespaces")).json();
  assertEquals(list.map((n: { Name: string; Description: string }) => [n.Name, n.Description]), [
    ["default", "Default shared namespace"],
  ]);
  assertEquals(await (await app.request("/v1/namespaces?prefix=x")).json(), []);
  assertEquals((await (await app.request("/v1/namespace/default")).json()).Name, "default");
  const missing = await app.request("/v1/namespace/prod");
  assertEquals([missing.status, await missing.text()], [404, "Namespace not found"]);
  const create = await app.request("/v1/namespace/prod", send("PUT", { Name: "prod" }));
  assertEquals(create.status, 501);
});

Deno.test("GET /v1/metrics answers JSON, or Prometheus text when enabled", async () => {
  await using api = await testApi();
  const { app, deps } = api;
  deps.metrics.setGauge(["nomad", "broker", "total_ready"], 3);
  const json = await (await app.request("/v1/metrics")).json();
  assertEquals(json.Gauges[0].Name, "nomad.broker.total_ready");
  const text = await (await app.request("/v1/metrics?format=prometheus")).text();
  assertStringIncludes(text, "nomad_broker_total_ready 3");
});

Deno.test("Enterprise-only paths answer 501 with Nomad's text", async () => {
  await using api = await testApi();
  const { app } = api;
  for (const path of ["/v1/sentinel/policies", "/v1/quota/q1", "/v1/recommendations"]) {
    const res = await app.request(path);
    assertEquals([res.status, await res.text()], [501, "Nomad Enterprise only endpoint"], path);
  }
});
