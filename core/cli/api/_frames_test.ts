import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { decodeFrames, FrameDecodeError, StreamInterruptedError, toFrame } from "./_frames.ts";
import { b64 } from "./_stream_testing.ts";
import type { StreamFrame } from "./types.ts";

const bytes = (chunks: string[]) =>
  ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c)));

async function collect(stream: ReadableStream<Uint8Array>): Promise<StreamFrame[]> {
  const out: StreamFrame[] = [];
  for await (const f of decodeFrames(stream)) out.push(f);
  return out;
}

const text = (f: StreamFrame) => new TextDecoder().decode(f.Data);

Deno.test("decodeFrames() splits back-to-back frames however the chunks cut them", async () => {
  const body =
    JSON.stringify({ Offset: 6, Data: b64('{"a}\n\\'), File: "alloc/logs/web.stdout.0" }) +
    "{}" + '\n{"Offset":12,"Data":"' + b64("second") + '"}';
  // Every cut point, including inside strings with braces, quotes and backslashes.
  for (let cut = 1; cut < body.length; cut++) {
    const frames = await collect(bytes([body.slice(0, cut), body.slice(cut)]));
    assertEquals(frames.map(text), ['{"a}\n\\', "second"], `cut at ${cut}`);
    assertEquals(frames.map((f) => [f.Offset, f.File]), [[6, "alloc/logs/web.stdout.0"], [
      12,
      "",
    ]]);
  }
});

Deno.test("toFrame() leaves heartbeats out and keeps file events", () => {
  assertEquals(toFrame({}), undefined);
  const event = toFrame({ Offset: 0, File: "alloc/logs/web.stdout.0", FileEvent: "file deleted" });
  assertEquals(event?.FileEvent, "file deleted");
  assertEquals(event?.Data.length, 0);
});

Deno.test("decodeFrames() refuses a body that is not JSON frames", async () => {
  await assertRejects(
    () => collect(bytes(['{"Offset":1}', "not json"])),
    FrameDecodeError,
    'failed to decode the stream as JSON frames: "not json"',
  );
});

Deno.test("decodeFrames() reports a body that breaks off or ends inside a frame", async () => {
  await assertRejects(() => collect(bytes(['{"Offset":1,"Da'])), StreamInterruptedError);
  let pulls = 0;
  const broken = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulls++ === 0) c.enqueue(new TextEncoder().encode(`{"Offset":2,"Data":"${b64("hi")}"}`));
      else c.error(new Error("connection reset"));
    },
  });
  const seen: string[] = [];
  await assertRejects(
    async () => {
      for await (const f of decodeFrames(broken)) seen.push(text(f));
    },
    StreamInterruptedError,
    "the stream broke off: connection reset",
  );
  assertEquals(seen, ["hi"]);
});
