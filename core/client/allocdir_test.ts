import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { join } from "node:path";
import { AllocDir } from "./allocdir.ts";
import { PathEscapesAllocDirError, safeJoin, SecretFileError } from "./alloc_fs.ts";
import { detectContentType, goFileMode } from "./_file_info.ts";

const ID = "5e1c0a7e-0000-4000-8000-000000000001";

async function withDir(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "allocdir-test-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

const mode = async (p: string) => ((await Deno.stat(p)).mode ?? 0) & 0o7777;

Deno.test("AllocDir builds Nomad's layout with Nomad's modes", () =>
  withDir(async (root) => {
    const dir = new AllocDir(root, ID);
    const td = await dir.buildTask("web");
    assertEquals(td.Dir, join(root, ID, "web"));
    assertEquals(td.SharedAllocDir, join(root, ID, "alloc"));
    assertEquals(td.LogDir, join(root, ID, "alloc", "logs"));
    assertEquals(await mode(dir.path), 0o755);
    assertEquals(await mode(dir.sharedDir), 0o755);
    for (const d of ["data", "logs", "tmp"]) {
      assertEquals(await mode(join(dir.sharedDir, d)), 0o777, d);
    }
    assertEquals(await mode(td.Dir), 0o777);
    assertEquals(await mode(td.LocalDir), 0o777);
    assertEquals(await mode(td.TmpDir), 0o1777);
    assertEquals(await mode(td.SecretsDir), 0o700);
    assertEquals(await mode(td.PrivateDir), 0o700);
    await dir.buildTask("web"); // idempotent, as after an agent restart
    assert(await dir.exists());
    await dir.destroy();
    assert(!(await dir.exists()));
    await dir.destroy(); // destroying twice is fine
  }));

Deno.test("AllocDir refuses names that are not a single path segment", () => {
  assertThrows(() => new AllocDir("/x", "../etc"), TypeError, "directory name");
  assertThrows(() => new AllocDir("/x", ID).taskDir("a/b"), TypeError, "task name");
  assertThrows(() => new AllocDir("/x", ID).taskDir(".."), TypeError);
});

Deno.test("AllocDir.move() takes over the previous allocation's data and local dirs", () =>
  withDir(async (root) => {
    const prev = new AllocDir(root, "prev");
    const prevTask = await prev.buildTask("db");
    await Deno.writeTextFile(join(prev.dataDir, "shared.txt"), "shared");
    await Deno.writeTextFile(join(prevTask.LocalDir, "state.db"), "rows");
    const next = new AllocDir(root, "next");
    await assertRejects(() => next.move(prev, ["db"]), Error, "build it first");
    await next.build();
    await next.move(prev, ["db", "missing"]);
    assertEquals(await Deno.readTextFile(join(next.dataDir, "shared.txt")), "shared");
    assertEquals(await Deno.readTextFile(join(next.taskDir("db").LocalDir, "state.db")), "rows");
  }));

Deno.test("safeJoin() refuses .. and symlinks that leave the allocation", () =>
  withDir(async (root) => {
    const dir = new AllocDir(root, ID);
    const td = await dir.buildTask("web");
    const outside = join(root, "outside");
    await Deno.mkdir(outside);
    await Deno.writeTextFile(join(outside, "secret"), "x");
    await Deno.symlink(outside, join(td.LocalDir, "escape"));
    await Deno.symlink(td.LocalDir, join(dir.sharedDir, "data", "inside"));

    assertEquals(await safeJoin(dir.path, "alloc/logs"), join(dir.path, "alloc/logs"));
    assertEquals(await safeJoin(dir.path, "/web/local"), td.LocalDir, "a leading / is the root");
    assertEquals(await safeJoin(dir.path, "web/local/new/file"), join(td.LocalDir, "new/file"));
    assertEquals(await safeJoin(dir.path, "alloc/data/inside"), join(dir.dataDir, "inside"));
    for (
      const bad of [
        "..",
        "../outside",
        "web/../../outside",
        "web/local/escape",
        "web/local/escape/secret",
        "web/local/escape/nope/x",
      ]
    ) {
      const err = await assertRejects(() => safeJoin(dir.path, bad), PathEscapesAllocDirError);
      assertEquals((err as PathEscapesAllocDirError).path, bad);
    }
  }));

Deno.test("AllocFS lists, stats and reads files in Nomad's shapes", () =>
  withDir(async (root) => {
    const dir = new AllocDir(root, ID);
    const td = await dir.buildTask("web");
    await Deno.writeTextFile(join(td.LocalDir, "hello.txt"), "hello world\n");
    await Deno.writeTextFile(join(td.LocalDir, "conf.json"), "{}");
    await Deno.writeFile(join(td.LocalDir, "bin"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
    await Deno.chmod(join(td.LocalDir, "hello.txt"), 0o640);

    const list = await dir.fs.list("/");
    assertEquals(list.map((f) => [f.Name, f.IsDir, f.FileMode]), [
      ["alloc", true, "drwxr-xr-x"],
      ["web", true, "drwxrwxrwx"],
    ]);
    const local = await dir.fs.list("web/local");
    assertEquals(local.map((f) => f.Name), ["bin", "conf.json", "hello.txt"]);
    assertEquals(local.find((f) => f.Name === "hello.txt")?.Size, 12);
    assertEquals(local[0]?.ContentType, undefined, "list does not sniff");

    const st = await dir.fs.stat("web/local/hello.txt");
    assertEquals(st.Name, "hello.txt");
    assertEquals(st.FileMode, "-rw-r-----");
    assertEquals(st.ContentType, "text/plain; charset=utf-8");
    assert(!Number.isNaN(Date.parse(st.ModTime)));
    assertEquals((await dir.fs.stat("web/local/conf.json")).ContentType, "application/json");
    assertEquals((await dir.fs.stat("web/local/bin")).ContentType, "application/octet-stream");
    assertEquals((await dir.fs.stat("web/tmp")).FileMode, "dtrwxrwxrwx");

    const dec = new TextDecoder();
    assertEquals(dec.decode(await dir.fs.cat("web/local/hello.txt")), "hello world\n");
    assertEquals(dec.decode(await dir.fs.readAt("web/local/hello.txt", 6, 5)), "world");
    assertEquals(dec.decode(await dir.fs.readAt("web/local/hello.txt", 100)), "");
    await assertRejects(() => dir.fs.list("../.."), PathEscapesAllocDirError);
  }));

Deno.test("AllocFS refuses to read a task's secrets and private files", () =>
  withDir(async (root) => {
    const dir = new AllocDir(root, ID);
    const td = await dir.buildTask("web");
    await Deno.writeTextFile(join(td.SecretsDir, "token"), "s3cr3t");
    await Deno.writeTextFile(join(td.PrivateDir, "p"), "p");
    await assertRejects(
      () => dir.fs.cat("web/secrets/token"),
      SecretFileError,
      "Reading secret file prohibited",
    );
    await assertRejects(() => dir.fs.cat("/WEB/Private/p"), Error);
    await assertRejects(() => dir.fs.readAt("web/private/p", 0), SecretFileError, "private");
    await Deno.symlink(join(td.SecretsDir, "token"), join(dir.dataDir, "peek"));
    await assertRejects(() => dir.fs.cat("alloc/data/peek"), SecretFileError, "secret");
    assertEquals(
      (await dir.fs.list("web/secrets")).map((f) => f.Name),
      ["token"],
      "listing is allowed",
    );
  }));

Deno.test("AllocFS.stream() reads from an offset and follows a growing file", () =>
  withDir(async (root) => {
    const dir = new AllocDir(root, ID);
    const td = await dir.buildTask("web");
    const path = join(td.LocalDir, "out.log");
    await Deno.writeTextFile(path, "0123456789");
    const dec = new TextDecoder();
    const read = async (opts: Parameters<typeof dir.fs.stream>[1]) => {
      let s = "";
      for await (const f of dir.fs.stream("web/local/out.log", opts)) s += dec.decode(f.Data);
      return s;
    };
    assertEquals(await read({ offset: 4 }), "456789");
    assertEquals(await read({ origin: "end", offset: 3 }), "789");
    assertEquals(await read({ offset: 2, limit: 3 }), "234");

    const ac = new AbortController();
    const guard = setTimeout(() => ac.abort(), 5000);
    const frames: { data: string; event?: string; offset: number }[] = [];
    const done = (async () => {
      for await (
        const f of dir.fs.stream("web/local/out.log", {
          follow: true,
          signal: ac.signal,
          pollIntervalMs: 10,
          offset: 10,
        })
      ) {
        frames.push({
          data: dec.decode(f.Data),
          offset: f.Offset,
          ...(f.FileEvent ? { event: f.FileEvent } : {}),
        });
        if (frames.length === 1) await Deno.writeTextFile(path, "ab");
        if (frames.length === 3) await Deno.remove(path);
      }
    })();
    await Deno.writeTextFile(path, "more", { append: true });
    await done;
    clearTimeout(guard);
    assertEquals(frames, [
      { data: "more", offset: 14 },
      { data: "", offset: 0, event: "file truncated" },
      { data: "ab", offset: 2 },
      { data: "", offset: 2, event: "file deleted" },
    ]);
  }));

Deno.test("goFileMode() and detectContentType() match Go", () => {
  assertEquals(goFileMode(0o100644), "-rw-r--r--");
  assertEquals(goFileMode(0o040755), "drwxr-xr-x");
  assertEquals(goFileMode(0o041777), "dtrwxrwxrwx");
  assertEquals(goFileMode(0o120777), "Lrwxrwxrwx");
  assertEquals(goFileMode(0o104755), "urwxr-xr-x");
  assertEquals(goFileMode(0o020666), "Dcrw-rw-rw-");
  assertEquals(goFileMode(0o010600), "prw-------");
  const enc = new TextEncoder();
  assertEquals(detectContentType(enc.encode("  <html><body>")), "text/html; charset=utf-8");
  assertEquals(detectContentType(enc.encode("<?xml version")), "text/xml; charset=utf-8");
  assertEquals(detectContentType(enc.encode("%PDF-1.4")), "application/pdf");
  assertEquals(detectContentType(new Uint8Array([0x1f, 0x8b, 0x08, 0])), "application/x-gzip");
  assertEquals(
    detectContentType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])),
    "image/png",
  );
  assertEquals(detectContentType(enc.encode("plain\ttext\n")), "text/plain; charset=utf-8");
  assertEquals(detectContentType(new Uint8Array([65, 0, 66])), "application/octet-stream");
});
