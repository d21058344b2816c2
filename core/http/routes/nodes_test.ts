// /v1/nodes, /v1/node/:id and the internal client endpoints through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { mockNode } from "../../state/_testing.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

async function setup() {
  const t = await testApi();
  for (const [id, os] of [["n2", "linux"], ["n1", "darwin"], ["m3", "linux"]] as const) {
    await t.state.apply({
      type: "NodeRegister",
      node: mockNode(id, {
        HTTPAddr: "10.0.0.1:4646",
        Attributes: { "os.name": os, "nomad.version": "2.0.0", "kernel.name": "linux" },
      }),
    });
  }
  return t;
}

Deno.test("GET /v1/nodes lists NodeListStubs by ID", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("stubs have Nomad's fields; os and resources on request", async () => {
    const res = await app.request("/v1/nodes");
    const list = await res.json();
    assertEquals(list.map((n: { ID: string }) => n.ID), ["m3", "n1", "n2"]);
    assertEquals([list[0].Address, list[0].Version, list[0].Drain], ["10.0.0.1", "2.0.0", false]);
    assertEquals("Attributes" in list[0] || "NodeResources" in list[0], false);
    assertEquals("SecretID" in list[0], false);
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("nodes")));
    const os = await (await app.request("/v1/nodes?os=true")).json();
    assertEquals(os[1].Attributes, { "os.name": "darwin" });
    const bad = await app.request("/v1/nodes?resources=plenty");
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), "Failed to parse node list fields: ");
  });

  await t.step("?prefix, ?filter and pagination", async () => {
    const prefixed = await (await app.request("/v1/nodes?prefix=n")).json();
    assertEquals(prefixed.map((n: { ID: string }) => n.ID), ["n1", "n2"]);
    const filter = encodeURIComponent('Attributes["os.name"] == linux');
    const linux = await (await app.request(`/v1/nodes?filter=${filter}`)).json();
    assertEquals(linux.map((n: { ID: string }) => n.ID), ["m3", "n2"]);
    const page = await app.request("/v1/nodes?per_page=2");
    assertEquals(page.headers.get("X-Nomad-NextToken"), "n2");
  });

  await t.step("a blocking list wakes on a node write", async () => {
    const index = state.tableIndex("nodes");
    const pending = app.request(`/v1/nodes?index=${index}&wait=5s`);
    setTimeout(() => state.apply({ type: "NodeRegister", node: mockNode("n9") }), 20);
    const res = await pending;
    assertEquals(res.headers.get("X-Nomad-Index"), String(index + 1));
    assertEquals((await res.json()).length, 4);
  });
});

Deno.test("GET /v1/node/:id answers the node without its secret, and its allocations", async () => {
  await using api = await setup();
  const { app, state } = api;
  const res = await app.request("/v1/node/n1");
  const node = await res.json();
  assertEquals([node.ID, node.SecretID, node.Name], ["n1", "", "node-n1"]);
  assertEquals(res.headers.get("X-Nomad-Index"), String(node.ModifyIndex));
  const missing = await app.request("/v1/node/nope");
  assertEquals([missing.status, await missing.text()], [404, "node not found"]);
  assertEquals(await (await app.request("/v1/node/n2/allocations")).json(), []);
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  const index = await place(state, "default", "web", { node: "n1", ids: ["a1"] });
  const allocs = await app.request("/v1/node/n1/allocations");
  const list = await allocs.json();
  assertEquals([list[0].ID, list[0].Job.ID], ["a1", "web"]);
  assertEquals(allocs.headers.get("X-Nomad-Index"), String(index));
});

