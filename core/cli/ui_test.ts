import { assertEquals } from "../../tests/assert.ts";
import { TextSink } from "./_testing.ts";
import { Ui, writeAll } from "./ui.ts";

Deno.test("Ui prints output to stdout and errors to stderr, each with a newline", async () => {
  const out = new TextSink();
  const err = new TextSink();
  const ui = new Ui(out, err);
  await ui.output("hello");
  await ui.error("bad");
  await ui.warn("careful");
  assertEquals(out.text, "hello\n");
  assertEquals(err.text, "bad\ncareful\n");
});

Deno.test("Ui colors errors red and warnings yellow when color is on", async () => {
  const err = new TextSink();
  const ui = new Ui(new TextSink(), err, { color: true });
  await ui.error("bad");
  await ui.warn("careful");
  assertEquals(err.text, "\x1b[0;31mbad\x1b[0m\n\x1b[0;33mcareful\x1b[0m\n");
});

Deno.test("Ui.info() prints to stdout, green when color is on", async () => {
  const plain = new TextSink();
  await new Ui(plain, new TextSink()).info("drain set");
  assertEquals(plain.text, "drain set\n");
  const out = new TextSink();
  await new Ui(out, new TextSink(), { color: true }).info("drain set");
  assertEquals(out.text, "\x1b[0;32mdrain set\x1b[0m\n");
});

Deno.test("Ui.colorize() removes the tags without color and turns them into codes with it", () => {
  const text = "[bold][green]Job validation successful[reset]";
  assertEquals(new Ui(new TextSink(), new TextSink()).colorize(text), "Job validation successful");
  assertEquals(
    new Ui(new TextSink(), new TextSink(), { color: true }).colorize(text),
    "\x1b[1m\x1b[32mJob validation successful\x1b[0m\x1b[0m",
  );
  assertEquals(new Ui(new TextSink(), new TextSink()).colorize("[x] stays"), "[x] stays");
});

Deno.test("writeAll() keeps writing after short writes", async () => {
  const chunks: string[] = [];
  const slow = {
    write(p: Uint8Array) {
      const n = Math.min(2, p.length);
      chunks.push(new TextDecoder().decode(p.subarray(0, n)));
      return Promise.resolve(n);
    },
  };
  await writeAll(slow, "abcde");
  assertEquals(chunks, ["ab", "cd", "e"]);
});
