import { assert, assertEquals, assertMatch } from "../../../tests/assert.ts";
import { snappyDecode } from "../../server/_snappy.ts";
import { apiJob, send, testApi } from "./_testing.ts";
import { decodeBase64 } from "./job_launch.ts";

const PERIODIC = { Spec: "@daily" };
const PARAMETERIZED = { Payload: "required", MetaRequired: ["input"], MetaOptional: null };

function batch(id: string, edit: Record<string, unknown>) {
  return apiJob(id, { Type: "batch", ...edit });
}

Deno.test("decodeBase64() decodes padded base64 and names the first bad byte", () => {
  assertEquals(new TextDecoder().decode(decodeBase64("aGk=")), "hi");
  for (const [text, at] of [["aG!=", 2], ["aGk", 0]] as const) {
    try {
      decodeBase64(text);
      throw new Error("no error");
    } catch (err) {
      assertEquals(
        (err as Error).message,
        `Request decode failed: illegal base64 data at input byte ${at}`,
      );
    }
  }
});

Deno.test("POST /v1/job/:id/periodic/force launches a child of a periodic job", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  await app.request("/v1/jobs", send("PUT", { Job: batch("report", { Periodic: PERIODIC }) }));
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));

  await t.step("answers the evaluation with its index", async () => {
    const res = await app.request("/v1/job/report/periodic/force", { method: "POST" });
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(Object.keys(body), ["EvalID", "EvalCreateIndex", "Index"]);
    assertEquals(res.headers.get("X-Nomad-Index"), String(body.Index));
    const e = state.snapshot().eval(body.EvalID);
    assertMatch(e?.JobID ?? "", /^report\/periodic-\d+$/);
    assertEquals(e?.TriggeredBy, "periodic-job");
  });

  await t.step("answers Nomad's errors", async () => {
    const get = await app.request("/v1/job/report/periodic/force");
    assertEquals([get.status, await get.text()], [405, "Invalid method"]);
    const web = await app.request("/v1/job/web/periodic/force", { method: "PUT" });
    assertEquals([web.status, await web.text()], [500, "can't force launch non-periodic job"]);
    const nope = await app.request("/v1/job/nope/periodic/force", { method: "PUT" });
    assertEquals([nope.status, await nope.text()], [500, "job not found"]);
  });
});

