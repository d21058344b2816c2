import { assert, assertEquals } from "../../tests/assert.ts";
import { listLogFiles } from "./logrotate.ts";
import { taskLogPaths, TaskLogPump } from "./logpump.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "logpump-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function readAll(dir: string, task: string, type: "stdout" | "stderr"): Promise<string> {
  let out = "";
  for (const f of await listLogFiles(dir, task, type)) out += await Deno.readTextFile(f.path);
  return out;
}

/** Appends to a file as a driver's task would: O_APPEND, one write per line. */
async function appendLines(path: string, from: number, to: number): Promise<void> {
  const f = await Deno.open(path, { append: true, create: true });
  try {
    for (let i = from; i < to; i++) await f.write(new TextEncoder().encode(`line ${i}\n`));
  } finally {
    f.close();
  }
}

const expected = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join("");

Deno.test("taskLogPaths() names hidden staging files that alloc logs never lists", () => {
  assertEquals(taskLogPaths("/a/alloc/logs", "web"), {
    stdoutPath: "/a/alloc/logs/.web.stdout.buf",
    stderrPath: "/a/alloc/logs/.web.stderr.buf",
  });
});

Deno.test("TaskLogPump copies a task's output into rotated files", () =>
  withDir(async (dir) => {
    const pump = await TaskLogPump.start({
      logDir: dir,
      task: "web",
      maxFiles: 3,
      maxFileSizeMB: 1,
      pollIntervalMs: 10,
    });
    await appendLines(pump.paths.stdoutPath, 0, 100);
    await appendLines(pump.paths.stderrPath, 0, 5);
    await pump.stop();
    assertEquals(await readAll(dir, "web", "stdout"), expected(0, 100));
    assertEquals(await readAll(dir, "web", "stderr"), expected(0, 5));
    assertEquals((await listLogFiles(dir, "web", "stdout")).map((f) => f.name), ["web.stdout.0"]);
  }));

Deno.test("TaskLogPump keeps a task's output across an agent restart, without loss or repeats", () =>
  withDir(async (dir) => {
    const opts = { logDir: dir, task: "web", maxFiles: 5, maxFileSizeMB: 1, pollIntervalMs: 10 };
    const first = await TaskLogPump.start(opts);
    await appendLines(first.paths.stdoutPath, 0, 50);
    await first.flush();
    await first.stop({ drain: false }); // the agent goes away
    await appendLines(first.paths.stdoutPath, 50, 120); // the task keeps writing
    const second = await TaskLogPump.start(opts); // the next agent picks up
    assertEquals(await readAll(dir, "web", "stdout"), expected(0, 120), "caught up on start");
    await appendLines(second.paths.stdoutPath, 120, 130);
    await second.stop();
    assertEquals(await readAll(dir, "web", "stdout"), expected(0, 130));
  }));

Deno.test("TaskLogPump follows a real process writing while the pump polls", () =>
  withDir(async (dir) => {
    const pump = await TaskLogPump.start({
      logDir: dir,
      task: "sh",
      maxFiles: 10,
      maxFileSizeMB: 1,
      pollIntervalMs: 5,
    });
    // The shell appends to the staging file itself, as a driver's task does.
    const script = 'exec >>"$0"; i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); ' +
      "[ $((i % 250)) -eq 0 ] && sleep 0.01; done";
    const status = await new Deno.Command("/bin/sh", {
      args: ["-c", script, pump.paths.stdoutPath],
    }).output();
    assert(status.success);
    await pump.stop();
    assertEquals(await readAll(dir, "sh", "stdout"), expected(0, 2000));
  }));

Deno.test("TaskLogPump frees copied output by punching holes, and falls back to truncation", () =>
  withDir(async (dir) => {
    const line = "x".repeat(1023) + "\n";
    const big = line.repeat(1024); // 1 MiB
    for (const reclaim of ["punch-hole", "truncate"] as const) {
      const task = `t-${reclaim}`;
      const pump = await TaskLogPump.start({
        logDir: dir,
        task,
        maxFiles: 2,
        maxFileSizeMB: 1,
        pollIntervalMs: 1000,
        reclaimBytes: 256 * 1024,
        reclaim,
      });
      await Deno.writeTextFile(pump.paths.stdoutPath, big, { append: true });
      await pump.flush();
      const st = await Deno.stat(pump.paths.stdoutPath);
      if (pump.reclaimModes.stdout === "punch-hole") {
        assertEquals(st.size, big.length, "punching keeps the file's length");
        assert((st.blocks ?? 0) * 512 < 64 * 1024, `blocks left: ${st.blocks}`);
      } else {
        assertEquals(st.size, 0, "a fully copied staging file is truncated");
      }
      await Deno.writeTextFile(pump.paths.stdoutPath, "tail\n", { append: true });
      await pump.stop();
      assertEquals(await readAll(dir, task, "stdout"), big + "tail\n");
    }
  }));
