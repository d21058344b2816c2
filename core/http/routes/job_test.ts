// /v1/job/:id and its sub-resources through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

async function setup() {
  const t = await testApi();
  const reg = await t.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  assertEquals(reg.status, 200);
  return t;
}

Deno.test("GET, PUT and DELETE /v1/job/:id", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("GET answers the job at its ModifyIndex; a missing job is 404", async () => {
    const res = await app.request("/v1/job/web");
    const job = await res.json();
    assertEquals([job.ID, job.Namespace, job.Version], ["web", "default", 0]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(job.ModifyIndex));
    const missing = await app.request("/v1/job/nope");
    assertEquals([missing.status, await missing.text()], [404, "job not found"]);
    assertEquals(missing.headers.get("X-Nomad-Index"), String(state.tableIndex("jobs")));
  });

  await t.step("job IDs with a slash work escaped or not", async () => {
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("batch/periodic-1") }));
    const escaped = await app.request("/v1/job/batch%2Fperiodic-1");
    assertEquals((await escaped.json()).ID, "batch/periodic-1");
    const plain = await app.request("/v1/job/batch/periodic-1/summary");
    assertEquals((await plain.json()).JobID, "batch/periodic-1");
  });

  await t.step("a blocking GET wakes when the job changes, not on other jobs", async () => {
    const index = Number((await app.request("/v1/job/web")).headers.get("X-Nomad-Index"));
    const pending = app.request(`/v1/job/web?index=${index}&wait=5s`);
    await new Promise((r) => setTimeout(r, 20));
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("other") }));
    await new Promise((r) => setTimeout(r, 20));
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("web", { Priority: 70 }) }));
    const res = await pending;
    assert(Number(res.headers.get("X-Nomad-Index")) > index);
    assertEquals((await res.json()).Priority, 70);
  });

  await t.step("DELETE deregisters with ?purge and answers the eval", async () => {
    const bad = await app.request("/v1/job/other?purge=perhaps", { method: "DELETE" });
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), 'Failed to parse value of "purge" (perhaps) as a bool');
    const prio = await app.request("/v1/job/other?eval_priority=500", { method: "DELETE" });
    assertEquals(prio.status, 400);
    const res = await app.request("/v1/job/other?purge=true", { method: "DELETE" });
    const body = await res.json();
    assertEquals(res.status, 200);
    assertEquals(body.Index, Number(res.headers.get("X-Nomad-Index")));
    assertEquals(typeof body.EvalID, "string");
    assertEquals(state.snapshot().job("default", "other"), undefined);
  });

  await t.step("other verbs are 405", async () => {
    const res = await app.request("/v1/job/web", { method: "PATCH" });
    assertEquals([res.status, await res.text()], [405, "Invalid method"]);
    const post = await app.request("/v1/job/web/allocations", { method: "POST" });
    assertEquals(post.status, 405);
    const get = await app.request("/v1/job/web/evaluate");
    assertEquals(get.status, 405);
  });
});

