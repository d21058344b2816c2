// The conventions on a few of Nomad's job endpoints, served from a tiny in-memory store
// (_testing.ts), through app.request() as a client would see them.
import { gunzipSync } from "node:zlib";
import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { jobRoutes, MemoryJobs, testApp } from "./_testing.ts";

function register(app: ReturnType<typeof testApp>["app"], body: unknown, query = "") {
  return app.request(`/v1/jobs${query}`, { method: "PUT", body: JSON.stringify(body) });
}

Deno.test("job endpoints over an in-memory store follow Nomad's conventions", async (t) => {
  const store = new MemoryJobs();
  const { app } = testApp(jobRoutes(store));

  await t.step("an empty list reports index 1, not 0", async () => {
    const res = await app.request("/v1/jobs");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("X-Nomad-Index"), "1");
    assertEquals(res.headers.get("X-Nomad-KnownLeader"), "true");
    assertEquals(await res.text(), "[]");
  });

  await t.step("PUT and POST register jobs; body keys match case-insensitively", async () => {
    const res = await register(app, { job: { id: "web", name: "web", type: "service" } });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("X-Nomad-Index"), "1");
    assertEquals((await res.json()).JobModifyIndex, 1);
    for (const [id, type] of [["api", "service"], ["batch-1", "batch"], ["cron", "batch"]]) {
      const post = await app.request("/v1/jobs", {
        method: "POST",
        body: JSON.stringify({ Job: { ID: id, Name: id, Type: type } }),
      });
      assertEquals(post.status, 200);
    }
    await register(app, { Job: { ID: "ops", Name: "ops", Type: "system" } }, "?namespace=prod");
    assertEquals(store.index, 5);
  });

  await t.step("bad bodies are 400 with Nomad's text", async () => {
    const noId = await register(app, { Job: { Name: "x" } });
    assertEquals([noId.status, await noId.text()], [400, "Job ID must be specified"]);
    const noJob = await register(app, {});
    assertEquals([noJob.status, await noJob.text()], [400, "Job must be specified"]);
    const broken = await app.request("/v1/jobs", { method: "PUT", body: "{" });
    assertEquals(broken.status, 400);
    assertStringIncludes(await broken.text(), "Request decode failed: ");
  });

  await t.step("EnforceIndex with a stale index is a 409", async () => {
    const res = await register(app, { Job: { ID: "web" }, EnforceIndex: true, JobModifyIndex: 0 });
    assertEquals(res.status, 409);
    assertStringIncludes(await res.text(), "conflicting job modify index: 1");
  });

  await t.step("GET /v1/job/:id answers the job, ?pretty indents it", async () => {
    const res = await app.request("/v1/job/web");
    assertEquals(res.headers.get("X-Nomad-Index"), "5");
    const job = await res.json();
    assertEquals([job.ID, job.Type, job.Namespace, job.TaskGroups], [
      "web",
      "service",
      "default",
      null,
    ]);
    const pretty = await (await app.request("/v1/job/web?pretty")).text();
    assert(pretty.startsWith('{\n    "Region": '), pretty.slice(0, 40));
    const missing = await app.request("/v1/job/nope");
    assertEquals([missing.status, await missing.text()], [404, "job not found"]);
    const other = await app.request("/v1/job/ops?namespace=prod");
    assertEquals(other.status, 200);
  });

  await t.step("a wrong verb on a known path is 405, an unknown path 404", async () => {
    const del = await app.request("/v1/jobs", { method: "DELETE" });
    assertEquals([del.status, await del.text()], [405, "Invalid method"]);
    assertEquals((await app.request("/v1/jobz")).status, 404);
  });

  await t.step("lists page with per_page and next_token", async () => {
    const first = await app.request("/v1/jobs?per_page=2");
    assertEquals((await first.json()).map((j: { ID: string }) => j.ID), ["api", "batch-1"]);
    const token = first.headers.get("X-Nomad-NextToken");
    assertEquals(token, "default.cron");
    const second = await app.request(`/v1/jobs?per_page=2&next_token=${token}`);
    assertEquals((await second.json()).map((j: { ID: string }) => j.ID), ["cron", "web"]);
    assertEquals(second.headers.get("X-Nomad-NextToken"), null);
    const reversed = await app.request("/v1/jobs?per_page=3&reverse=true");
    assertEquals((await reversed.json()).map((j: { ID: string }) => j.ID), [
      "web",
      "cron",
      "batch-1",
    ]);
  });

  await t.step("lists filter, select by prefix and by namespace", async () => {
    const filter = encodeURIComponent('Type == "batch"');
    const batch = await (await app.request(`/v1/jobs?filter=${filter}`)).json();
    assertEquals(batch.map((j: { ID: string }) => j.ID), ["batch-1", "cron"]);
    const prefixed = await (await app.request("/v1/jobs?prefix=ba")).json();
    assertEquals(prefixed.map((j: { ID: string }) => j.ID), ["batch-1"]);
    const all = await (await app.request("/v1/jobs?namespace=*")).json();
    assertEquals(all.map((j: { Namespace: string }) => j.Namespace).sort().at(-1), "prod");
    const bad = await app.request(`/v1/jobs?filter=${encodeURIComponent("Type = batch")}`);
    assertEquals(bad.status, 400);
    assertStringIncludes(await bad.text(), "failed to read filter expression: 1:6 (5)");
    const unknown = await app.request(`/v1/jobs?filter=${encodeURIComponent("Nope == 1")}`);
    assertEquals(unknown.status, 400);
    assertStringIncludes(await unknown.text(), "failed to read result page: ");
  });

  await t.step("a blocking list wakes on the next write", async () => {
    const pending = app.request("/v1/jobs?index=5&wait=10s");
    setTimeout(() => register(app, { Job: { ID: "late", Name: "late", Type: "batch" } }), 10);
    const res = await pending;
    assertEquals(res.headers.get("X-Nomad-Index"), "6");
    assertEquals((await res.json()).some((j: { ID: string }) => j.ID === "late"), true);
  });

  await t.step("DELETE removes a job; a second DELETE is a 404", async () => {
    const res = await app.request("/v1/job/late", { method: "DELETE" });
    assertEquals([res.status, res.headers.get("X-Nomad-Index")], [200, "7"]);
    const again = await app.request("/v1/job/late", { method: "DELETE" });
    assertEquals([again.status, await again.text()], [404, "job not found"]);
  });

  await t.step("a large list is gzipped when the client accepts it", async () => {
    for (let i = 0; i < 30; i++) await register(app, { Job: { ID: `svc-${i}`, Type: "service" } });
    const res = await app.request("/v1/jobs", { headers: { "Accept-Encoding": "gzip" } });
    assertEquals(res.headers.get("Content-Encoding"), "gzip");
    const list = JSON.parse(
      new TextDecoder().decode(gunzipSync(new Uint8Array(await res.arrayBuffer()))),
    );
    assertEquals(list.length, 34);
  });
});
