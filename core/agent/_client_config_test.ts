// The client's configuration built from the agent's.
import { join } from "node:path";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { SECOND } from "../structs/duration.ts";
import { clientConfig, clientDirs, pluginConfigs } from "./_client_config.ts";
import { configuredServers } from "./_client_start.ts";
import { defaultConfig, devConfig } from "./config_defaults.ts";
import { parseConfig } from "./config_load.ts";
import { mergeConfig } from "./config_merge.ts";

const DIRS = { dataDir: "/data", stateDir: "/data/client", allocDir: "/data/alloc" };

Deno.test("clientConfig() of -dev enables raw_exec on the loopback interface", () => {
  const c = devConfig();
  c.AdvertiseAddrs.HTTP = "127.0.0.1:4646";
  const cfg = clientConfig(c, DIRS);
  assertEquals(cfg.options?.["driver.raw_exec.enable"], "true");
  assertEquals(cfg.networkInterface, Deno.build.os === "darwin" ? "lo0" : "lo");
  assertEquals([cfg.datacenter, cfg.nodePool, cfg.region], ["dc1", "default", "global"]);
  assertEquals([cfg.minDynamicPort, cfg.maxDynamicPort], [20000, 32000]);
  assertEquals([cfg.httpAddr, cfg.maxKillTimeout], ["127.0.0.1:4646", 30 * SECOND]);
  assertEquals([cfg.stateDir, cfg.allocDir], ["/data/client", "/data/alloc"]);
});

Deno.test("clientConfig() carries a configuration file's client and plugin blocks", async () => {
  const file = await parseConfig(
    `name = "web-1"
client {
  enabled = true
  node_class = "edge"
  node_pool = "prod"
  servers = ["10.0.0.1:4647"]
  meta { rack = "r1" }
  options = { "driver.raw_exec.enable" = "1" }
  reserved {
    cpu = 250
    memory = 128
    reserved_ports = "22"
  }
  host_volume "data" {
    path = "/srv/data"
    read_only = true
  }
  max_kill_timeout = "10s"
  server_join { retry_join = ["10.0.0.2:4647"] }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
`,
    "client.hcl",
  );
  const c = mergeConfig(defaultConfig(), file.config);
  const cfg = clientConfig(c, DIRS);
  assertEquals([cfg.name, cfg.nodeClass, cfg.nodePool], ["web-1", "edge", "prod"]);
  assertEquals(cfg.meta, { rack: "r1" });
  assertEquals(cfg.reserved, { cpu: 250, cores: "", memory: 128, disk: 0, reservedPorts: "22" });
  assertEquals(cfg.hostVolumes, [{ name: "data", path: "/srv/data", readOnly: true }]);
  assertEquals(cfg.maxKillTimeout, 10 * SECOND);
  assertEquals(cfg.pluginConfigs, { raw_exec: { enabled: true } });
  assertEquals(configuredServers(c), ["10.0.0.1:4647", "10.0.0.2:4647"]);
});

Deno.test("clientConfig() names max_kill_timeout when it is not a duration", () => {
  const c = defaultConfig();
  c.Client.MaxKillTimeout = "soon";
  const err = assertThrows(() => clientConfig(c, DIRS), RangeError);
  assertEquals(err.message.startsWith("Error parsing max kill timeout"), true);
});

Deno.test("pluginConfigs() merges repeated plugin blocks, later keys winning", () => {
  const c = defaultConfig();
  c.Plugins = [
    { Name: "raw_exec", Args: null, Config: { enabled: false, no_cgroups: true } },
    { Name: "raw_exec", Args: null, Config: [{ enabled: true }] },
    { Name: "mock_driver", Args: null, Config: null },
  ];
  assertEquals(pluginConfigs(c), {
    raw_exec: { enabled: true, no_cgroups: true },
    mock_driver: {},
  });
});

Deno.test("clientDirs() uses data_dir, or a new temporary directory with -dev", async () => {
  const c = defaultConfig();
  c.DataDir = "/opt/nomad";
  c.Client.AllocDir = "/srv/allocs";
  assertEquals(await clientDirs(c), {
    dataDir: "/opt/nomad",
    stateDir: join("/opt/nomad", "client"),
    allocDir: "/srv/allocs",
  });
  const dev = await clientDirs(devConfig());
  try {
    assertEquals((await Deno.stat(dev.dataDir)).isDirectory, true);
    assertEquals(dev.stateDir, join(dev.dataDir, "client"));
  } finally {
    await Deno.remove(dev.dataDir, { recursive: true });
  }
});
