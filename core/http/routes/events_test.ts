// /v1/event/stream through app.request, and the stream and a blocking query over a real socket.
import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { mockJob } from "../../state/_testing.ts";
import { apiJob, send, testApi } from "./_testing.ts";
import { parseTopics } from "./events.ts";

/** Reads NDJSON lines from a stream until `until` says stop. */
async function readLines(
  body: ReadableStream<Uint8Array>,
  until: (lines: string[]) => boolean,
): Promise<{ lines: string[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let buffer = "";
  while (!until(lines)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  return { lines, reader };
}

Deno.test("parseTopics() reads Topic:Key pairs, a bare topic meaning every key", () => {
  assertEquals(parseTopics([]), { "*": ["*"] });
  assertEquals(parseTopics(["Job:web", "Job:api", "Node"]), {
    Job: ["web", "api"],
    Node: ["*"],
  });
});

Deno.test("GET /v1/event/stream checks its parameters and filters events", async (t) => {
  await using api = await testApi({ eventHeartbeatMs: 60_000 });
  const { app, state } = api;

  await t.step("a bad index or topic is a 400", async () => {
    const index = await app.request("/v1/event/stream?index=x");
    assertEquals(index.status, 400);
    assertStringIncludes(await index.text(), "Unable to parse index: ");
    const topic = await app.request("/v1/event/stream?topic=Job:a:b");
    assertEquals(topic.status, 400);
    assertStringIncludes(await topic.text(), "Invalid topic query: ");
    assertEquals((await app.request("/v1/event/stream", { method: "POST" })).status, 405);
  });

  await t.step("?topic and ?index select the events replayed from the buffer", async () => {
    for (const id of ["web", "api"]) {
      await state.apply({ type: "JobRegister", job: mockJob(id) });
    }
    const res = await app.request("/v1/event/stream?topic=Job:api&index=1");
    assertEquals(res.headers.get("Content-Type"), "application/json");
    const { lines, reader } = await readLines(res.body!, (l) => l.length >= 1);
    await reader.cancel();
    const batch = JSON.parse(lines[0]!);
    assertEquals(batch.Events.map((e: { Key: string }) => e.Key), ["api"]);
    assertEquals([batch.Events[0].Topic, batch.Events[0].Type], ["Job", "JobRegistered"]);
    assertEquals(batch.Events[0].Payload.Job.ID, "api");
  });

  await t.step("?namespace selects the namespace, default by default", async () => {
    await state.apply({ type: "JobRegister", job: mockJob("ops", { Namespace: "prod" }) });
    const own = await app.request("/v1/event/stream?topic=Job&index=1");
    const mine = await readLines(own.body!, (l) => l.length >= 2);
    await mine.reader.cancel();
    assertEquals(mine.lines.map((l) => JSON.parse(l).Events[0].Key), ["web", "api"]);
    const prod = await app.request("/v1/event/stream?topic=Job&index=1&namespace=prod");
    const theirs = await readLines(prod.body!, (l) => l.length >= 1);
    await theirs.reader.cancel();
    assertEquals(JSON.parse(theirs.lines[0]!).Events[0].Key, "ops");
  });
});

Deno.test("the event stream and a blocking query work over a real socket", async (t) => {
  await using api = await testApi({ eventHeartbeatMs: 40 });
  const { app, state } = api;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await t.step("events arrive as NDJSON lines, with {} heartbeats while idle", async () => {
      const res = await fetch(`${base}/v1/event/stream?topic=Job`);
      assertEquals(res.status, 200);
      setTimeout(() => {
        fetch(`${base}/v1/jobs`, send("PUT", { Job: apiJob("web") })).then((r) => r.body?.cancel());
      }, 20);
      const { lines, reader } = await readLines(
        res.body!,
        (l) => l.some((x) => x.includes("JobRegistered")) && l.at(-1) === "{}",
      );
      await reader.cancel();
      const event = JSON.parse(lines.find((l) => l.includes("JobRegistered"))!);
      assertEquals(event.Events[0].Key, "web");
      assert(event.Index > 0);
      assertEquals(lines.at(-1), "{}");
    });

    await t.step("a blocking query returns when a write lands", async () => {
      const index = state.tableIndex("jobs");
      const pending = fetch(`${base}/v1/jobs?index=${index}&wait=10s`);
      setTimeout(() => {
        fetch(`${base}/v1/jobs`, send("PUT", { Job: apiJob("api") })).then((r) => r.body?.cancel());
      }, 30);
      const res = await pending;
      assert(Number(res.headers.get("X-Nomad-Index")) > index);
      assertEquals((await res.json()).map((j: { ID: string }) => j.ID), ["api", "web"]);
    });

    await t.step("a client going away ends its stream and its blocking query", async () => {
      const stream = await fetch(`${base}/v1/event/stream`);
      await stream.body!.cancel();
      const controller = new AbortController();
      const blocked = fetch(`${base}/v1/jobs?index=${state.index}&wait=60s`, {
        signal: controller.signal,
      }).catch((e) => e);
      setTimeout(() => controller.abort(), 30);
      assert((await blocked) instanceof Error);
    });
  } finally {
    // Hangs (and the test times out) if a stream or a blocking query outlives its client.
    await server.shutdown();
  }
});
