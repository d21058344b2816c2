import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { concatBytes, demux, Demuxer, jsonLines, LineSplitter } from "./_streams.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A Docker multiplexed frame: type, 3 zero bytes, big-endian length, payload. */
function frame(stream: 1 | 2, text: string): Uint8Array {
  const data = enc(text);
  const header = new Uint8Array(8);
  header[0] = stream;
  new DataView(header.buffer).setUint32(4, data.length);
  return concatBytes(header, data);
}

/** `bytes` cut into chunks of `size` (the last shorter). */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

Deno.test("concatBytes() joins the parts in order", () => {
  assertEquals(dec(concatBytes(enc("ab"), new Uint8Array(0), enc("cde"))), "abcde");
  assertEquals(concatBytes().length, 0);
});

Deno.test("Demuxer splits stdout and stderr frames whatever the chunk boundaries", () => {
  const all = concatBytes(frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, ""), frame(1, "x"));
  for (const size of [1, 3, 7, 8, 9, all.length]) {
    const d = new Demuxer();
    const got = chunks(all, size).flatMap((c) => d.push(c)).map((f) => [f.stream, dec(f.data)]);
    assertEquals(got, [[1, "out 1\n"], [2, "err 1\n"], [1, ""], [1, "x"]], `chunks of ${size}`);
  }
});

Deno.test("Demuxer reads headers at a chunk's byte offset (subarrays of a larger buffer)", () => {
  const backing = concatBytes(enc("junk"), frame(2, "hello"));
  const frames = new Demuxer().push(backing.subarray(4));
  assertEquals(frames.map((f) => [f.stream, dec(f.data)]), [[2, "hello"]]);
});

Deno.test("demux() yields the frames of a whole stream", async () => {
  const stream = ReadableStream.from(chunks(concatBytes(frame(1, "a"), frame(2, "bb")), 5));
  const got: string[] = [];
  for await (const f of demux(stream)) got.push(`${f.stream}:${dec(f.data)}`);
  assertEquals(got, ["1:a", "2:bb"]);
});

Deno.test("LineSplitter gives each complete line, newline included, and keeps the tail", () => {
  const s = new LineSplitter();
  assertEquals(s.push(enc("one\ntw")).map((f) => dec(f.data)), ["one\n"]);
  assertEquals(s.push(enc("o\n\nthr")).map((f) => dec(f.data)), ["two\n", "\n"]);
  assertEquals(s.push(enc("ee\n")).map((f) => [f.stream, dec(f.data)]), [[1, "three\n"]]);
});

Deno.test("jsonLines() parses lines split across chunks, skips blank ones, reads a last unterminated one", async () => {
  const text = '{"a":1}\n\n{"b":"é"}\r\n{"c":[3]}';
  let seen = 0;
  const got: unknown[] = [];
  for await (const v of jsonLines(ReadableStream.from(chunks(enc(text), 4)), () => seen++)) {
    got.push(v);
  }
  assertEquals(got, [{ a: 1 }, { b: "é" }, { c: [3] }]);
  assertEquals(seen, Math.ceil(enc(text).length / 4));
});

Deno.test("jsonLines() throws on a line that is not JSON", async () => {
  await assertRejects(async () => {
    for await (const _ of jsonLines(ReadableStream.from([enc("{}\nnope\n")]))) { /* drain */ }
  }, SyntaxError);
});
