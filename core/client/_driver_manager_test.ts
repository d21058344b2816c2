import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { mockManifest } from "../../drivers/mock/manifest.ts";
import { rawExecManifest } from "../../drivers/raw_exec/manifest.ts";
import type { PluginManifest } from "../../plugins/sdk.ts";
import { SILENT_CLIENT_LOGGER, SYSTEM_CLOCK } from "./_common.ts";
import {
  driverAllowed,
  DriverManager,
  DriverUnavailableError,
  staticDriverInfo,
} from "./_driver_manager.ts";

Deno.test("staticDriverInfo() enables by config key or client option, and defers other configs", () => {
  const fp = rawExecManifest.fingerprint;
  const on = staticDriverInfo(fp, {}, { "driver.raw_exec.enable": "1" }, 0)!;
  assertEquals([on.Detected, on.Healthy, on.HealthDescription], [true, true, "Healthy"]);
  assertEquals(on.Attributes, { "driver.raw_exec": "true" });
  assertEquals(staticDriverInfo(fp, { enabled: true }, {}, 0)?.Detected, true);
  const off = staticDriverInfo(fp, { enabled: false }, { "driver.raw_exec.enable": "nope" }, 0)!;
  assertEquals([off.Detected, off.Healthy, off.HealthDescription], [false, false, "disabled"]);
  assertEquals(off.Attributes, {});
  assertEquals(staticDriverInfo(fp, { enabled: true, no_cgroups: true }, {}, 0), undefined);
  assertEquals(staticDriverInfo(undefined, {}, {}, 0), undefined);
  assertEquals(staticDriverInfo(mockManifest.fingerprint, {}, {}, 0)?.Healthy, true);
});

async function withManager(
  manifests: Record<string, PluginManifest>,
  options: Record<string, string>,
  fn: (m: DriverManager) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "driver-manager-test-" });
  const m = await DriverManager.start({
    manifests,
    pluginConfigs: {},
    options,
    dataDir: `${root}/data`,
    allocDir: `${root}/alloc`,
    logger: SILENT_CLIENT_LOGGER,
    clock: SYSTEM_CLOCK,
    onChange: () => {},
  });
  try {
    await fn(m);
  } finally {
    await m.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("DriverManager starts a driver with a static fingerprint on its first task only", () =>
  withManager(
    { raw_exec: rawExecManifest, mock_driver: mockManifest },
    { "driver.raw_exec.enable": "true" },
    async (m) => {
      assertEquals(m.running(), [], "no Worker before a task needs one");
      assertEquals(m.infos().raw_exec?.Healthy, true);
      assertEquals(m.infos().mock_driver?.Healthy, true);
      const [a, b] = await Promise.all([m.forStart("raw_exec"), m.forStart("raw_exec")]);
      assertEquals(a, b, "concurrent first uses share one Worker");
      assertEquals(a.pluginInfo().Name, "raw_exec");
      assertEquals(m.running(), ["raw_exec"]);
      assertEquals(await m.loaded("raw_exec"), a);
      assertEquals(await m.loaded("nope"), undefined);
    },
  ));

Deno.test("DriverManager refuses a disabled lazy driver without starting its Worker", () =>
  withManager({ raw_exec: rawExecManifest }, {}, async (m) => {
    const err = await assertRejects(
      () => m.forStart("raw_exec"),
      DriverUnavailableError,
      'task driver "raw_exec" is not enabled on this node (disabled)',
    );
    assertEquals((err as DriverUnavailableError).recoverable, false);
    assertEquals(m.running(), []);
    await assertRejects(() => m.forStart("docker"), DriverUnavailableError, "no such driver");
  }));

Deno.test("driverAllowed() follows driver.allowlist and driver.denylist and their old names", () => {
  assertEquals(driverAllowed("docker", {}), true);
  assertEquals(driverAllowed("docker", { "driver.denylist": "raw_exec, docker" }), false);
  assertEquals(driverAllowed("docker", { "driver.blacklist": "docker" }), false);
  assertEquals(driverAllowed("docker", { "driver.allowlist": "raw_exec" }), false);
  assertEquals(driverAllowed("raw_exec", { "driver.whitelist": " raw_exec ,exec" }), true);
  assertEquals(
    driverAllowed("raw_exec", { "driver.allowlist": "raw_exec", "driver.denylist": "raw_exec" }),
    false,
  );
});

Deno.test("DriverManager leaves a denied driver out of the node", () =>
  withManager(
    { raw_exec: rawExecManifest, mock_driver: mockManifest },
    { "driver.denylist": "mock_driver" },
    async (m) => {
      assertEquals(Object.keys(m.infos()), ["raw_exec"]);
      await assertRejects(
        () => m.forStart("mock_driver"),
        DriverUnavailableError,
        "no such driver",
      );
    },
  ));