Deno.test("the reads under /v1/job/:id/ answer Nomad's shapes and indexes", async (t) => {
  await using api = await setup();
  const { app, state } = api;
  const allocIndex = await place(state, "default", "web", {
    node: "n1",
    ids: ["a1", "a2"],
    deployment: { ID: "d1" },
  });

  await t.step("allocations are AllocListStubs of the current job instance", async () => {
    const res = await app.request("/v1/job/web/allocations");
    const list = await res.json();
    assertEquals(list.map((a: { ID: string }) => a.ID), ["a1", "a2"]);
    assertEquals([list[0].JobType, list[0].JobVersion, list[0].NodeName], [
      "service",
      0,
      "node-n1",
    ]);
    assertEquals("Job" in list[0], false);
    assertEquals(res.headers.get("X-Nomad-Index"), String(allocIndex));
    assertEquals(await (await app.request("/v1/job/nope/allocations")).json(), []);
  });

  await t.step("allocations and deployments of an earlier job instance need ?all", async () => {
    const job = state.snapshot().job("default", "web")!;
    await place(state, "default", "web", {
      node: "n3",
      ids: ["old1"],
      alloc: { Job: { ...job, CreateIndex: 0, ModifyIndex: 0 } },
      deployment: { ID: "d0", JobCreateIndex: 0 },
    });
    const current = await (await app.request("/v1/job/web/allocations")).json();
    assertEquals(current.map((a: { ID: string }) => a.ID), ["a1", "a2"]);
    const all = await (await app.request("/v1/job/web/allocations?all=true")).json();
    assertEquals(all.map((a: { ID: string }) => a.ID), ["a1", "a2", "old1"]);
    const deployments = await (await app.request("/v1/job/web/deployments")).json();
    assertEquals(deployments.map((d: { ID: string }) => d.ID), ["d1"]);
    const allDeployments = await (await app.request("/v1/job/web/deployments?all=1")).json();
    assertEquals(allDeployments.map((d: { ID: string }) => d.ID), ["d0", "d1"]);
    assertEquals(await (await app.request("/v1/job/nope/deployment")).json(), null);
  });

  await t.step("evaluations are full evaluations", async () => {
    const evals = await (await app.request("/v1/job/web/evaluations")).json();
    assert(evals.length >= 1);
    assertEquals(evals[0].JobID, "web");
    assert("ClassEligibility" in evals[0]);
  });

  await t.step("deployment is the latest of the current instance", async () => {
    await place(state, "default", "web", { node: "n2", ids: ["b1"], deployment: { ID: "d2" } });
    const res = await app.request("/v1/job/web/deployment");
    assertEquals((await res.json()).ID, "d2");
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.tableIndex("deployment")));
  });

  await t.step("summary counts allocations per group; 404 for a missing job", async () => {
    const res = await app.request("/v1/job/web/summary");
    const summary = await res.json();
    assertEquals([summary.JobID, summary.Summary.web.Starting], ["web", 3]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(summary.ModifyIndex));
    const missing = await app.request("/v1/job/nope/summary");
    assertEquals([missing.status, await missing.text()], [404, "job not found"]);
  });

  await t.step("versions answer every version, with diffs when asked", async () => {
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("web", { Priority: 80 }) }));
    const plain = await (await app.request("/v1/job/web/versions")).json();
    assertEquals(plain.Versions.map((v: { Version: number }) => v.Version), [1, 0]);
    assertEquals([plain.Diffs, plain.KnownLeader, typeof plain.Index], [null, true, "number"]);
    const diffs = await (await app.request("/v1/job/web/versions?diffs=true")).json();
    assertEquals(diffs.Diffs.length, 1);
    const priority = diffs.Diffs[0].Fields.find((f: { Name: string }) => f.Name === "Priority");
    assertEquals([priority.Old, priority.New, priority.Type], ["50", "80", "Edited"]);
    const against = await app.request("/v1/job/web/versions?diffs=true&diff_version=7");
    assertEquals([against.status, await against.text()], [404, "version 7 not found"]);
    const missing = await app.request("/v1/job/nope/versions");
    assertEquals([missing.status, await missing.text()], [404, "job versions not found"]);
  });

  await t.step("submission needs ?version and answers the source kept", async () => {
    const noVersion = await app.request("/v1/job/web/submission");
    assertEquals(noVersion.status, 400);
    assertEquals(await noVersion.text(), "Unable to parse job submission version parameter");
    const none = await app.request("/v1/job/web/submission?version=0");
    assertEquals([none.status, await none.text()], [404, "job source not found"]);
    await app.request(
      "/v1/jobs",
      send("PUT", {
        Job: apiJob("src"),
        Submission: { Source: 'job "src" {}', Format: "hcl2", VariableFlags: { a: "1" } },
      }),
    );
    const found = await (await app.request("/v1/job/src/submission?version=0")).json();
    assertEquals([found.Source, found.VariableFlags, found.JobID], [
      'job "src" {}',
      { a: "1" },
      "src",
    ]);
  });

  await t.step("services of an existing job are empty; 404 otherwise", async () => {
    assertEquals(await (await app.request("/v1/job/web/services")).json(), []);
    assertEquals((await app.request("/v1/job/nope/services")).status, 404);
  });
});

