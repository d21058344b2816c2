// /v1/client/fs/* through app.request over real allocation directories, and one socket test.
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../../tests/assert.ts";
import { decodeFrames } from "../../cli/api/_frames.ts";
import type { StreamFrame } from "../../cli/api/types.ts";
import { mockNode } from "../../state/_testing.ts";
import { DirClient } from "./_client_testing.ts";
import { encodeFrame } from "./_client_stream.ts";
import { apiJob, place, send, testApi } from "./_testing.ts";

const NODE = "node-local";
const ALLOC = "0f6a4bd7-7c2d-4e0f-9d7e-000000000001";

async function setup(heartbeatMs = 1000) {
  const client = await DirClient.create(NODE);
  const api = await testApi({ client, streamHeartbeatMs: heartbeatMs });
  await api.state.apply({ type: "NodeRegister", node: mockNode(NODE) });
  await api.app.request("/v1/jobs", send("PUT", { Job: apiJob("web") }));
  await place(api.state, "default", "web", { node: NODE, ids: [ALLOC] });
  const dir = await client.addAlloc(ALLOC, ["app"]);
  await Deno.writeTextFile(join(dir.logDir, "app.stdout.0"), "hello\n");
  await Deno.writeTextFile(join(dir.sharedDir, "data", "notes.txt"), "0123456789");
  await Deno.writeTextFile(join(dir.taskDir("app").SecretsDir, "token"), "s3cret");
  return {
    app: api.app,
    client,
    dir,
    async [Symbol.asyncDispose]() {
      await api.close();
      await client[Symbol.asyncDispose]();
    },
  };
}

async function text(res: Response): Promise<[number, string]> {
  return [res.status, await res.text()];
}

async function frames(res: Response, until?: (all: string) => boolean): Promise<StreamFrame[]> {
  const out: StreamFrame[] = [];
  const abort = new AbortController();
  let all = "";
  for await (const f of decodeFrames(res.body!, abort.signal)) {
    out.push(f);
    all += new TextDecoder().decode(f.Data);
    if (until?.(all)) break;
  }
  return out;
}

Deno.test("encodeFrame() writes Nomad's JSON frame with empty fields left out", () => {
  const data = new TextEncoder().encode("hi\n");
  assertEquals(
    encodeFrame({ File: "alloc/logs/web.stdout.0", Offset: 3, Data: data }),
    '{"Offset":3,"Data":"aGkK","File":"alloc/logs/web.stdout.0"}',
  );
  assertEquals(encodeFrame({ File: "", Offset: 0, Data: new Uint8Array() }), "{}");
  assertEquals(
    encodeFrame({ File: "f", Offset: 0, Data: new Uint8Array(), FileEvent: "file deleted" }),
    '{"File":"f","FileEvent":"file deleted"}',
  );
});

Deno.test("GET /v1/client/fs/ls and stat describe the allocation's files", async (t) => {
  await using s = await setup();
  await t.step("ls lists the root by default, sorted", async () => {
    const res = await s.app.request(`/v1/client/fs/ls/${ALLOC}`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.map((f: { Name: string }) => f.Name), ["alloc", "app"]);
    assertEquals([body[0].IsDir, typeof body[0].ModTime], [true, "string"]);
    assertMatch(body[0].FileMode, /^d[rwx-]{9}$/);
  });
  await t.step("ls of a sub directory", async () => {
    const res = await s.app.request(`/v1/client/fs/ls/${ALLOC}?path=/alloc/data`);
    assertEquals((await res.json()).map((f: { Name: string; Size: number }) => [f.Name, f.Size]), [
      ["notes.txt", 10],
    ]);
  });
  await t.step("stat gives the size and content type", async () => {
    const res = await s.app.request(`/v1/client/fs/stat/${ALLOC}?path=alloc/data/notes.txt`);
    const body = await res.json();
    assertEquals([body.Name, body.Size, body.IsDir, body.ContentType], [
      "notes.txt",
      10,
      false,
      "text/plain; charset=utf-8",
    ]);
  });
  await t.step("errors carry Nomad's codes and texts", async () => {
    assertEquals(await text(await s.app.request(`/v1/client/fs/stat/${ALLOC}`)), [
      400,
      "must provide a file name",
    ]);
    assertEquals(await text(await s.app.request("/v1/client/fs/ls/")), [
      400,
      "must provide a valid alloc id",
    ]);
    assertEquals(await text(await s.app.request("/v1/client/fs/ls/nope")), [
      404,
      'Unknown allocation "nope"',
    ]);
    assertEquals(await text(await s.app.request(`/v1/client/fs/stat/${ALLOC}?path=missing`)), [
      404,
      "stat missing: no such file or directory",
    ]);
    const escape = await text(await s.app.request(`/v1/client/fs/ls/${ALLOC}?path=../..`));
    assertEquals(escape[0], 400);
    assertStringIncludes(escape[1], "Path escapes the alloc directory");
  });
});

