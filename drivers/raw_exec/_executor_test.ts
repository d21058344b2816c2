import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { sleep, TaskNotFoundError } from "../../plugins/sdk.ts";
import { alive, eventually, readOr, withRawExec } from "./raw_exec_testing.ts";

const WAIT = () => AbortSignal.timeout(15_000);

Deno.test("raw_exec refuses a command that is missing (127) or not executable (126), with an event", () =>
  withRawExec(async (env) => {
    const ac = new AbortController();
    const events = env.driver.taskEvents(ac.signal)[Symbol.asyncIterator]();
    const first = events.next();
    await sleep(200); // let the subscription reach the driver
    const missing = await env.task({ command: "no-such-command-anywhere" });
    await assertRejects(
      () => env.driver.startTask(missing),
      Error,
      `failed to launch command with executor: file "no-such-command-anywhere" not found`,
    );
    const event = await first;
    assertStringIncludes(event.done ? "" : event.value.Message, "not found");
    const exitFile = join(missing.TaskDir.Dir, ".executor", "exit");
    assertEquals(readOr(exitFile).split(" ").slice(0, 2), ["127", "0"]);
    await assertRejects(() => env.driver.inspectTask(missing.ID), TaskNotFoundError);

    const plain = await env.task({ command: "local/plain.txt" });
    await Deno.writeTextFile(join(plain.TaskDir.Dir, "local", "plain.txt"), "not a program\n");
    await assertRejects(() => env.driver.startTask(plain), Error, "is not executable");
    assertEquals(readOr(join(plain.TaskDir.Dir, ".executor", "exit")).split(" ")[0], "126");
    ac.abort();
    await events.return?.(undefined);
  }));

Deno.test("raw_exec finds a bare command in the task's local dir before PATH", () =>
  withRawExec(async (env) => {
    const cfg = await env.task({ command: "hello.sh", args: ["world"] });
    const script = join(cfg.TaskDir.LocalDir, "hello.sh");
    await Deno.writeTextFile(script, '#!/bin/sh\necho "hello $1 from $(pwd)"\n');
    await Deno.chmod(script, 0o755);
    await env.start(cfg);
    assertEquals((await env.driver.waitTask(cfg.ID, WAIT())).ExitCode, 0);
    assertEquals(readOr(cfg.StdoutPath), `hello world from ${cfg.TaskDir.Dir}\n`);
  }));

Deno.test("raw_exec passes LD_* variables, which Deno will not pass itself, to the task and exec", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(`echo "$LD_LIBRARY_PATH|$FOO"; while :; do sleep 0.1; done`, {
      LD_LIBRARY_PATH: "/nonexistent lib dir",
      FOO: "bar",
    });
    await env.start(cfg);
    assert(
      await eventually(5_000, () => readOr(cfg.StdoutPath) === "/nonexistent lib dir|bar\n"),
      `the task saw both variables: ${JSON.stringify(readOr(cfg.StdoutPath))}`,
    );
    const res = await env.driver.execTask(
      cfg.ID,
      ["/bin/sh", "-c", 'echo "$LD_LIBRARY_PATH"'],
      5_000,
    );
    assertEquals(new TextDecoder().decode(res.Stdout), "/nonexistent lib dir\n");
    await env.driver.stopTask(cfg.ID, 1_000, "SIGTERM");
  }));

Deno.test("raw_exec: a SIGTERM to the executor itself never reaches the task", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(`trap 'echo got-term' TERM; echo up; while :; do sleep 0.1; done`);
    await env.start(cfg);
    assert(await eventually(5_000, () => readOr(cfg.StdoutPath).includes("up")), "task started");
    const attrs = (await env.driver.inspectTask(cfg.ID)).DriverAttributes;
    const [executor, pid] = [Number(attrs.executor_pid), Number(attrs.pid)];
    Deno.kill(executor, "SIGTERM");
    await sleep(500);
    assert(alive(executor) && alive(pid), "executor and task both still run");
    assert(!readOr(cfg.StdoutPath).includes("got-term"), "the task got no SIGTERM");
    assertEquals((await env.driver.inspectTask(cfg.ID)).State, "running");
    await env.driver.stopTask(cfg.ID, 1_000, "SIGKILL");
    const exit = await env.driver.waitTask(cfg.ID, WAIT());
    assertEquals([exit.ExitCode, exit.Signal, exit.Err], [137, 9, null]);
  }));

