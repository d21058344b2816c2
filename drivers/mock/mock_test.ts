import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { conformanceTaskConfig } from "../../plugins/conformance.ts";
import { type DriverClient, type HostTimeouts, PluginHost } from "../../plugins/host.ts";
import {
  ERR_PLUGIN_SHUTDOWN,
  PluginTimeoutError,
  RecoverableError,
  sleep,
} from "../../plugins/sdk.ts";
import { mockManifest } from "./manifest.ts";

interface Env {
  root: string;
  driver: DriverClient;
  task(raw: Record<string, unknown>): ReturnType<typeof conformanceTaskConfig>;
  restart(): Promise<void>;
}

async function withMock(
  fn: (env: Env) => Promise<void>,
  opts: { config?: Record<string, unknown>; timeouts?: Partial<HostTimeouts> } = {},
) {
  const root = await Deno.makeTempDir({ prefix: "mock-test-" });
  const open = async () => {
    const host = new PluginHost({
      dataDir: join(root, "data"),
      allocDir: join(root, "alloc"),
      timeouts: opts.timeouts ?? {},
    });
    return { host, driver: await host.load(mockManifest, { config: opts.config ?? {} }) };
  };
  let current = await open();
  const env: Env = {
    root,
    driver: current.driver,
    task: (raw) => conformanceTaskConfig(join(root, "alloc"), raw),
    async restart() {
      await current.host.close();
      current = await open();
      env.driver = current.driver;
    },
  };
  try {
    await fn(env);
  } finally {
    await current.host.close();
    await Deno.remove(root, { recursive: true });
  }
}

const wait = (env: Env, id: string) => env.driver.waitTask(id, AbortSignal.timeout(10_000));

Deno.test("mock_driver fails a start with start_error, recoverable when start_error_recoverable", () =>
  withMock(async (env) => {
    const err = await assertRejects(
      async () =>
        env.driver.startTask(
          await env.task({ start_error: "no capacity", start_error_recoverable: true }),
        ),
      RecoverableError,
      "no capacity",
    ) as RecoverableError;
    assertEquals(err.recoverable, true);
    const fatal = await assertRejects(
      async () => env.driver.startTask(await env.task({ start_error: "bad image" })),
      RecoverableError,
    ) as RecoverableError;
    assertEquals(fatal.recoverable, false);
  }));

Deno.test("mock_driver holds startTask for start_block_for, past the host's deadline", () =>
  withMock(async (env) => {
    const t0 = Date.now();
    await env.driver.startTask(await env.task({ start_block_for: "200ms" }));
    assert(Date.now() - t0 >= 200, "startTask waited start_block_for");
    await assertRejects(
      async () => env.driver.startTask(await env.task({ start_block_for: "3s" })),
      PluginTimeoutError,
    );
  }, { timeouts: { startMs: 700 } }));

Deno.test("mock_driver ends with exit_code, exit_signal and exit_err_msg after run_for", () =>
  withMock(async (env) => {
    const cfg = await env.task({
      run_for: "150ms",
      exit_code: 137,
      exit_signal: 9,
      exit_err_msg: "killed by test",
    });
    const t0 = Date.now();
    await env.driver.startTask(cfg);
    assertEquals(await wait(env, cfg.ID), {
      ExitCode: 137,
      Signal: 9,
      OOMKilled: false,
      Err: "killed by test",
    });
    assert(Date.now() - t0 >= 150, "the task ran for run_for");
  }));

Deno.test("mock_driver ignores a stop for kill_after, then ends the task", () =>
  withMock(async (env) => {
    const cfg = await env.task({ run_for: "1m", kill_after: "400ms", exit_code: 2 });
    await env.driver.startTask(cfg);
    const t0 = Date.now();
    await env.driver.stopTask(cfg.ID, 5_000, "SIGINT");
    assert(Date.now() - t0 >= 380, "stopTask took kill_after");
    assertEquals((await wait(env, cfg.ID)).ExitCode, 2);
  }));

Deno.test("mock_driver reports plugin_exit_after as a plugin shutdown", () =>
  withMock(async (env) => {
    const cfg = await env.task({ run_for: "1m", plugin_exit_after: "100ms" });
    await env.driver.startTask(cfg);
    assertEquals((await wait(env, cfg.ID)).Err, ERR_PLUGIN_SHUTDOWN);
  }));

Deno.test("mock_driver writes stdout_string stdout_repeat more times, once each across a recovery", () =>
  withMock(async (env) => {
    const once = await env.task({
      stdout_string: "x\n",
      stdout_repeat: 3,
      stdout_repeat_duration: "20ms",
    });
    await env.driver.startTask(once);
    await wait(env, once.ID);
    assertEquals(await Deno.readTextFile(once.StdoutPath), "x\n".repeat(4));

    const cfg = await env.task({
      stdout_string: "y\n",
      stdout_repeat: 10,
      stdout_repeat_duration: "100ms",
      stderr_string: "e",
    });
    const { handle } = await env.driver.startTask(cfg);
    await sleep(350);
    await env.restart();
    await env.driver.recoverTask(JSON.parse(JSON.stringify(handle)));
    assertEquals((await wait(env, cfg.ID)).ExitCode, 0);
    assertEquals(await Deno.readTextFile(cfg.StdoutPath), "y\n".repeat(11));
    assertEquals(await Deno.readTextFile(cfg.StderrPath), "e");
  }));

Deno.test("mock_driver fails signalTask with signal_error and answers execTask", () =>
  withMock(async (env) => {
    const cfg = await env.task({ run_for: "1m", signal_error: "cannot signal" });
    await env.driver.startTask(cfg);
    await assertRejects(() => env.driver.signalTask(cfg.ID, "SIGHUP"), Error, "cannot signal");
    const res = await env.driver.execTask(cfg.ID, ["ls", "-l"], 1_000);
    assertEquals(
      new TextDecoder().decode(res.Stdout),
      `Exec(${JSON.stringify(cfg.Name)}, ["ls","-l"])`,
    );
    await env.driver.destroyTask(cfg.ID, true);
  }));

Deno.test("mock_driver returns a DriverNetwork from driver_ip and driver_port_map", () =>
  withMock(async (env) => {
    const { network } = await env.driver.startTask(
      await env.task({
        driver_ip: "10.1.2.3",
        driver_advertise: true,
        driver_port_map: "http:8080",
      }),
    );
    assertEquals(network, { PortMap: { http: 8080 }, IP: "10.1.2.3", AutoAdvertise: true });
    await assertRejects(
      async () => env.driver.startTask(await env.task({ driver_port_map: "http" })),
      RangeError,
      "malformed port map",
    );
  }));

Deno.test("mock_driver fingerprints undetected once shutdown_periodic_duration has passed", () =>
  withMock(async (env) => {
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const fp of env.driver.fingerprint(ac.signal)) {
      seen.push(`${fp.Health}:${fp.HealthDescription}`);
      if (fp.Health === "undetected") ac.abort();
    }
    assertEquals(seen[0], "healthy:Healthy");
    assertStringIncludes(seen.at(-1) ?? "", "undetected:disabled");
  }, { config: { shutdown_periodic_after: true, shutdown_periodic_duration: "300ms" } }));
