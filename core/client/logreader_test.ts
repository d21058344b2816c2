import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { join } from "node:path";
import type { StreamFrame } from "./alloc_fs.ts";
import { listLogFiles, LogRotator } from "./logrotate.ts";
import { findClosest, LogNotFoundError, type ReadLogsOptions, readTaskLogs } from "./logreader.ts";
import { TaskLogPump } from "./logpump.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "logreader-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const dec = new TextDecoder();

async function collect(dir: string, opts: ReadLogsOptions = {}): Promise<string> {
  let s = "";
  for await (const f of readTaskLogs(dir, "web", "stdout", opts)) s += dec.decode(f.Data);
  return s;
}

/** Three files: web.stdout.0 "0123456789", .1 "abcdefghij", .2 "KLM". */
async function threeFiles(dir: string): Promise<void> {
  await Deno.writeTextFile(join(dir, "web.stdout.0"), "0123456789");
  await Deno.writeTextFile(join(dir, "web.stdout.1"), "abcdefghij");
  await Deno.writeTextFile(join(dir, "web.stdout.2"), "KLM");
  await Deno.writeTextFile(join(dir, "web.stderr.0"), "err");
  await Deno.writeTextFile(join(dir, ".web.stdout.buf"), "staging");
}

Deno.test("readTaskLogs() reads every rotated file in order", () =>
  withDir(async (dir) => {
    await threeFiles(dir);
    assertEquals(await collect(dir), "0123456789abcdefghijKLM");
    const frames: StreamFrame[] = await Array.fromAsync(readTaskLogs(dir, "web", "stdout"));
    assertEquals(frames.map((f) => [f.File, f.Offset]), [
      ["alloc/logs/web.stdout.0", 10],
      ["alloc/logs/web.stdout.1", 10],
      ["alloc/logs/web.stdout.2", 3],
    ]);
  }));

Deno.test("readTaskLogs() starts at byte offsets from the start or the end, across files", () =>
  withDir(async (dir) => {
    await threeFiles(dir);
    assertEquals(await collect(dir, { offset: 4 }), "456789abcdefghijKLM");
    assertEquals(await collect(dir, { offset: 15 }), "fghijKLM");
    assertEquals(await collect(dir, { offset: 999 }), "", "past the end reads nothing");
    assertEquals(await collect(dir, { origin: "end", offset: 2 }), "LM");
    assertEquals(await collect(dir, { origin: "end", offset: 5 }), "ijKLM");
    assertEquals(await collect(dir, { origin: "end", offset: 999 }), "0123456789abcdefghijKLM");
    // As in Nomad, "end" with offset 0 lands at the start of the newest file.
    assertEquals(await collect(dir, { origin: "end" }), "KLM");
  }));

Deno.test("readTaskLogs() says which task and type has no log", () =>
  withDir(async (dir) => {
    await assertRejects(
      () => collect(dir),
      LogNotFoundError,
      'log entry for task "web" and log type "stdout" not found',
    );
  }));

Deno.test("readTaskLogs() with follow streams new output across rotations", () =>
  withDir(async (dir) => {
    const rotator = await LogRotator.open(dir, "web.stdout", { maxFiles: 10, maxFileSize: 8 });
    await rotator.write(new TextEncoder().encode("one\ntwo\n"));
    const ac = new AbortController();
    const guard = setTimeout(() => ac.abort(), 5000);
    let text = "";
    const files = new Set<string>();
    for await (
      const f of readTaskLogs(dir, "web", "stdout", {
        follow: true,
        signal: ac.signal,
        pollIntervalMs: 5,
      })
    ) {
      text += dec.decode(f.Data);
      files.add(f.File);
      if (text === "one\ntwo\n") {
        await rotator.write(new TextEncoder().encode("three\nfour\nfive\n"));
      }
      if (text.endsWith("five\n")) ac.abort();
    }
    clearTimeout(guard);
    rotator.close();
    assertEquals(text, "one\ntwo\nthree\nfour\nfive\n");
    assertEquals([...files], [
      "alloc/logs/web.stdout.0",
      "alloc/logs/web.stdout.1",
      "alloc/logs/web.stdout.2",
      "alloc/logs/web.stdout.3",
    ]);
  }));

Deno.test("readTaskLogs() reads what a pump rotated from a task's staging file", () =>
  withDir(async (dir) => {
    const pump = await TaskLogPump.start({
      logDir: dir,
      task: "web",
      maxFiles: 100,
      maxFileSizeMB: 64 / (1024 * 1024), // 64 bytes
      pollIntervalMs: 5,
    });
    const lines = Array.from({ length: 40 }, (_, i) => `message number ${i}\n`).join("");
    await Deno.writeTextFile(pump.paths.stdoutPath, lines, { append: true });
    await pump.stop();
    assertEquals(await collect(dir), lines);
    assertEquals(await collect(dir, { origin: "end", offset: 20 }), lines.slice(-20));
    const files = await listLogFiles(dir, "web", "stdout");
    assert(files.length > 10, `rotated into ${files.length} files`);
    assert(files.every((f) => f.size <= 64 && f.size > 0));
  }));

Deno.test("findClosest() walks across files as Nomad's log endpoint does", () => {
  const files = [0, 1, 2].map((index) => ({
    index,
    name: `w.stdout.${index}`,
    path: "",
    size: 10,
  }));
  assertEquals(findClosest(files, 0, 0), { file: files[0]!, offset: 0 });
  assertEquals(findClosest(files, 0, 25), { file: files[2]!, offset: 5 });
  assertEquals(findClosest(files, 0, 99), { file: files[2]!, offset: 10 });
  assertEquals(findClosest(files, Infinity, -3), { file: files[2]!, offset: 7 });
  assertEquals(findClosest(files, Infinity, -15), { file: files[1]!, offset: 5 });
  assertEquals(findClosest(files, Infinity, -99), { file: files[0]!, offset: 0 });
  assertEquals(findClosest(files, 1, 0), { file: files[1]!, offset: 0 });
});