Deno.test("raw_exec reports a task killed from outside as 128 + signal", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("kill -USR2 $$; sleep 5");
    await env.start(cfg);
    const exit = await env.driver.waitTask(cfg.ID, WAIT());
    assertEquals([exit.ExitCode, exit.Signal, exit.Err], [140, 12, null]);
  }));

Deno.test("raw_exec measures every process of the task's session, children included", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("sleep 30 & echo $! > child.pid; wait");
    await env.start(cfg);
    const childFile = join(cfg.TaskDir.Dir, "child.pid");
    assert(await eventually(5_000, () => readOr(childFile).trim() !== ""), "the child started");
    const child = readOr(childFile).trim();
    const pid = (await env.driver.inspectTask(cfg.ID)).DriverAttributes.pid ?? "";
    const ac = new AbortController();
    for await (const usage of env.driver.taskStats(cfg.ID, 100, ac.signal)) {
      assertEquals(Object.keys(usage.Pids ?? {}).sort(), [child, pid].sort());
      const rss = usage.ResourceUsage.MemoryStats?.RSS ?? 0;
      const parts = Object.values(usage.Pids ?? {}).map((u) => u.MemoryStats?.RSS ?? 0);
      assertEquals(rss, parts.reduce((a, b) => a + b, 0));
      ac.abort();
    }
    await env.driver.stopTask(cfg.ID, 1_000, "SIGTERM");
    assert(await eventually(2_000, () => !alive(Number(child))), "the child was stopped too");
  }));

Deno.test("raw_exec notices a recovered task's executor killed later, and kills the orphan", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("while :; do sleep 0.1; done");
    const { handle } = await env.start(cfg);
    await env.restart();
    await env.driver.recoverTask(handle);
    const attrs = (await env.driver.inspectTask(cfg.ID)).DriverAttributes;
    const [executor, pid] = [Number(attrs.executor_pid), Number(attrs.pid)];
    Deno.kill(executor, "SIGKILL");
    const exit = await env.driver.waitTask(cfg.ID, WAIT());
    assertEquals([exit.ExitCode, exit.Signal], [137, 9]);
    assertStringIncludes(exit.Err ?? "", "executor died");
    assert(await eventually(2_000, () => !alive(pid)), "the orphaned task was killed");
    await env.restart();
    await env.driver.recoverTask(handle);
    assertEquals((await env.driver.inspectTask(cfg.ID)).ExitResult?.ExitCode, 137, "recorded");
  }));

Deno.test("raw_exec recovers a task of an earlier boot as lost, touching no process", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("sleep 20");
    const { handle } = await env.start(cfg);
    const pid = Number((await env.driver.inspectTask(cfg.ID)).DriverAttributes.pid);
    await env.restart();
    // Pretend the machine rebooted: the handle and the pids file name another boot.
    const other = "00000000-0000-4000-8000-000000000000";
    const pidsFile = join(cfg.TaskDir.Dir, ".executor", "pids");
    const lines = readOr(pidsFile).split("\n");
    await Deno.writeTextFile(pidsFile, [other, ...lines.slice(1)].join("\n"));
    const old = { ...handle, DriverState: { ...handle.DriverState as object, BootID: other } };
    try {
      await env.driver.recoverTask(old);
      const exit = await env.driver.waitTask(cfg.ID, WAIT());
      assertEquals(exit.ExitCode, -1);
      assertStringIncludes(exit.Err ?? "", "machine restarted");
      assert(alive(pid), "a pid of another boot is never signalled");
    } finally {
      Deno.kill(-pid, "SIGKILL");
    }
  }));

Deno.test({
  name: "raw_exec runs a task as another user with setpriv",
  ignore: Deno.uid() !== 0,
  fn: () =>
    withRawExec(async (env) => {
      const cfg = await env.task("id -u; id -g");
      cfg.User = "nobody";
      await env.start(cfg);
      assertEquals((await env.driver.waitTask(cfg.ID, WAIT())).ExitCode, 0);
      const [uid] = readOr(cfg.StdoutPath).trim().split("\n");
      assert(uid !== "0" && uid !== undefined, `the task ran as nobody, not root (uid ${uid})`);
      const bad = await env.task("true");
      bad.User = "no-such-user-here";
      await assertRejects(() => env.driver.startTask(bad), Error, `user "no-such-user-here"`);
    }),
});
