import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { ConfigError, sleep } from "../../plugins/sdk.ts";
import { alive, eventually, readOr, withRawExec } from "./raw_exec_testing.ts";

const WAIT = () => AbortSignal.timeout(15_000);

Deno.test("raw_exec is disabled by default: it fingerprints undetected and never starts a task", () =>
  withRawExec(async (env) => {
    const ac = new AbortController();
    for await (const fp of env.driver.fingerprint(ac.signal)) {
      assertEquals([fp.Health, fp.HealthDescription], ["undetected", "disabled"]);
      ac.abort();
    }
    const cfg = await env.task("touch started-marker");
    await assertRejects(() => env.driver.startTask(cfg), Error, "raw_exec is disabled");
    await sleep(300);
    await assertRejects(
      () => Deno.stat(join(cfg.TaskDir.Dir, "started-marker")),
      Deno.errors.NotFound,
    );
    await assertRejects(() => Deno.stat(join(cfg.TaskDir.Dir, ".executor")), Deno.errors.NotFound);
  }, { config: {} }));

Deno.test("raw_exec is enabled by the client option driver.raw_exec.enable", () =>
  withRawExec(async (env) => {
    const ac = new AbortController();
    for await (const fp of env.driver.fingerprint(ac.signal)) {
      assertEquals(fp.Health, "healthy");
      assertEquals(fp.Attributes["driver.raw_exec"], true);
      ac.abort();
    }
    const cfg = await env.task("exit 0");
    await env.start(cfg);
    assertEquals((await env.driver.waitTask(cfg.ID, WAIT())).ExitCode, 0);
  }, { options: { "driver.raw_exec.enable": "1" } }));

Deno.test("raw_exec runs the command with the task's env in the task dir, minus denied_envvars", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(`echo "$FOO|$SECRET_TOKEN|$(pwd)"`, {
      FOO: "bar",
      SECRET_TOKEN: "hush",
    });
    await env.start(cfg);
    assertEquals((await env.driver.waitTask(cfg.ID, WAIT())).ExitCode, 0);
    assertEquals(readOr(cfg.StdoutPath), `bar||${cfg.TaskDir.Dir}\n`);
    const bad = await env.task({
      command: "/bin/true",
      work_dir: "relative/dir",
      oom_score_adj: -1,
    });
    const err = await assertRejects(() => env.driver.startTask(bad), ConfigError) as ConfigError;
    assertEquals(err.problems.length, 2);
    assertStringIncludes(err.message, `"work_dir" must be an absolute path`);
  }, { config: { enabled: true, denied_envvars: ["SECRET_*"] } }));

Deno.test("raw_exec delivers signals with signalTask and refuses unknown ones", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(`trap 'echo got-usr1' USR1; echo up; while :; do sleep 0.1; done`);
    await env.start(cfg);
    assert(
      await eventually(5_000, () => readOr(cfg.StdoutPath).includes("up")),
      "the task started",
    );
    await env.driver.signalTask(cfg.ID, "SIGUSR1");
    assert(
      await eventually(5_000, () => readOr(cfg.StdoutPath).includes("got-usr1")),
      "the trap ran",
    );
    await assertRejects(
      () => env.driver.signalTask(cfg.ID, "SIGBOGUS"),
      Error,
      "unknown signal SIGBOGUS",
    );
    await env.driver.stopTask(cfg.ID, 1_000, "SIGKILL");
  }));

Deno.test("raw_exec stops with the kill signal, SIGKILLs the whole process tree after the timeout", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(`trap '' TERM; sleep 60 & echo $! > bg.pid; wait`);
    await env.start(cfg);
    const bgFile = join(cfg.TaskDir.Dir, "bg.pid");
    assert(
      await eventually(5_000, () => readOr(bgFile).trim() !== ""),
      "the background child started",
    );
    const bg = Number(readOr(bgFile));
    const t0 = Date.now();
    await env.driver.stopTask(cfg.ID, 500, "SIGTERM");
    const took = Date.now() - t0;
    assert(took >= 450 && took < 5_000, `the stop waited the timeout, then killed (${took} ms)`);
    assertEquals(await env.driver.waitTask(cfg.ID, WAIT()), {
      ExitCode: 137,
      Signal: 9,
      OOMKilled: false,
      Err: null,
    });
    assert(await eventually(2_000, () => !alive(bg)), "the background child was killed too");
  }));

