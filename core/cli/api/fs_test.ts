import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { ApiClient } from "./client.ts";
import { RequestError, UnexpectedResponseError } from "./errors.ts";
import { errorAnswer, FakeNomad } from "./_fake_nomad_testing.ts";
import { b64, delay, Feed } from "./_stream_testing.ts";
import { envClientConfig } from "../meta.ts";
import type { StreamFrame } from "./types.ts";

const ALLOC = "95a0741c-aace-805c-c0b3-fedd8052db0b";
const LOGS = `GET /v1/client/fs/logs/${ALLOC}`;
const STREAM = `GET /v1/client/fs/stream/${ALLOC}`;

async function withAgent(
  routes: ConstructorParameters<typeof FakeNomad>[0],
  fn: (client: ApiClient, fake: FakeNomad) => Promise<void>,
): Promise<void> {
  const fake = new FakeNomad(routes);
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    await fn(client, fake);
  } finally {
    client.close();
    await fake.close();
  }
}

const text = (frames: StreamFrame[]) =>
  frames.map((f) => new TextDecoder().decode(f.Data)).join("");

async function collect(frames: AsyncIterable<StreamFrame>): Promise<StreamFrame[]> {
  const out: StreamFrame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

const params = (q: URLSearchParams, ...names: string[]) => names.map((n) => q.get(n));

Deno.test("AllocFS lists, stats and reads files with Nomad's query parameters", async () => {
  const info = {
    Name: "alloc",
    IsDir: true,
    Size: 4096,
    FileMode: "drwxrwxrwx",
    ModTime: "2024-11-30T12:02:11Z",
    ContentType: "",
  };
  await withAgent({
    [`GET /v1/client/fs/ls/${ALLOC}`]: [info],
    [`GET /v1/client/fs/stat/${ALLOC}`]: info,
    [`GET /v1/client/fs/cat/${ALLOC}`]: () => new Response("whole file\n"),
    [`GET /v1/client/fs/readat/${ALLOC}`]: () => new Response("file\n"),
  }, async (client, fake) => {
    assertEquals(await client.allocFS.list(ALLOC, "/"), [info]);
    assertEquals((await client.allocFS.stat(ALLOC, "alloc", { namespace: "ops" })).Name, "alloc");
    const cat = await new Response(await client.allocFS.cat(ALLOC, "alloc/data.txt")).text();
    assertEquals(cat, "whole file\n");
    await new Response(await client.allocFS.readAt(ALLOC, "alloc/data.txt", { offset: 6 })).text();
    assertEquals(params(fake.requests[0]!.query, "path"), ["/"]);
    assertEquals(params(fake.requests[1]!.query, "path", "namespace"), ["alloc", "ops"]);
    assertEquals(
      params(fake.requests[3]!.query, "path", "offset", "limit"),
      ["alloc/data.txt", "6", "-1"],
    );
  });
});

Deno.test("AllocFS.logs() yields frames as they arrive and ends with the stream", async () => {
  const feed = new Feed();
  await withAgent({ [LOGS]: () => feed.response() }, async (client, fake) => {
    const frames = await client.allocFS.logs(ALLOC, { task: "web", type: "stderr", follow: true });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const f of frames) seen.push(new TextDecoder().decode(f.Data));
    })();
    feed.frame("one\n", { Offset: 4, File: "alloc/logs/web.stderr.0" });
    await delay(30);
    assertEquals(seen, ["one\n"]);
    feed.heartbeat();
    feed.frame("two\n", { Offset: 8, File: "alloc/logs/web.stderr.0" });
    feed.close();
    await reading;
    assertEquals(seen, ["one\n", "two\n"]);
    assertEquals(
      params(fake.requests[0]!.query, "task", "type", "follow", "origin", "offset", "plain"),
      ["web", "stderr", "true", "start", "0", null],
    );
  });
});

Deno.test("AllocFS.logs() reopens a followed log that breaks off where it stopped", async () => {
  const feeds = [new Feed({ breaks: true }), new Feed()];
  let n = 0;
  await withAgent({ [LOGS]: () => feeds[n++]!.response() }, async (client, fake) => {
    const frames = await client.allocFS.logs(ALLOC, {
      task: "web",
      type: "stdout",
      follow: true,
      offset: 100,
      reconnect: { delay: 10 },
    });
    const reading = collect(frames);
    feeds[0]!.frame("hello ", { Offset: 106, File: "alloc/logs/web.stdout.0" });
    await delay(30);
    feeds[0]!.fail();
    await delay(50);
    feeds[1]!.frame("world\n", { Offset: 112, File: "alloc/logs/web.stdout.0" });
    feeds[1]!.close();
    assertEquals(text(await reading), "hello world\n");
    const origins = fake.requests.map((r) => params(r.query, "origin", "offset"));
    assertEquals(origins, [["start", "100"], ["start", "106"]]);
  });
});

