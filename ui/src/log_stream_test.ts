import { assert, assertEquals } from "../../tests/assert.ts";
import { LogStream, logUrl } from "./log_stream.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

Deno.test("logUrl() asks for the plain tail of a task's log", () => {
  assertEquals(
    logUrl("a1", "web", "stderr", true, 50000),
    "/v1/client/fs/logs/a1?task=web&type=stderr&plain=true&origin=end&offset=50000&follow=true",
  );
});

Deno.test("LogStream appends chunks and reconnects at the log's end when a followed stream ends", async () => {
  const urls: string[] = [];
  const texts: string[] = [];
  let calls = 0;
  const stream = new LogStream({
    alloc: "a1",
    task: "web",
    type: "stdout",
    reconnectMs: 1,
    reconnect: () => calls < 2,
    fetch: (url) => {
      urls.push(url);
      calls++;
      return Promise.resolve(
        new Response(streamOf(calls === 1 ? ["hello ", "world\n"] : ["again\n"])),
      );
    },
    onText: (t) => texts.push(t),
  });
  await stream.done;
  assertEquals(stream.text, "hello world\nagain\n");
  assertEquals(texts, ["hello ", "hello world\n", "hello world\nagain\n"]);
  assert(urls[0]!.includes("offset=50000"), urls[0]);
  assert(urls[1]!.includes("offset=0"), "the reconnect starts at the current end");
});

Deno.test("LogStream keeps only the last maxChars characters, cut at a line break", async () => {
  const stream = new LogStream({
    alloc: "a",
    task: "t",
    type: "stdout",
    follow: false,
    maxChars: 10,
    fetch: () => Promise.resolve(new Response(streamOf(["line one\nline two\nend\n"]))),
    onText: () => {},
  });
  await stream.done;
  assertEquals(stream.text, "end\n");
});

Deno.test("LogStream reports the agent's error and stops on 404", async () => {
  const errors: (string | undefined)[] = [];
  let calls = 0;
  const stream = new LogStream({
    alloc: "a",
    task: "nope",
    type: "stdout",
    reconnectMs: 1,
    fetch: () => {
      calls++;
      return Promise.resolve(new Response('unknown task name "nope"', { status: 404 }));
    },
    onText: () => {},
    onError: (e) => errors.push(e),
  });
  await stream.done;
  assertEquals(errors, ['unknown task name "nope"']);
  assertEquals(calls, 1);
});

Deno.test("LogStream.close() aborts the request in flight", async () => {
  let aborted = false;
  const stream = new LogStream({
    alloc: "a",
    task: "t",
    type: "stdout",
    fetch: (_url, init) =>
      new Promise((_, reject) => {
        init.signal.addEventListener("abort", () => {
          aborted = true;
          reject(new DOMException("aborted", "AbortError"));
        });
      }),
    onText: () => {},
  });
  await new Promise((r) => setTimeout(r, 5));
  stream.close();
  await stream.done;
  assert(aborted);
});
