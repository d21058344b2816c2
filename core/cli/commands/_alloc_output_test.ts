import { assertEquals } from "../../../tests/assert.ts";
import { TextSink } from "../_testing.ts";
import { Ui } from "../ui.ts";
import type { Context } from "../command.ts";
import { lastLines, tailLines, writeChunks } from "./_alloc_output.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function* chunksOf(parts: string[], pauseMs = 0): AsyncGenerator<Uint8Array> {
  for (const p of parts) {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    yield enc(p);
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of it) out.push(dec(c));
  return out;
}

Deno.test("lastLines() cuts as Nomad's LineLimitReader: a final newline ends no line", () => {
  assertEquals(dec(lastLines(enc("a\nb\nc\n"), 2)), "b\nc\n");
  assertEquals(dec(lastLines(enc("a\nb\nc"), 2)), "b\nc");
  assertEquals(dec(lastLines(enc("a\nb\n"), 5)), "a\nb\n");
  assertEquals(dec(lastLines(enc("a\nb\n"), 0)), "");
});

Deno.test("tailLines() keeps the last lines of what came first, then passes the rest", async () => {
  const out = await collect(
    tailLines(chunksOf(["1\n2\n", "3\n4\n", "5\n"]), 2, { searchLimit: 8, idleMs: 1000 }),
  );
  assertEquals(out, ["3\n4\n", "5\n"]);
});

Deno.test("tailLines() prints what it has when the stream goes quiet", async () => {
  const started = performance.now();
  const source = async function* () {
    yield enc("1\n2\n3\n");
    await new Promise((r) => setTimeout(r, 120));
    yield enc("4\n");
  };
  const seen: [string, number][] = [];
  for await (const c of tailLines(source(), 1, { searchLimit: 1000, idleMs: 40 })) {
    seen.push([dec(c), performance.now() - started]);
  }
  assertEquals(seen.map(([t]) => t), ["3\n", "4\n"]);
  // The head came after the quiet spell, before the late chunk.
  const [head, late] = [seen[0]![1], seen[1]![1]];
  assertEquals(head >= 40 && head < 120 && late >= 120, true, JSON.stringify(seen));
});

Deno.test("writeChunks() keeps characters split across chunks whole", async () => {
  const out = new TextSink();
  const err = new TextSink();
  const ctx: Context = { ui: new Ui(out, err), env: {}, cwd: "/" };
  const bytes = enc("héllo\n");
  await writeChunks(
    ctx,
    (async function* () {
      yield bytes.subarray(0, 2);
      yield bytes.subarray(2);
    })(),
  );
  await writeChunks(ctx, chunksOf(["oops\n"]), "stderr");
  assertEquals([out.text, err.text], ["héllo\n", "oops\n"]);
});