Deno.test("AllocFS.stream() resumes a file after the last frame's offset", async () => {
  const feeds = [new Feed({ breaks: true }), new Feed()];
  let n = 0;
  await withAgent({ [STREAM]: () => feeds[n++]!.response() }, async (client, fake) => {
    const frames = await client.allocFS.stream(ALLOC, "alloc/data.txt", {
      origin: "end",
      offset: 10,
      reconnect: { delay: 10 },
    });
    const reading = collect(frames);
    feeds[0]!.frame("abc", { Offset: 503, File: "alloc/data.txt" });
    await delay(30);
    feeds[0]!.fail();
    await delay(50);
    feeds[1]!.frame("def", { Offset: 506, File: "alloc/data.txt" });
    feeds[1]!.close();
    assertEquals(text(await reading), "abcdef");
    const origins = fake.requests.map((r) => params(r.query, "origin", "offset", "follow"));
    assertEquals(origins, [["end", "10", "true"], ["start", "503", "true"]]);
  });
});

Deno.test("AllocFS.logs() gives up when the agent answers the reopening with an error", async () => {
  const feed = new Feed({ breaks: true });
  let n = 0;
  await withAgent({
    [LOGS]: () => n++ === 0 ? feed.response() : errorAnswer(404, "Unknown allocation"),
  }, async (client) => {
    const frames = await client.allocFS.logs(ALLOC, {
      task: "web",
      type: "stdout",
      follow: true,
      reconnect: { delay: 10 },
    });
    const reading = collect(frames);
    feed.fail();
    await assertRejects(() => reading, UnexpectedResponseError, "404 (Unknown allocation)");
  });
});

Deno.test("AllocFS.logs() stops trying to reopen after the attempts it was given", async () => {
  const feed = new Feed({ breaks: true });
  const fake = new FakeNomad({ [LOGS]: () => feed.response() });
  const client = await ApiClient.create(envClientConfig({ NOMAD_ADDR: fake.address }));
  try {
    const frames = await client.allocFS.logs(ALLOC, {
      task: "web",
      type: "stdout",
      follow: true,
      reconnect: { attempts: 2, delay: 10 },
    });
    const reading = collect(frames);
    feed.fail();
    await fake.close();
    await assertRejects(() => reading, RequestError, "connection refused");
    assertEquals(fake.requestsTo(LOGS).length, 1);
  } finally {
    client.close();
  }
});

Deno.test("AllocFS.logs() throws the agent's error when the log cannot be opened", async () => {
  await withAgent({ [LOGS]: errorAnswer(400, "must provide task name") }, async (client) => {
    await assertRejects(
      () => client.allocFS.logs(ALLOC, { task: "", type: "stdout" }),
      UnexpectedResponseError,
      "Unexpected response code: 400 (must provide task name)",
    );
  });
});

Deno.test("AllocFS.logs() ends quietly when its signal aborts", async () => {
  const feed = new Feed();
  await withAgent({ [LOGS]: () => feed.response() }, async (client) => {
    const controller = new AbortController();
    const frames = await client.allocFS.logs(ALLOC, {
      task: "web",
      type: "stdout",
      follow: true,
      signal: controller.signal,
    });
    const reading = collect(frames);
    feed.frame("partial", { Offset: 7 });
    await delay(30);
    controller.abort();
    assertEquals(text(await reading), "partial");
    feed.close();
  });
});

Deno.test("AllocFS.logsPlain() asks for plain text and hands over the bytes", async () => {
  await withAgent({ [LOGS]: () => new Response("plain\nlog\n") }, async (client, fake) => {
    const body = await client.allocFS.logsPlain(ALLOC, { task: "web", type: "stdout" });
    assertEquals(await new Response(body).text(), "plain\nlog\n");
    assertEquals(params(fake.requests[0]!.query, "plain", "follow"), ["true", "false"]);
  });
});

Deno.test("b64() encodes UTF-8 as frames carry it", () => {
  assertEquals(b64("é"), "w6k=");
});