Deno.test("GET /v1/client/fs/cat and readat answer raw bytes", async (t) => {
  await using s = await setup();
  await t.step("cat answers the whole file", async () => {
    const res = await s.app.request(`/v1/client/fs/cat/${ALLOC}?path=alloc/data/notes.txt`);
    assertEquals(await text(res), [200, "0123456789"]);
    assertEquals(res.headers.get("Content-Type"), "application/octet-stream");
  });
  await t.step("readat answers limit bytes from offset; limit -1 reads to the end", async () => {
    const path = `/v1/client/fs/readat/${ALLOC}?path=alloc/data/notes.txt`;
    assertEquals(await text(await s.app.request(`${path}&offset=2&limit=3`)), [200, "234"]);
    assertEquals(await text(await s.app.request(`${path}&offset=7&limit=-1`)), [200, "789"]);
    assertEquals(await text(await s.app.request(`${path}&limit=3`)), [
      500,
      'error parsing offset: strconv.ParseInt: parsing "": invalid syntax',
    ]);
  });
  await t.step("secrets are refused, directories and missing files are 400s", async () => {
    const secret = await s.app.request(`/v1/client/fs/cat/${ALLOC}?path=app/secrets/token`);
    assertEquals(await text(secret), [403, "Reading secret file prohibited: app/secrets/token"]);
    assertEquals(await text(await s.app.request(`/v1/client/fs/cat/${ALLOC}?path=alloc`)), [
      400,
      'file "alloc" is a directory',
    ]);
    assertEquals(await text(await s.app.request(`/v1/client/fs/cat/${ALLOC}?path=nope`)), [
      400,
      "stat nope: no such file or directory",
    ]);
  });
});

Deno.test("GET /v1/client/fs/stream answers frames and follows the file", async (t) => {
  await using s = await setup(50);
  const file = join(s.dir.sharedDir, "data", "notes.txt");
  await t.step("without follow the stream ends at the end of the file", async () => {
    const res = await s.app.request(
      `/v1/client/fs/stream/${ALLOC}?path=alloc/data/notes.txt&follow=false&offset=4`,
    );
    assertEquals(res.headers.get("Content-Type"), "application/json");
    const got = await frames(res);
    assertEquals(got.map((f) => [f.File, f.Offset, new TextDecoder().decode(f.Data)]), [
      ["alloc/data/notes.txt", 10, "456789"],
    ]);
  });
  await t.step("origin=end counts back from the end", async () => {
    const res = await s.app.request(
      `/v1/client/fs/stream/${ALLOC}?path=alloc/data/notes.txt&follow=false&origin=end&offset=3`,
    );
    assertEquals(new TextDecoder().decode((await frames(res))[0]!.Data), "789");
  });
  await t.step("following sends heartbeats, then new data", async () => {
    const res = await s.app.request(`/v1/client/fs/stream/${ALLOC}?path=alloc/data/notes.txt`);
    const reader = res.body!.getReader();
    let raw = "";
    const dec = new TextDecoder();
    while (!raw.includes("{}")) raw += dec.decode((await reader.read()).value);
    await Deno.writeTextFile(file, "abc", { append: true });
    while (!raw.includes(btoa("abc"))) raw += dec.decode((await reader.read()).value);
    await reader.cancel();
    assertStringIncludes(raw, btoa("0123456789"));
  });
  await t.step("bad parameters", async () => {
    const base = `/v1/client/fs/stream/${ALLOC}?path=alloc/data/notes.txt`;
    assertEquals(await text(await s.app.request(`${base}&origin=middle`)), [
      400,
      "origin must be start or end",
    ]);
    assertEquals(await text(await s.app.request(`${base}&follow=maybe`)), [
      500,
      'failed to parse follow field to boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
    ]);
  });
});

