import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { join } from "node:path";
import { LINE_SCAN_LIMIT, listLogFiles, logFileName, LogRotator } from "./logrotate.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "logrotate-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const enc = new TextEncoder();
const read = (dir: string, name: string) => Deno.readTextFile(join(dir, name));

Deno.test("LogRotator rotates by size, ends files at line breaks and keeps max_files", () =>
  withDir(async (dir) => {
    const r = await LogRotator.open(dir, "web.stdout", { maxFiles: 2, maxFileSize: 10 });
    assertEquals(r.index, 0);
    await r.write(enc.encode("aaaa\nbbbb\ncccc\n"));
    assertEquals(await read(dir, "web.stdout.0"), "aaaa\nbbbb\n", "a full file ends at a line");
    assertEquals(await read(dir, "web.stdout.1"), "cccc\n");
    await r.write(enc.encode("dd\neeeeeeeeeeeeeeeeeee"));
    r.close();
    const files = await listLogFiles(dir, "web", "stdout");
    assertEquals(
      files.map((f) => f.name),
      ["web.stdout.2", "web.stdout.3"],
      "only the newest two stay",
    );
    assertEquals(
      await read(dir, "web.stdout.2"),
      "eeeeeeeeee",
      "a line longer than a file is split",
    );
    assertEquals(await read(dir, "web.stdout.3"), "eeeeeeeee");
    assert(files.every((f) => f.size <= 10));
  }));

Deno.test("LogRotator continues the highest existing index after a restart", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "web.stderr.3"), "old\n");
    await Deno.writeTextFile(join(dir, "web.stderr.7"), "newer\n");
    await Deno.writeTextFile(join(dir, "web.stderr.x"), "ignored");
    await Deno.writeTextFile(join(dir, "web.stdout.9"), "other stream");
    const r = await LogRotator.open(dir, "web.stderr", { maxFiles: 5, maxFileSize: 1024 });
    assertEquals(r.index, 7);
    await r.write(enc.encode("more\n"));
    r.close();
    assertEquals(await read(dir, "web.stderr.7"), "newer\nmore\n");
    const full = await LogRotator.open(dir, "web.stderr", { maxFiles: 5, maxFileSize: 11 });
    await full.write(enc.encode("x\n"));
    full.close();
    assertEquals(await read(dir, "web.stderr.8"), "x\n", "a full file is not appended to");
  }));

Deno.test("LogRotator splits a long line near the end only beyond the scan window", () =>
  withDir(async (dir) => {
    const size = 4 * LINE_SCAN_LIMIT;
    const r = await LogRotator.open(dir, "t.stdout", { maxFiles: 10, maxFileSize: size });
    const head = "h".repeat(size - LINE_SCAN_LIMIT * 2) + "\n";
    await r.write(enc.encode(head + "x".repeat(LINE_SCAN_LIMIT * 3)));
    r.close();
    const files = await listLogFiles(dir, "t", "stdout");
    assertEquals(files[0]!.size, size, "the line break is too far back: the file is filled");
  }));

Deno.test("LogRotator refuses limits below 1 and writes after close", () =>
  withDir(async (dir) => {
    await assertRejects(
      () => LogRotator.open(dir, "t.stdout", { maxFiles: 0, maxFileSize: 10 }),
      RangeError,
      "max_files",
    );
    const r = await LogRotator.open(dir, "t.stdout", { maxFiles: 1, maxFileSize: 10 });
    r.close();
    await assertRejects(() => r.write(enc.encode("x")), Error, "closed");
    assertEquals(logFileName("t", "stderr", 4), "t.stderr.4");
  }));
