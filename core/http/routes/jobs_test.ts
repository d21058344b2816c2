// /v1/jobs (list, register), /v1/jobs/parse and /v1/validate/job through app.request.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { apiJob, send, testApi } from "./_testing.ts";

Deno.test("GET /v1/jobs lists job stubs with summaries, filtered and paged", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  for (const id of ["api", "batch-1", "cron", "web"]) {
    const type = id.startsWith("b") || id === "cron" ? "batch" : "service";
    const res = await app.request("/v1/jobs", send("PUT", { Job: apiJob(id, { Type: type }) }));
    assertEquals(res.status, 200, await res.clone().text());
  }
  await app.request(
    "/v1/jobs?namespace=prod",
    send("POST", { Job: apiJob("ops", { Meta: { team: "ops" } }) }),
  );

  await t.step("an empty namespace answers [] with index 1", async () => {
    const res = await app.request("/v1/jobs?namespace=empty");
    assertEquals([res.status, await res.text()], [200, "[]"]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.index));
  });

  await t.step("stubs have Nomad's JobListStub fields and the job summary", async () => {
    const res = await app.request("/v1/jobs");
    const list = await res.json();
    assertEquals(list.map((j: { ID: string }) => j.ID), ["api", "batch-1", "cron", "web"]);
    assertEquals(Object.keys(list[0]), [
      "ID",
      "ParentID",
      "Name",
      "Namespace",
      "Datacenters",
      "NodePool",
      "Multiregion",
      "Type",
      "Priority",
      "Periodic",
      "ParameterizedJob",
      "Stop",
      "Status",
      "StatusDescription",
      "JobSummary",
      "CreateIndex",
      "ModifyIndex",
      "JobModifyIndex",
      "SubmitTime",
    ]);
    assertEquals(list[0].Status, "pending");
    assertEquals(list[0].JobSummary.Summary.web.Queued, 0);
    assertEquals(res.headers.get("X-Nomad-KnownLeader"), "true");
  });

  await t.step("?meta=true adds Meta; ?namespace=* lists every namespace", async () => {
    const all = await (await app.request("/v1/jobs?namespace=*&meta=true")).json();
    assertEquals(all.map((j: { Namespace: string }) => j.Namespace), [
      "default",
      "default",
      "default",
      "default",
      "prod",
    ]);
    assertEquals(all[4].Meta, { team: "ops" });
    assertEquals("Meta" in all[0], false);
  });

  await t.step("?prefix, ?filter and pagination with X-Nomad-NextToken", async () => {
    const prefixed = await (await app.request("/v1/jobs?prefix=ba")).json();
    assertEquals(prefixed.map((j: { ID: string }) => j.ID), ["batch-1"]);
    const filter = encodeURIComponent('Type == "batch"');
    const batch = await (await app.request(`/v1/jobs?filter=${filter}`)).json();
    assertEquals(batch.map((j: { ID: string }) => j.ID), ["batch-1", "cron"]);
    const first = await app.request("/v1/jobs?per_page=3");
    assertEquals((await first.json()).length, 3);
    assertEquals(first.headers.get("X-Nomad-NextToken"), "default.web");
    const rest = await app.request("/v1/jobs?per_page=3&next_token=default.web");
    assertEquals((await rest.json()).map((j: { ID: string }) => j.ID), ["web"]);
    assertEquals(rest.headers.get("X-Nomad-NextToken"), null);
  });

  await t.step("bad filters and parameters are 400", async () => {
    const bad = await app.request(`/v1/jobs?filter=${encodeURIComponent("Type = x")}`);
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), "failed to read filter expression");
    const meta = await app.request("/v1/jobs?meta=maybe");
    assertEquals(meta.status, 400);
    assertStringIncludes(await meta.text(), 'Failed to parse value of "meta" (maybe) as a bool');
    const index = await app.request("/v1/jobs?index=x");
    assertEquals([index.status, await index.text()], [400, "Invalid index"]);
  });

  await t.step("a blocking list returns early on a write with a higher index", async () => {
    const before = state.index;
    const started = performance.now();
    const pending = app.request(`/v1/jobs?index=${before}&wait=10s`);
    setTimeout(() => app.request("/v1/jobs", send("PUT", { Job: apiJob("late") })), 20);
    const res = await pending;
    assert(performance.now() - started < 5000);
    assert(Number(res.headers.get("X-Nomad-Index")) > before);
    assert((await res.json()).some((j: { ID: string }) => j.ID === "late"));
  });

  await t.step("a blocking list times out with the same index", async () => {
    const res = await app.request(`/v1/jobs?index=${state.index}&wait=50ms`);
    assertEquals(res.headers.get("X-Nomad-Index"), String(state.index));
  });

  await t.step("a region this agent does not serve is Nomad's 500", async () => {
    const res = await app.request("/v1/jobs?region=mars");
    assertEquals([res.status, await res.text()], [500, "No path to region"]);
  });

  await t.step("a wrong verb is 405", async () => {
    const res = await app.request("/v1/jobs", { method: "DELETE" });
    assertEquals([res.status, await res.text()], [405, "Invalid method"]);
  });
});

