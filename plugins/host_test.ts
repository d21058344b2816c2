import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../tests/assert.ts";
import { mockManifest } from "../drivers/mock/manifest.ts";
import { conformanceTaskConfig } from "./conformance.ts";
import { PluginHost, type PluginLogRecord } from "./host.ts";
import type { PluginManifest } from "./manifest.ts";
import {
  ConfigError,
  type Fingerprint,
  PluginCrashedError,
  PluginLoadError,
  PluginTimeoutError,
  sleep,
} from "./sdk.ts";

const misbehaving: PluginManifest = {
  name: "misbehaving",
  version: "0.0.1",
  entry: new URL("./testdata/misbehaving_driver.ts", import.meta.url).href,
  permissions: { read: ["${alloc_dir}"] },
};

const FAST = {
  callMs: 2_000,
  startMs: 2_000,
  pingIntervalMs: 100,
  pingTimeoutMs: 500,
  restartBaseMs: 50,
};

async function withHost(
  fn: (host: PluginHost, root: string, logs: PluginLogRecord[]) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "host-test-" });
  const logs: PluginLogRecord[] = [];
  const host = new PluginHost({
    dataDir: join(root, "data"),
    allocDir: join(root, "alloc"),
    timeouts: FAST,
    onLog: (r) => logs.push(r),
  });
  try {
    await fn(host, root, logs);
  } finally {
    await host.close();
    await Deno.remove(root, { recursive: true });
  }
}

const task = (root: string, raw: Record<string, unknown>) =>
  conformanceTaskConfig(join(root, "alloc"), raw);

Deno.test("PluginHost.load() gives a DriverClient that speaks the contract", () =>
  withHost(async (host) => {
    const driver = await host.load(mockManifest);
    assertEquals(driver.pluginInfo().Name, "mock_driver");
    assertEquals(host.get("mock_driver"), driver);
    assertEquals(host.drivers.length, 1);
    await assertRejects(() => host.load(mockManifest), PluginLoadError, "already loaded");
  }));

Deno.test("PluginHost.load() rejects a plugin whose factory throws, or whose config is invalid", () =>
  withHost(async (host) => {
    const err = await assertRejects(
      () => host.load(misbehaving, { config: { factory: "throw" } }),
      PluginLoadError,
      "the factory refuses",
    );
    assertStringIncludes(err.message, `plugin "misbehaving"`);
    const bad = await assertRejects(
      () => host.load(mockManifest, { config: { fs_isolation: "bogus", color: "red" } }),
      PluginLoadError,
      "fs_isolation",
    );
    assert(bad.cause instanceof ConfigError, "the ConfigError is the cause");
    assertEquals(host.drivers.length, 0);
  }));

Deno.test("PluginHost.load() rejects an entry module that does not exist or exports no factory", () =>
  withHost(async (host) => {
    await assertRejects(
      () =>
        host.load({ ...misbehaving, entry: new URL("./testdata/nope.ts", import.meta.url).href }),
      PluginLoadError,
      "testdata/nope.ts does not exist",
    );
    await assertRejects(
      () => host.load({ ...misbehaving, name: "noexport", export: "createDriver" }),
      PluginLoadError,
      `"createDriver" export is not a driver factory`,
    );
  }));

Deno.test("a driver that throws rejects that call only", () =>
  withHost(async (host, root) => {
    const driver = await host.load(misbehaving);
    await assertRejects(
      async () => driver.startTask(await task(root, { behave: "throw" })),
      Error,
      "startTask blew up",
    );
    const ok = await task(root, { behave: "ok", run_ms: 10, exit_code: 4 });
    await driver.startTask(ok);
    assertEquals((await driver.waitTask(ok.ID, AbortSignal.timeout(5_000))).ExitCode, 4);
    assertEquals(driver.status.restarts, 0);
  }));

