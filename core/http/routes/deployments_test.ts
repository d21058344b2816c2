// /v1/deployments, /v1/deployment/:id and /v1/deployment/allocations/:id through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

Deno.test("the deployment endpoints answer deployments and their allocations", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("api") }));
  await place(state, "default", "web", { node: "n1", ids: ["a1"], deployment: { ID: "d9" } });
  await place(state, "default", "api", {
    node: "n1",
    ids: ["b1", "b2"],
    deployment: { ID: "d1" },
    alloc: { DeploymentID: "d1" },
  });

  await t.step("GET /v1/deployments lists in creation order, by ID with a prefix", async () => {
    const res = await app.request("/v1/deployments");
    const list = await res.json();
    assertEquals(list.map((d: { ID: string }) => d.ID), ["d9", "d1"]);
    assertEquals(list[0].Status, "running");
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("deployment")));
    const prefixed = await (await app.request("/v1/deployments?prefix=d")).json();
    assertEquals(prefixed.map((d: { ID: string }) => d.ID), ["d1", "d9"]);
    const page = await app.request("/v1/deployments?per_page=1");
    assertEquals((await page.json()).length, 1);
    assert(page.headers.get("X-Nomad-NextToken")!.endsWith(".d1"));
    const filter = encodeURIComponent('JobID == "api"');
    const filtered = await (await app.request(`/v1/deployments?filter=${filter}`)).json();
    assertEquals(filtered.map((d: { ID: string }) => d.ID), ["d1"]);
  });

  await t.step("GET /v1/deployment/:id and its allocations", async () => {
    const res = await app.request("/v1/deployment/d1");
    const d = await res.json();
    assertEquals([d.ID, d.JobID], ["d1", "api"]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(d.ModifyIndex));
    const missing = await app.request("/v1/deployment/nope");
    assertEquals([missing.status, await missing.text()], [404, "deployment not found"]);
    const allocs = await (await app.request("/v1/deployment/allocations/d1")).json();
    assertEquals(allocs.map((a: { ID: string }) => a.ID), ["b1", "b2"]);
    assertEquals(allocs[0].JobID, "api");
  });

  await t.step("a blocking read of a deployment wakes when it changes", async () => {
    const d = state.snapshot().deployment("d1")!;
    const pending = app.request(`/v1/deployment/d1?index=${d.ModifyIndex}&wait=5s`);
    setTimeout(() => {
      state.apply({
        type: "DeploymentStatus",
        update: { DeploymentID: "d1", Status: "paused", StatusDescription: "paused" },
        updatedAt: 1,
      });
    }, 20);
    const res = await pending;
    assertEquals((await res.json()).Status, "paused");
  });

  await t.step("the deployment writes answer 501 until the watcher exists", async () => {
    for (const verb of ["fail", "pause", "promote", "allocation-health", "unblock"]) {
      const res = await app.request(`/v1/deployment/${verb}/d1`, send("POST", {}));
      assertEquals(res.status, 501, verb);
      assertStringIncludes(await res.text(), "no deployment watcher");
    }
    assertEquals((await app.request("/v1/deployment/fail/d1")).status, 405);
    assertEquals((await app.request("/v1/deployments", { method: "PUT" })).status, 405);
  });
});