Deno.test("PUT /v1/jobs registers a canonical job and answers Nomad's response", async (t) => {
  await using api = await testApi();
  const { app, state } = api;

  await t.step("the response carries the eval, indexes and query meta", async () => {
    const res = await app.request("/v1/jobs", send("PUT", { job: apiJob("web") }));
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(Object.keys(body), [
      "EvalID",
      "EvalCreateIndex",
      "JobModifyIndex",
      "Warnings",
      "Index",
      "LastContact",
      "KnownLeader",
      "NextToken",
    ]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(body.Index));
    const stored = state.snapshot().job("default", "web")!;
    assertEquals([stored.Region, stored.Namespace, stored.Priority], ["global", "default", 50]);
    assertEquals(stored.TaskGroups![0]!.RestartPolicy?.Attempts, 2);
    assertEquals(state.snapshot().eval(body.EvalID)?.TriggeredBy, "job-register");
  });

  await t.step("the namespace comes from the query, then the body, then the job", async () => {
    await app.request("/v1/jobs?namespace=q", send("PUT", { Job: apiJob("a"), Namespace: "b" }));
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("b"), Namespace: "b" }));
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("c", { Namespace: "j" }) }));
    const snap = state.snapshot();
    assert(snap.job("q", "a") && snap.job("b", "b") && snap.job("j", "c"));
  });

  await t.step("malformed bodies are 400 with Nomad's texts", async () => {
    const cases: [unknown, string][] = [
      [{}, "Job must be specified"],
      [{ Job: { Name: "x" } }, "Job ID hasn't been provided"],
      [{ Job: apiJob("x"), EvalPriority: 101 }, "Eval priority must be between 1 and 100"],
      [
        { Job: apiJob("s", { Type: "system", TaskGroups: [{ Name: "g", Scaling: { Max: 2 } }] }) },
        "Task groups with job type system do not support scaling blocks",
      ],
      [{ Job: { ID: 5 } }, "Request decode failed: Job.ID: expected a string, got number"],
    ];
    for (const [body, text] of cases) {
      const res = await app.request("/v1/jobs", send("PUT", body));
      assertEquals(res.status, 400, text);
      assertStringIncludes(await res.text(), text);
    }
    const broken = await app.request("/v1/jobs", { method: "PUT", body: "{" });
    assertEquals(broken.status, 400);
    const empty = await app.request("/v1/jobs", { method: "PUT" });
    assertEquals([empty.status, await empty.text()], [400, "Request body is empty"]);
  });

  await t.step("an invalid job is the server's 400 listing every problem", async () => {
    const res = await app.request("/v1/jobs", send("PUT", { Job: { ID: "bad", TaskGroups: [] } }));
    assertEquals(res.status, 400);
    const text = await res.text();
    assertStringIncludes(text, 'Job "bad" is invalid');
    assertStringIncludes(text, "Missing job task groups");
  });

  await t.step("EnforceIndex with a stale index is a 409", async () => {
    const res = await app.request(
      "/v1/jobs",
      send("PUT", { Job: apiJob("web"), EnforceIndex: true, JobModifyIndex: 999 }),
    );
    assertEquals(res.status, 409);
    assertStringIncludes(await res.text(), "conflicting job modify index");
  });

  await t.step("PUT /v1/job/:id checks the ID matches", async () => {
    const before = state.index;
    const res = await app.request("/v1/job/other", send("POST", { Job: apiJob("web") }));
    assertEquals([res.status, await res.text()], [400, "Job ID does not match name"]);
    assertEquals(state.index, before, "a mismatched ID never reaches the server");
    const ok = await app.request(
      "/v1/job/web",
      send("POST", { Job: apiJob("web", { Priority: 99 }) }),
    );
    assertEquals(ok.status, 200);
    assertEquals(state.snapshot().job("default", "web")?.Priority, 99);
  });
});

Deno.test("POST /v1/jobs/parse parses HCL with variables, canonicalized on request", async () => {
  await using api = await testApi();
  const { app } = api;
  const hcl = `
variable "count" {
  type = number
}
job "web" {
  group "g" {
    count = var.count
    task "t" {
      driver = "raw_exec"
    }
  }
}
`;
  const raw = await app.request(
    "/v1/jobs/parse",
    send("POST", { JobHCL: hcl, Variables: "count = 3\n" }),
  );
  assertEquals(raw.status, 200);
  const job = await raw.json();
  assertEquals([job.ID, job.TaskGroups[0].Count, job.Priority], ["web", 3, null]);
  const canonical = await (await app.request(
    "/v1/jobs/parse",
    send("PUT", { JobHCL: hcl, Variables: "count = 2", Canonicalize: true }),
  )).json();
  assertEquals([canonical.Priority, canonical.Type, canonical.TaskGroups[0].Count], [
    50,
    "service",
    2,
  ]);
  const empty = await app.request("/v1/jobs/parse", send("POST", { JobHCL: "" }));
  assertEquals([empty.status, await empty.text()], [400, "Job spec is empty"]);
  const broken = await app.request("/v1/jobs/parse", send("POST", { JobHCL: 'job "x" {' }));
  assertEquals(broken.status, 400);
  assertStringIncludes(await broken.text(), "Failed to parse job: input.hcl:");
  const badVar = await app.request(
    "/v1/jobs/parse",
    send("POST", { JobHCL: hcl, Variables: "count = " }),
  );
  assertEquals(badVar.status, 400);
  assert(!(await badVar.text()).includes("/tmp/"), "temporary paths stay private");
  const get = await app.request("/v1/jobs/parse");
  assertEquals(get.status, 405);
});

Deno.test("POST /v1/validate/job answers the server's validation of the canonical job", async () => {
  await using api = await testApi();
  const { app } = api;
  const ok = await (await app.request("/v1/validate/job", send("POST", { Job: apiJob("web") })))
    .json();
  assertEquals(ok, {
    DriverConfigValidated: true,
    ValidationErrors: null,
    Error: "",
    Warnings: "",
  });
  const bad = await (await app.request(
    "/v1/validate/job",
    send("PUT", { Job: { ID: "x", TaskGroups: [] } }),
  )).json();
  assert(bad.ValidationErrors.length > 0);
  const missing = await app.request("/v1/validate/job", send("PUT", {}));
  assertEquals([missing.status, await missing.text()], [400, "Job must be specified"]);
});