Deno.test("the node writes reach the server with Nomad's bodies", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("drain takes a DrainSpec; null ends the drain", async () => {
    const res = await app.request(
      "/v1/node/n1/drain",
      send("POST", { DrainSpec: { Deadline: 3_600_000_000_000 }, MarkEligible: false }),
    );
    const body = await res.json();
    assertEquals(Object.keys(body), ["NodeModifyIndex", "EvalIDs", "EvalCreateIndex", "Index"]);
    // An empty node finishes draining at once and stays ineligible.
    assertEquals(state.snapshot().node("n1")?.SchedulingEligibility, "ineligible");
    await app.request("/v1/node/n1/drain", send("PUT", { DrainSpec: null, MarkEligible: true }));
    assertEquals(state.snapshot().node("n1")?.DrainStrategy, null);
    assertEquals(state.snapshot().node("n1")?.SchedulingEligibility, "eligible");
    const bad = await app.request("/v1/node/n1/drain", send("PUT", { DrainSpec: "soon" }));
    assertEquals(bad.status, 400);
  });

  await t.step("eligibility must be eligible or ineligible", async () => {
    const res = await app.request(
      "/v1/node/n2/eligibility",
      send("POST", { Eligibility: "ineligible" }),
    );
    assertEquals(res.status, 200);
    assertEquals(state.snapshot().node("n2")?.SchedulingEligibility, "ineligible");
    const bad = await app.request("/v1/node/n2/eligibility", send("POST", { Eligibility: "no" }));
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), 'invalid scheduling eligibility "no"');
  });

  await t.step("evaluate and purge answer NodeUpdateResponse", async () => {
    const evaluated = await (await app.request("/v1/node/n1/evaluate", { method: "POST" }))
      .json();
    assertEquals(Object.keys(evaluated).slice(0, 4), [
      "HeartbeatTTL",
      "EvalIDs",
      "EvalCreateIndex",
      "NodeModifyIndex",
    ]);
    const purged = await app.request("/v1/node/m3/purge", { method: "PUT" });
    assertEquals(purged.status, 200);
    assertEquals(state.snapshot().node("m3"), undefined);
    const missing = await app.request("/v1/node/m3/purge", { method: "PUT" });
    assertEquals([missing.status, await missing.text()], [404, "node not found"]);
    assertEquals((await app.request("/v1/node/n1/purge")).status, 405);
  });
});

Deno.test("the internal client endpoints register, heartbeat and serve allocations", async (t) => {
  await using api = await setup();
  const { app, state } = api;
  const token = { "X-Nomad-Token": "secret-c1" };

  await t.step("a client registers its node and heartbeats", async () => {
    const res = await app.request(
      "/v1/internal/node/register",
      send("PUT", { Node: { ...mockNode("c1"), Status: "" } }),
    );
    const body = await res.json();
    assertEquals([res.status, body.LeaderRPCAddr], [200, "127.0.0.1:4647"]);
    assert(body.HeartbeatTTL >= 10_000_000_000, "at least the least TTL, in nanoseconds");
    const beat = await app.request("/v1/internal/node/c1/status", send("PUT", { Status: "ready" }));
    assertEquals(beat.status, 200);
    assertEquals(state.snapshot().node("c1")?.Status, "ready");
    const empty = await app.request("/v1/internal/node/c1/status", send("PUT", {}));
    assertEquals(empty.status, 400);
    const noNode = await app.request("/v1/internal/node/register", send("PUT", {}));
    assertEquals(noNode.status, 400);
  });

  await t.step(
    "allocs answers AllocModifyIndex by ID, blocking, for the node's secret",
    async () => {
      const denied = await app.request("/v1/internal/node/c1/allocs");
      assertEquals([denied.status, await denied.text()], [403, "Permission denied"]);
      const first = await app.request("/v1/internal/node/c1/allocs", { headers: token });
      const none = await first.json();
      assertEquals(none.Allocs, {});
      const index = Number(first.headers.get("X-Nomad-Index"));
      await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
      const pending = app.request(`/v1/internal/node/c1/allocs?index=${index}&wait=5s`, {
        headers: token,
      });
      setTimeout(() => place(state, "default", "web", { node: "c1", ids: ["a1"] }), 20);
      const res = await pending;
      const body = await res.json();
      assertEquals(Object.keys(body.Allocs), ["a1"]);
      assert(Number(res.headers.get("X-Nomad-Index")) > index);
      const got = await (await app.request(
        "/v1/internal/allocs/get",
        send("POST", { AllocIDs: ["a1"] }),
      )).json();
      assertEquals(got.Allocs[0].Job.ID, "web");
      const unknown = await app.request(
        "/v1/internal/allocs/get",
        send("POST", { AllocIDs: ["zz"] }),
      );
      assertEquals([unknown.status, await unknown.text()], [404, 'Unknown allocation "zz"']);
    },
  );

  await t.step("allocs/update hands the client's status to the server", async () => {
    const res = await app.request(
      "/v1/internal/allocs/update",
      send("POST", {
        Alloc: [{ ID: "a1", NodeID: "c1", ClientStatus: "running" }],
      }),
    );
    assertEquals(res.status, 200);
    assertEquals(state.snapshot().alloc("a1")?.ClientStatus, "running");
    const empty = await app.request("/v1/internal/allocs/update", send("POST", { Alloc: [] }));
    assertEquals(empty.status, 400);
  });
});