Deno.test("POST /v1/job/:id/dispatch dispatches a parameterized job", async (t) => {
  await using api = await testApi();
  const { app, state } = api;
  const tmpl = batch("proc", { ParameterizedJob: PARAMETERIZED });
  await app.request("/v1/jobs", send("PUT", { Job: tmpl }));

  await t.step("with a base64 payload and meta", async () => {
    const res = await app.request(
      "/v1/job/proc/dispatch",
      send("POST", { JobID: "proc", Payload: btoa("hello"), Meta: { input: "a" } }),
    );
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(Object.keys(body).sort(), [
      "DispatchedJobID",
      "EvalCreateIndex",
      "EvalID",
      "Index",
      "JobCreateIndex",
    ]);
    assertMatch(body.DispatchedJobID, /^proc\/dispatch-\d+-[0-9a-f]{8}$/);
    const child = state.snapshot().job("default", body.DispatchedJobID);
    assertEquals(child?.Meta?.input, "a");
    const payload = snappyDecode(decodeBase64(child?.Payload ?? ""));
    assertEquals(new TextDecoder().decode(payload), "hello");
    // The child is served under its ID with the slash escaped or not.
    const read = await app.request(`/v1/job/${body.DispatchedJobID}`);
    assertEquals((await read.json()).ParentID, "proc");
  });

  await t.step("with ?idempotency_token, a repeat answers the same child", async () => {
    const once = async () => {
      const res = await app.request(
        "/v1/job/proc/dispatch?idempotency_token=tok",
        send("PUT", { Payload: btoa("x"), Meta: { input: "b" } }),
      );
      return await res.json();
    };
    const first = await once();
    const again = await once();
    assertEquals(again.DispatchedJobID, first.DispatchedJobID);
    assertEquals(again.EvalID, "");
  });

  await t.step("dispatch/payload takes the raw body as the payload", async () => {
    const raw = batch("raw", { ParameterizedJob: { Payload: "optional" } });
    await app.request("/v1/jobs", send("PUT", { Job: raw }));
    const res = await app.request("/v1/job/raw/dispatch/payload", {
      method: "POST",
      body: new Uint8Array([0, 1, 2, 255]),
    });
    assertEquals(res.status, 200);
    const { DispatchedJobID } = await res.json();
    const child = state.snapshot().job("default", DispatchedJobID);
    assertEquals([...snappyDecode(decodeBase64(child?.Payload ?? ""))], [0, 1, 2, 255]);
    const meta = await app.request("/v1/job/proc/dispatch/payload", {
      method: "POST",
      body: "x",
    });
    assertEquals(
      [meta.status, await meta.text()],
      [500, "Dispatch did not provide required meta keys: [input]"],
    );
  });

  await t.step("answers Nomad's errors", async () => {
    const cases: [unknown, number, string][] = [
      [{ JobID: "other" }, 400, "Job ID does not match"],
      [
        { Payload: "not base64!" },
        400,
        "Request decode failed: illegal base64 data at input byte 3",
      ],
      [{ Meta: { input: "a" } }, 500, "Payload is not provided but required by parameterized job"],
      [
        { Payload: btoa("x"), Meta: { input: "a", other: "b" } },
        500,
        "Dispatch request included unpermitted metadata keys: [other]",
      ],
    ];
    for (const [body, status, text] of cases) {
      const res = await app.request("/v1/job/proc/dispatch", send("POST", body));
      assertEquals([res.status, await res.text()], [status, text]);
    }
    await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
    const web = await app.request("/v1/job/web/dispatch", send("POST", {}));
    assertEquals(
      [web.status, await web.text()],
      [500, `Specified job "web" is not a parameterized job`],
    );
  });
});

Deno.test("/v1/job/:id/scale scales with a job-scaling eval and serves the events", async () => {
  await using api = await testApi();
  const { app, state } = api;
  await app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  const res = await app.request(
    "/v1/job/web/scale",
    send("POST", { Count: 3, Target: { Group: "web" }, Message: "more", Meta: { by: "me" } }),
  );
  assertEquals(res.status, 200);
  const out = await res.json();
  assertEquals(state.snapshot().eval(out.EvalID)?.TriggeredBy, "job-scaling");
  assertEquals(res.headers.get("X-Nomad-Index"), String(out.Index));

  const event = await app.request(
    "/v1/job/web/scale",
    send("PUT", { Target: { Group: "web" }, Error: true, Message: "cannot reach metrics" }),
  );
  const only = await event.json();
  assertEquals(only.EvalID, "");

  const status = await app.request("/v1/job/web/scale");
  assertEquals(status.headers.get("X-Nomad-Index"), String(only.Index));
  const body = await status.json();
  assertEquals(body.TaskGroups.web.Desired, 3);
  const events = body.TaskGroups.web.Events;
  assertEquals(events.map((e: { Message: string }) => e.Message), [
    "cannot reach metrics",
    "more",
  ]);
  assertEquals(
    [events[1].Count, events[1].PreviousCount, events[1].EvalID, events[1].Meta],
    [3, 1, out.EvalID, { by: "me" }],
  );
  assertEquals([events[0].Count, events[0].Error], [null, true]);
  assert(events[0].CreateIndex > events[1].CreateIndex);

  const noGroup = await app.request("/v1/job/web/scale", send("POST", { Count: 1 }));
  assertEquals(
    [noGroup.status, await noGroup.text()],
    [400, "missing task group name for scaling action"],
  );
  const missing = await app.request(
    "/v1/job/nope/scale",
    send("POST", { Count: 1, Target: { Group: "web" } }),
  );
  assertEquals([missing.status, await missing.text()], [404, 'job "nope" not found']);
});