Deno.test("raw_exec stops with SIGINT when no kill signal is given, as Nomad's executor does", () =>
  withRawExec(async (env) => {
    const cfg = await env.task(
      `trap 'echo got-int; exit 0' INT; echo up; while :; do sleep 0.1; done`,
    );
    await env.start(cfg);
    assert(
      await eventually(5_000, () => readOr(cfg.StdoutPath).includes("up")),
      "the task started",
    );
    await env.driver.stopTask(cfg.ID, 5_000, "");
    assertEquals((await env.driver.waitTask(cfg.ID, WAIT())).ExitCode, 0);
    assertStringIncludes(readOr(cfg.StdoutPath), "got-int");
  }));

Deno.test("raw_exec runs execTask in the task's environment and reports usage from /proc", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("while :; do sleep 0.1; done", { FOO: "bar" });
    await env.start(cfg);
    const res = await env.driver.execTask(
      cfg.ID,
      ["/bin/sh", "-c", "echo $FOO; pwd; exit 5"],
      5_000,
    );
    assertEquals(new TextDecoder().decode(res.Stdout), `bar\n${cfg.TaskDir.Dir}\n`);
    assertEquals(res.ExitResult.ExitCode, 5);
    const pid = (await env.driver.inspectTask(cfg.ID)).DriverAttributes.pid ?? "";
    const ac = new AbortController();
    for await (const usage of env.driver.taskStats(cfg.ID, 100, ac.signal)) {
      assert((usage.ResourceUsage.MemoryStats?.RSS ?? 0) > 0, "RSS is measured");
      assert(
        usage.Pids !== null && pid in usage.Pids,
        "the task's pid is among the measured processes",
      );
      ac.abort();
    }
    await env.driver.stopTask(cfg.ID, 1_000, "SIGTERM");
  }));

Deno.test("raw_exec refuses to start a task again while its executor runs", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("while :; do sleep 0.1; done");
    const { handle } = await env.start(cfg);
    await env.restart();
    await assertRejects(() => env.driver.startTask(cfg), Error, "already has a running executor");
    await env.driver.recoverTask(handle);
    await env.driver.stopTask(cfg.ID, 1_000, "SIGTERM");
  }));

Deno.test("raw_exec starts a task again only after killing what its dead executor left", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("echo run >> runs; while :; do sleep 0.1; done");
    await env.start(cfg);
    const attrs = (await env.driver.inspectTask(cfg.ID)).DriverAttributes;
    const [executor, pid] = [Number(attrs.executor_pid), Number(attrs.pid)];
    await env.restart();
    Deno.kill(executor, "SIGKILL");
    assert(await eventually(2_000, () => !alive(executor)), "the executor died");
    assert(alive(pid), "its task is orphaned, still running");
    await env.start(cfg);
    assert(!alive(pid), "the orphan was killed before the new start");
    const now = (await env.driver.inspectTask(cfg.ID)).DriverAttributes.pid;
    assert(now !== String(pid) && alive(Number(now)), "a new process runs the task");
    assert(
      await eventually(2_000, () => readOr(join(cfg.TaskDir.Dir, "runs")) === "run\nrun\n"),
      "two runs in all",
    );
  }));

Deno.test("raw_exec reports a task whose executor was killed, and kills the orphaned task", () =>
  withRawExec(async (env) => {
    const cfg = await env.task("while :; do sleep 0.1; done");
    await env.start(cfg);
    const attrs = (await env.driver.inspectTask(cfg.ID)).DriverAttributes;
    const [executor, pid] = [Number(attrs.executor_pid), Number(attrs.pid)];
    assert(alive(executor) && alive(pid), "executor and task run");
    Deno.kill(executor, "SIGKILL");
    const exit = await env.driver.waitTask(cfg.ID, WAIT());
    assertEquals([exit.ExitCode, exit.Signal], [137, 9]);
    assertStringIncludes(exit.Err ?? "", "executor died");
    assert(await eventually(2_000, () => !alive(pid)), "the orphaned task was killed");
  }));