Deno.test("GET /v1/client/fs/logs answers a task's log as frames or plain text", async (t) => {
  await using s = await setup(50);
  const base = `/v1/client/fs/logs/${ALLOC}?task=app`;
  await t.step("frames of stdout", async () => {
    const res = await s.app.request(`${base}&type=stdout`);
    assertEquals(res.headers.get("Content-Type"), "application/json");
    const got = await frames(res);
    assertEquals(got.map((f) => [f.File, f.Offset, new TextDecoder().decode(f.Data)]), [
      ["alloc/logs/app.stdout.0", 6, "hello\n"],
    ]);
  });
  await t.step("plain=true answers the bytes", async () => {
    const res = await s.app.request(`${base}&type=stdout&plain=true&origin=end&offset=3`);
    assertEquals(await text(res), [200, "lo\n"]);
    assertEquals(res.headers.get("Content-Type"), "text/plain");
  });
  await t.step("errors", async () => {
    assertEquals(await text(await s.app.request(`/v1/client/fs/logs/${ALLOC}?type=stdout`)), [
      400,
      "must provide task name",
    ]);
    assertEquals(await text(await s.app.request(`${base}&type=stdlog`)), [
      400,
      "must provide log type (stdout/stderr)",
    ]);
    assertEquals(await text(await s.app.request(`${base}&type=stdout&plain=yes`)), [
      400,
      'failed to parse plain field to boolean: strconv.ParseBool: parsing "yes": invalid syntax',
    ]);
    assertEquals(await text(await s.app.request(`${base}&type=stdout&offset=x`)), [
      400,
      'error parsing offset: strconv.ParseInt: parsing "x": invalid syntax',
    ]);
    assertEquals(await text(await s.app.request(`${base}&type=stderr`)), [
      404,
      'log entry for task "app" and log type "stderr" not found',
    ]);
    assertEquals(
      await text(await s.app.request(`/v1/client/fs/logs/${ALLOC}?task=db&type=stdout`)),
      [400, 'unknown task name "db"'],
    );
  });
});

Deno.test({
  name: "GET /v1/client/fs/logs?follow=true streams new output over a socket until closed",
  sanitizeResources: false,
  async fn() {
    await using s = await setup(50);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, s.app.fetch);
    try {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 10_000);
      const res = await fetch(
        `http://127.0.0.1:${server.addr.port}/v1/client/fs/logs/${ALLOC}?task=app&type=stdout&follow=true`,
        { signal: abort.signal },
      );
      assertEquals(res.status, 200);
      const log = join(s.dir.logDir, "app.stdout.0");
      setTimeout(() => void Deno.writeTextFile(log, "world\n", { append: true }), 100);
      const got = await frames(res, (all) => all.includes("world"));
      abort.abort();
      clearTimeout(timer);
      assertEquals(new TextDecoder().decode(got.at(-1)!.Data).endsWith("world\n"), true);
      assert(got.every((f) => f.File === "alloc/logs/app.stdout.0"));
    } finally {
      await server.shutdown();
    }
  },
});