Deno.test("the writes under /v1/job/:id/ reach the server with Nomad's checks", async (t) => {
  await using api = await setup();
  const { app, state } = api;

  await t.step("evaluate works without a body and checks the body's JobID", async () => {
    const res = await app.request("/v1/job/web/evaluate", { method: "POST" });
    const body = await res.json();
    assertEquals(res.status, 200);
    assertEquals(state.snapshot().eval(body.EvalID)?.JobID, "web");
    const forced = await app.request(
      "/v1/job/web/evaluate",
      send("PUT", { JobID: "web", EvalOptions: { ForceReschedule: true } }),
    );
    assertEquals(forced.status, 200);
    const other = await app.request("/v1/job/web/evaluate", send("PUT", { JobID: "x" }));
    assertEquals([other.status, await other.text()], [400, "JobID not same as job name"]);
    const missing = await app.request("/v1/job/nope/evaluate", { method: "PUT" });
    assertEquals([missing.status, await missing.text()], [404, "job not found"]);
  });

  await t.step("plan sends the canonical job and answers the diff", async () => {
    const res = await app.request(
      "/v1/job/web/plan",
      send("PUT", { Job: apiJob("web", { Priority: 60 }), Diff: true }),
    );
    const plan = await res.json();
    assertEquals(plan.Diff.Type, "Edited");
    const mismatch = await app.request("/v1/job/x/plan", send("PUT", { Job: apiJob("web") }));
    assertEquals([mismatch.status, await mismatch.text()], [400, "Job ID does not match"]);
    const noId = await app.request("/v1/job/x/plan", send("PUT", { Job: { Name: "x" } }));
    assertEquals([noId.status, await noId.text()], [400, "Job must have a valid ID"]);
  });

  await t.step("revert and stable check the body's JobID", async () => {
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("web", { Priority: 90 }) }));
    const revert = await app.request(
      "/v1/job/web/revert",
      send("PUT", { JobID: "web", JobVersion: 0 }),
    );
    assertEquals(revert.status, 200);
    assertEquals(state.snapshot().job("default", "web")?.Priority, 50);
    const stable = await app.request(
      "/v1/job/web/stable",
      send("PUT", { JobID: "web", JobVersion: 2, Stable: true }),
    );
    assertEquals(Object.keys(await stable.json()), ["Index"]);
    assertEquals(state.snapshot().job("default", "web")?.Stable, true);
    const empty = await app.request("/v1/job/web/stable", send("PUT", { JobVersion: 1 }));
    assertEquals([empty.status, await empty.text()], [400, "JobID must be specified"]);
    const wrong = await app.request("/v1/job/web/revert", send("PUT", { JobID: "x" }));
    assertEquals([wrong.status, await wrong.text()], [400, "Job ID does not match"]);
  });

  await t.step("scale GET answers the scale status; POST changes a group's count", async () => {
    await place(state, "default", "web", {
      node: "n1",
      ids: ["s1"],
      alloc: { ClientStatus: "running" },
    });
    const status = await (await app.request("/v1/job/web/scale")).json();
    assertEquals(status.TaskGroups.web, {
      Desired: 1,
      Placed: 1,
      Running: 1,
      Healthy: 0,
      Unhealthy: 0,
      Events: null,
    });
    const res = await app.request(
      "/v1/job/web/scale",
      send("POST", { Count: 4, Target: { Group: "web" } }),
    );
    assertEquals(res.status, 200);
    assertEquals(state.snapshot().job("default", "web")?.TaskGroups?.[0]?.Count, 4);
    const noGroup = await app.request(
      "/v1/job/web/scale",
      send("POST", { Count: 4, Target: { Group: "db" } }),
    );
    assertEquals(noGroup.status, 400);
    assertEquals(
      await noGroup.text(),
      'task group "db" specified for scaling does not exist in job',
    );
    const wrongJob = await app.request(
      "/v1/job/web/scale",
      send("POST", { Count: 1, Target: { Job: "x", Group: "web" } }),
    );
    assertEquals([wrongJob.status, await wrongJob.text()], [
      400,
      "job ID in payload did not match URL",
    ]);
    const missing = await app.request("/v1/job/nope/scale");
    assertEquals([missing.status, await missing.text()], [404, "job not found"]);
  });

  await t.step(
    "actions and tags answer 501 until the server has them",
    async () => {
      for (const path of ["actions", "action"]) {
        const res = await app.request(`/v1/job/web/${path}`, { method: "POST" });
        assertEquals(res.status, 501, path);
        assertStringIncludes(await res.text(), "is not supported by this server yet");
      }
      const tag = await app.request("/v1/job/web/tag", { method: "POST" });
      assertEquals([tag.status, await tag.text()], [404, "invalid job tag endpoint"]);
    },
  );
});
