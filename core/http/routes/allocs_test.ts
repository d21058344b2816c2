// /v1/allocations and /v1/allocation/:id through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

async function setup() {
  const t = await testApi();
  await t.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  await t.app.request("/v1/jobs?namespace=prod", send("PUT", { Job: apiJob("api") }));
  await place(t.state, "default", "web", {
    node: "n1",
    ids: ["c3", "a1"],
    alloc: {
      TaskStates: {
        app: {
          State: "running",
          Failed: false,
          Restarts: 0,
          LastRestart: "0001-01-01T00:00:00Z",
          StartedAt: "2026-01-01T00:00:00Z",
          FinishedAt: "0001-01-01T00:00:00Z",
          Events: null,
          Paused: "",
        },
      },
      SignedIdentities: { app: "secret-jwt" },
      AllocatedResources: {
        Tasks: null,
        TaskLifecycles: null,
        Shared: { Networks: null, DiskMB: 300, Ports: null },
      },
    },
  });
  await place(t.state, "default", "web", { node: "n2", ids: ["b2"] });
  await place(t.state, "prod", "api", { node: "n2", ids: ["d4"] });
  return t;
}

Deno.test("GET /v1/allocations lists AllocListStubs in creation order", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("stubs are ordered by CreateIndex then ID, in the namespace", async () => {
    const res = await app.request("/v1/allocations");
    const list = await res.json();
    assertEquals(list.map((a: { ID: string }) => a.ID), ["a1", "c3", "b2"]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("allocs")));
    assertEquals(list[0].TaskStates.app.State, "running");
    assertEquals("AllocatedResources" in list[0], false);
    assertEquals(Object.keys(list[0]).slice(0, 10), [
      "ID",
      "EvalID",
      "Name",
      "Namespace",
      "NodeID",
      "NodeName",
      "JobID",
      "JobType",
      "JobVersion",
      "TaskGroup",
    ]);
  });

  await t.step("?task_states=false drops task states, ?resources=true adds resources", async () => {
    const list = await (await app.request("/v1/allocations?task_states=false&resources=true"))
      .json();
    assertEquals(list[0].TaskStates, null);
    assertEquals(list[0].AllocatedResources.Shared.DiskMB, 300);
    const bad = await app.request("/v1/allocations?resources=yes");
    assertEquals(bad.status, 400);
  });

  await t.step("?namespace=* lists all, ?prefix lists by ID", async () => {
    const all = await (await app.request("/v1/allocations?namespace=*")).json();
    assertEquals(all.map((a: { ID: string }) => a.ID), ["a1", "c3", "b2", "d4"]);
    const prefixed = await (await app.request("/v1/allocations?prefix=c&namespace=*")).json();
    assertEquals(prefixed.map((a: { ID: string }) => a.ID), ["c3"]);
  });

  await t.step("pages carry X-Nomad-NextToken as CreateIndex.ID", async () => {
    const first = await app.request("/v1/allocations?per_page=2");
    assertEquals((await first.json()).map((a: { ID: string }) => a.ID), ["a1", "c3"]);
    const token = first.headers.get("X-Nomad-NextToken")!;
    assertStringIncludes(token, ".b2");
    const next = await (await app.request(`/v1/allocations?per_page=2&next_token=${token}`))
      .json();
    assertEquals(next.map((a: { ID: string }) => a.ID), ["b2"]);
  });

  await t.step("?filter sees the whole allocation", async () => {
    const filter = encodeURIComponent('NodeID == "n2"');
    const list = await (await app.request(`/v1/allocations?namespace=*&filter=${filter}`)).json();
    assertEquals(list.map((a: { ID: string }) => a.ID), ["b2", "d4"]);
  });

  await t.step("a blocking list wakes on an allocation write", async () => {
    const index = state.tableIndex("allocs");
    const pending = app.request(`/v1/allocations?index=${index}&wait=5s`);
    setTimeout(() => place(state, "default", "web", { node: "n1", ids: ["e5"] }), 20);
    const res = await pending;
    assert(Number(res.headers.get("X-Nomad-Index")) > index);
    assert((await res.json()).some((a: { ID: string }) => a.ID === "e5"));
  });

  await t.step("POST is 405", async () => {
    assertEquals((await app.request("/v1/allocations", { method: "POST" })).status, 405);
  });
});

Deno.test("GET /v1/allocation/:id answers the full allocation with its job", async () => {
  await using api = await setup();
  const { app } = api;
  const res = await app.request("/v1/allocation/a1");
  const alloc = await res.json();
  assertEquals([alloc.ID, alloc.Job.ID, alloc.NodeID], ["a1", "web", "n1"]);
  assertEquals(alloc.SignedIdentities, null, "identities are not served");
  assertEquals(res.headers.get("X-Nomad-Index"), String(alloc.ModifyIndex));
  const missing = await app.request("/v1/allocation/nope");
  assertEquals([missing.status, await missing.text()], [404, "alloc not found"]);
  assertEquals((await app.request("/v1/allocation/a1", { method: "DELETE" })).status, 405);
});

Deno.test("POST /v1/allocation/:id/stop stops through the server", async () => {
  await using api = await setup();
  const { app, state } = api;
  const res = await app.request("/v1/allocation/a1/stop", { method: "POST" });
  const body = await res.json();
  assertEquals(Object.keys(body), ["EvalID", "Index"]);
  assertEquals(state.snapshot().eval(body.EvalID)?.TriggeredBy, "alloc-stop");
  assertEquals(state.snapshot().alloc("a1")?.DesiredTransition.Migrate, true);
  const missing = await app.request("/v1/allocation/nope/stop", { method: "PUT" });
  assertEquals([missing.status, await missing.text()], [404, "allocation not found"]);
  const bad = await app.request("/v1/allocation/a1/stop?no_shutdown_delay=x", { method: "PUT" });
  assertEquals(bad.status, 400);
  assertEquals((await app.request("/v1/allocation/a1/stop")).status, 405);
});
