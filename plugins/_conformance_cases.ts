/**
 * The scenarios of the driver conformance suite (see `conformance.ts`).
 *
 * @module
 */
import {
  bounded,
  check,
  checkRejects,
  CONFORMANCE_STDOUT,
  type ConformanceHarness,
  type ConformanceOptions,
  withHarness,
} from "./conformance.ts";
import { ConfigError, DRIVER_API_VERSION, sleep, TaskNotFoundError } from "./sdk.ts";

const WAIT = () => AbortSignal.timeout(10_000);

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** Registers every scenario for the driver in `opts`. */
export function registerScenarios(opts: ConformanceOptions): void {
  const scenario = (title: string, ms: number, fn: (h: ConformanceHarness) => Promise<void>) =>
    Deno.test(`${opts.name} conformance: ${title}`, () =>
      bounded(ms, title, () => withHarness(opts, fn)));

  scenario("reports its plugin info, capabilities and a healthy fingerprint", 20_000, async (h) => {
    const info = h.driver.pluginInfo();
    check(info.Type === "driver", `pluginInfo().Type should be "driver", got ${info.Type}`);
    check(
      info.Name === opts.manifest.name,
      `pluginInfo().Name should be the manifest's name, got ${info.Name}`,
    );
    check(
      info.PluginApiVersions.includes(DRIVER_API_VERSION),
      `PluginApiVersions should include ${DRIVER_API_VERSION}`,
    );
    const caps = h.driver.capabilities();
    check(
      ["none", "chroot", "image"].includes(caps.FSIsolation),
      `bad FSIsolation ${caps.FSIsolation}`,
    );
    check(Array.isArray(caps.NetIsolationModes), "NetIsolationModes should be a list");
    check(typeof h.driver.taskConfigSchema() === "object", "taskConfigSchema() should be a schema");
    const ac = new AbortController();
    let first = null;
    for await (const fp of h.driver.fingerprint(ac.signal)) {
      first = fp;
      ac.abort();
    }
    check(first !== null, "fingerprint() yielded nothing");
    check(
      first.Health === "healthy",
      `the first fingerprint should be healthy, got ${first.Health} (${first.HealthDescription})`,
    );
    check(
      first.Attributes[`driver.${opts.manifest.name}`] !== undefined,
      `fingerprint should set driver.${opts.manifest.name}`,
    );
  });

  scenario(
    "starts a task that exits 0, with a persistable handle and its stdout",
    20_000,
    async (h) => {
      const { config, handle } = await h.start("success");
      check(handle.Config.ID === config.ID, "the handle should carry the task's config");
      check(Number.isInteger(handle.Version), "the handle should have an integer Version");
      const copy = JSON.parse(JSON.stringify(handle));
      check(
        JSON.stringify(copy) === JSON.stringify(handle),
        "the handle should survive a JSON round trip",
      );
      const exit = await h.driver.waitTask(config.ID, WAIT());
      check(
        exit.ExitCode === 0 && exit.Signal === 0 && exit.Err === null,
        `expected a clean exit, got ${JSON.stringify(exit)}`,
      );
      const status = await h.driver.inspectTask(config.ID);
      check(status.State === "exited", `inspectTask should say exited, got ${status.State}`);
      check(status.ExitResult?.ExitCode === 0, "inspectTask should carry the exit result");
      check(
        status.CompletedAt !== null && status.CompletedAt >= status.StartedAt,
        "CompletedAt should follow StartedAt",
      );
      const again = await h.driver.waitTask(config.ID, WAIT());
      check(
        again.ExitCode === 0,
        "waitTask after the exit should resolve at once with the same result",
      );
      const stdout = await Deno.readTextFile(config.StdoutPath);
      check(
        stdout.includes(CONFORMANCE_STDOUT),
        `stdout should contain "${CONFORMANCE_STDOUT}", got ${JSON.stringify(stdout)}`,
      );
    },
  );

  scenario("reports a non-zero exit code", 20_000, async (h) => {
    const { config } = await h.start("failure");
    const exit = await h.driver.waitTask(config.ID, WAIT());
    check(exit.ExitCode === 3, `expected exit code 3, got ${JSON.stringify(exit)}`);
  });

  scenario("stops a running task with a signal and a timeout", 30_000, async (h) => {
    const { config } = await h.start("long");
    const status = await h.driver.inspectTask(config.ID);
    check(status.State === "running", `a long task should be running, got ${status.State}`);
    check(status.ExitResult === null, "a running task has no exit result");
    await checkRejects(
      () => h.driver.destroyTask(config.ID, false),
      Error,
      "running",
      "destroying a running task",
    );
    const aborted = new AbortController();
    const waiting = h.driver.waitTask(config.ID, aborted.signal);
    aborted.abort(new Error("given up"));
    await checkRejects(() => waiting, Error, "given up", "waitTask with an aborted signal");
    if (h.driver.capabilities().SendSignals) await h.driver.signalTask(config.ID, "SIGCONT");
    const started = Date.now();
    await h.driver.stopTask(config.ID, 2_000, "SIGTERM");
    check(Date.now() - started < 15_000, "stopTask should return soon after its timeout");
    const after = await h.driver.inspectTask(config.ID);
    check(after.State === "exited", `a stopped task should be exited, got ${after.State}`);
    await h.driver.waitTask(config.ID, WAIT());
    await h.driver.stopTask(config.ID, 2_000, "SIGTERM"); // stopping an exited task is fine
  });

  scenario("destroys tasks and forgets them", 30_000, async (h) => {
    const done = await h.start("success");
    await h.driver.waitTask(done.config.ID, WAIT());
    await h.driver.destroyTask(done.config.ID, false);
    await checkRejects(
      () => h.driver.inspectTask(done.config.ID),
      TaskNotFoundError,
      done.config.ID,
      "inspecting a destroyed task",
    );
    const running = await h.start("long");
    await h.driver.destroyTask(running.config.ID, true);
    await checkRejects(
      () => h.driver.inspectTask(running.config.ID),
      TaskNotFoundError,
      "",
      "inspecting a force-destroyed task",
    );
    await checkRejects(
      () => h.driver.waitTask("no-such-task", WAIT()),
      TaskNotFoundError,
      "no-such-task",
      "waitTask(unknown)",
    );
    await checkRejects(
      () => h.driver.stopTask("no-such-task", 100, ""),
      TaskNotFoundError,
      "",
      "stopTask(unknown)",
    );
  });

  scenario("recovers running and finished tasks after the host restarts", 40_000, async (h) => {
    const long = await h.start("long");
    const short = await h.start("short");
    const before = await h.driver.inspectTask(long.config.ID);
    const handles = JSON.parse(JSON.stringify([long.handle, short.handle]));
    await h.restartHost();
    await sleep(2_500); // the short task ends while no host watches it
    const size = await fileSize(long.config.StdoutPath);
    for (const handle of handles) await h.driver.recoverTask(handle);
    await h.driver.recoverTask(handles[0]); // recovering twice changes nothing
    const after = await h.driver.inspectTask(long.config.ID);
    check(
      after.State === "running",
      `the long task should still run after recovery, got ${after.State}`,
    );
    check(
      after.StartedAt === before.StartedAt,
      `recovery must not restart the task (${before.StartedAt} -> ${after.StartedAt})`,
    );
    const exit = await h.driver.waitTask(short.config.ID, WAIT());
    check(
      exit.ExitCode === 7,
      `the task that ended meanwhile should report exit code 7, got ${JSON.stringify(exit)}`,
    );
    await sleep(1_200);
    check(
      await fileSize(long.config.StdoutPath) > size,
      "the recovered task's stdout should keep growing",
    );
    await h.driver.stopTask(long.config.ID, 2_000, "SIGTERM");
    check(
      (await h.driver.inspectTask(long.config.ID)).State === "exited",
      "the recovered task should stop",
    );
  });

  scenario("streams resource usage until cancelled", 20_000, async (h) => {
    const { config } = await h.start("long");
    const ac = new AbortController();
    const samples = [];
    for await (const s of h.driver.taskStats(config.ID, 200, ac.signal)) {
      samples.push(s);
      if (samples.length === 2) ac.abort();
    }
    check(samples.length === 2, `expected 2 samples before the abort, got ${samples.length}`);
    for (const s of samples) {
      check(s.Timestamp > 0, "a sample needs a Timestamp");
      check(
        s.ResourceUsage.MemoryStats !== null || s.ResourceUsage.CpuStats !== null,
        "a sample should measure something",
      );
    }
    await h.driver.stopTask(config.ID, 1_000, "SIGTERM");
  });

  scenario("streams task events", 20_000, async (h) => {
    const ac = new AbortController();
    const events = h.driver.taskEvents(ac.signal)[Symbol.asyncIterator]();
    const next = events.next();
    await sleep(300); // let the subscription reach the driver
    const { config } = await h.start("success");
    const first = await bounded(5_000, "the first task event", () => next);
    ac.abort();
    await events.return?.(undefined);
    check(!first.done, "taskEvents() ended without an event");
    check(
      first.value.TaskID === config.ID,
      `the event should name the task, got ${first.value.TaskID}`,
    );
    check(
      first.value.AllocID === config.AllocID && first.value.TaskName === config.Name,
      "the event should name alloc and task",
    );
    check(first.value.Message !== "", "the event should have a message");
  });

  scenario("rejects a bad task config with a clear error and starts nothing", 20_000, async (h) => {
    const config = await h.task("invalid");
    await checkRejects(
      () => h.driver.startTask(config),
      ConfigError,
      opts.invalidProblem,
      "starting a task with a bad config",
    );
    await checkRejects(
      () => h.driver.inspectTask(config.ID),
      TaskNotFoundError,
      "",
      "inspecting the task that was refused",
    );
  });
}