Deno.test("a hung driver call rejects after its deadline and the driver keeps serving", () =>
  withHost(async (host, root) => {
    const driver = await host.load(misbehaving);
    const started = Date.now();
    const err = await assertRejects(
      async () => driver.startTask(await task(root, { behave: "hang" })),
      PluginTimeoutError,
    );
    assert(Date.now() - started < 4_000, "the deadline is FAST.startMs");
    assertStringIncludes(err.message, "startTask()");
    const ok = await task(root, { behave: "ok", run_ms: 10 });
    await driver.startTask(ok);
    assertEquals((await driver.inspectTask(ok.ID)).ID, ok.ID);
    assertEquals(driver.status.restarts, 0);
  }));

Deno.test("a driver that crashes its Worker is reported unhealthy, restarted, and its tasks re-attached", () =>
  withHost(async (host, root, logs) => {
    const driver = await host.load(misbehaving);
    const survivor = await task(root, { behave: "ok", run_ms: 1_500, exit_code: 9 });
    await driver.startTask(survivor);
    const waiting = driver.waitTask(survivor.ID, AbortSignal.timeout(10_000));
    const health: Fingerprint[] = [];
    const ac = new AbortController();
    const watching = (async () => {
      for await (const fp of driver.fingerprint(ac.signal)) {
        if (health.at(-1)?.Health !== fp.Health) health.push(fp);
        if (health.length === 3) ac.abort();
      }
    })();
    await sleep(200);
    await assertRejects(
      async () => driver.startTask(await task(root, { behave: "crash" })),
      PluginCrashedError,
      "uncaught driver bug",
    );
    await watching;
    assertEquals(health.map((f) => f.Health), ["healthy", "unhealthy", "healthy"]);
    assertStringIncludes(health[1]?.HealthDescription ?? "", "uncaught driver bug");
    assertEquals(driver.status.restarts, 1);
    assertEquals((await waiting).ExitCode, 9, "waitTask carries on across the restart");
    assert(
      logs.some((l) => l.level === "warn" && l.message.includes("crashed")),
      "the crash is logged",
    );
  }));

for (const behave of ["exit", "spin"]) {
  Deno.test(`a driver whose Worker ${behave === "exit" ? "exits" : "blocks its event loop"} is detected and restarted`, () =>
    withHost(async (host, root) => {
      const driver = await host.load(misbehaving);
      await assertRejects(
        async () => driver.startTask(await task(root, { behave })),
        PluginCrashedError,
        "stopped answering",
      );
      for (let i = 0; i < 50 && !driver.status.running; i++) await sleep(50);
      assert(driver.status.running, "the Worker is back");
      const ok = await task(root, { behave: "ok", run_ms: 10 });
      await driver.startTask(ok);
      assertEquals((await driver.waitTask(ok.ID, AbortSignal.timeout(5_000))).ExitCode, 0);
    }));
}

Deno.test("a driver without the run permission cannot spawn a process (NotCapable)", () =>
  withHost(async (host, root) => {
    const driver = await host.load(misbehaving);
    const err = await assertRejects(
      async () => driver.startTask(await task(root, { behave: "spawn" })),
      Deno.errors.NotCapable,
    );
    assertStringIncludes(err.message, "run");
    assertEquals(driver.status.restarts, 0);
  }));

Deno.test("a stream sends ahead only a window of items until the consumer reads (backpressure)", () =>
  withHost(async (host) => {
    const driver = await host.load(misbehaving);
    const ac = new AbortController();
    const stream = driver.taskStats("any", 0, ac.signal)[Symbol.asyncIterator]();
    await stream.next();
    await sleep(500);
    const resumedAt = Date.now();
    const items = [];
    for (let i = 0; i < 40; i++) items.push((await stream.next()).value);
    ac.abort();
    assertEquals((await stream.next()).done, true, "the stream ends when its signal aborts");
    assert((items[0]?.Timestamp ?? Infinity) < resumedAt, "a window of items was made ahead");
    assert((items[39]?.Timestamp ?? 0) >= resumedAt, "the rest waited for the consumer");
  }));

Deno.test("PluginHost.close() stops every Worker and later calls reject", () =>
  withHost(async (host, root) => {
    const driver = await host.load(misbehaving);
    await host.close();
    await assertRejects(
      async () => driver.startTask(await task(root, { behave: "ok" })),
      PluginCrashedError,
      "unloaded",
    );
    await assertRejects(() => host.load(mockManifest), PluginLoadError, "closed");
  }));
