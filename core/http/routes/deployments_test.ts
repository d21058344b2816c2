// /v1/deployments, /v1/deployment/:id, /v1/deployment/allocations/:id and the deployment writes
// through app.request.
import { assert, assertEquals } from "../../../tests/assert.ts";
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

  await t.step("the deployment writes refuse GET", async () => {
    assertEquals((await app.request("/v1/deployment/fail/d1")).status, 405);
    assertEquals((await app.request("/v1/deployments", { method: "PUT" })).status, 405);
  });
});

Deno.test("the deployment writes go through the server's deployment watcher", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("api") }));
  await place(state, "default", "api", {
    node: "n1",
    ids: ["b1", "b2"],
    deployment: {
      ID: "d1",
      TaskGroups: {
        web: {
          AutoRevert: false,
          AutoPromote: false,
          ProgressDeadline: 0,
          RequireProgressBy: "0001-01-01T00:00:00Z",
          Promoted: false,
          PlacedCanaries: null,
          DesiredCanaries: 0,
          DesiredTotal: 2,
          PlacedAllocs: 0,
          HealthyAllocs: 0,
          UnhealthyAllocs: 0,
        },
      },
    },
    alloc: { DeploymentID: "d1" },
  });
  const post = (verb: string, body?: unknown) =>
    app.request(`/v1/deployment/${verb}/d1`, send("POST", body));

  await t.step("pause and resume; the body must name the deployment", async () => {
    const res = await post("pause", { DeploymentID: "d1", Pause: true });
    assertEquals(res.status, 200);
    const out = await res.json();
    assertEquals(Object.keys(out).sort(), [
      "DeploymentModifyIndex",
      "EvalCreateIndex",
      "EvalID",
      "Index",
      "RevertedJobVersion",
    ]);
    assertEquals([out.EvalID, out.RevertedJobVersion], ["", null]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(out.Index));
    assertEquals(state.snapshot().deployment("d1")?.Status, "paused");
    const resumed = await (await app.request(
      "/v1/deployment/pause/d1",
      send("PUT", { DeploymentID: "d1", Pause: false }),
    )).json();
    assert(resumed.EvalID !== "");
    assertEquals(state.snapshot().eval(resumed.EvalID)?.TriggeredBy, "deployment-watcher");
    const other = await post("pause", { DeploymentID: "d2", Pause: true });
    assertEquals([other.status, await other.text()], [400, "Deployment ID does not match"]);
    const none = await post("promote", { All: true });
    assertEquals([none.status, await none.text()], [400, "DeploymentID must be specified"]);
    const empty = await post("pause");
    assertEquals([empty.status, await empty.text()], [400, "Request body is empty"]);
  });

  await t.step("allocation-health, promote and unblock", async () => {
    const res = await post("allocation-health", {
      DeploymentID: "d1",
      HealthyAllocationIDs: ["b1"],
    });
    assertEquals(res.status, 200);
    assertEquals(state.snapshot().alloc("b1")?.DeploymentStatus?.Healthy, true);
    assertEquals(state.snapshot().deployment("d1")?.TaskGroups?.web?.HealthyAllocs, 1);
    const nothing = await post("allocation-health", { DeploymentID: "d1" });
    assertEquals(
      [nothing.status, await nothing.text()],
      [500, "must specify at least one healthy/unhealthy allocation ID"],
    );
    const promote = await post("promote", { DeploymentID: "d1", All: true });
    assertEquals(promote.status, 200);
    assertEquals(state.snapshot().deployment("d1")?.TaskGroups?.web?.Promoted, true);
    const unblock = await (await post("unblock", { DeploymentID: "d1" })).json();
    assertEquals([unblock.EvalID, unblock.Index], ["", 0]);
  });

  await t.step("fail, then Nomad's errors for a terminal or unknown deployment", async () => {
    const res = await post("fail");
    assertEquals(res.status, 200);
    const failed = state.snapshot().deployment("d1")!;
    assertEquals([failed.Status, failed.StatusDescription], [
      "failed",
      "Deployment marked as failed",
    ]);
    const again = await post("fail");
    assertEquals([again.status, await again.text()], [500, "can't fail terminal deployment"]);
    const promote = await post("promote", { DeploymentID: "d1", All: true });
    assertEquals(await promote.text(), "can't promote terminal deployment");
    const missing = await app.request("/v1/deployment/fail/nope", send("POST"));
    assertEquals([missing.status, await missing.text()], [500, "deployment not found"]);
  });
});
