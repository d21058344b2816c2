/**
 * The agent configurations of the seed articles (tests/fixtures/seeds) load as Nomad loads them.
 */
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { defaultConfig } from "./config_defaults.ts";
import { ConfigError, loadConfigPath } from "./config_load.ts";
import { mergeConfig } from "./config_merge.ts";
import { normalizeAddrs, validateConfig } from "./config_normalize.ts";
import type { SockaddrEnv } from "./sockaddr.ts";

const SEEDS = new URL("../../tests/fixtures/seeds/", import.meta.url).pathname;
const WORKSHOP = "/home/user/nomad-workshop";

const LINUX: SockaddrEnv = {
  interfaces: [
    { name: "lo", address: "127.0.0.1", family: "IPv4", cidr: "127.0.0.1/8" },
    { name: "eth0", address: "10.1.2.3", family: "IPv4", cidr: "10.1.2.3/16" },
  ],
  defaultInterface: "eth0",
};

const WINDOWS: SockaddrEnv = {
  interfaces: [
    { name: "Network 1", address: "192.168.56.10", family: "IPv4", cidr: "192.168.56.10/24" },
    { name: "Network 2", address: "10.0.2.15", family: "IPv4", cidr: "10.0.2.15/24" },
  ],
  defaultInterface: "Network 2",
};

Deno.test("seed 004's server configuration loads, resolves and passes validation", async () => {
  const { config, warnings } = await loadConfigPath(`${SEEDS}004_server.hcl`);
  assertEquals(warnings, []);
  assertEquals(config.Files, [`${SEEDS}004_server.hcl`]);
  assertEquals([config.DataDir, config.BindAddr], [`${WORKSHOP}/local-nomad-data`, "127.0.0.1"]);
  assertEquals([config.Server.Enabled, config.Server.BootstrapExpect], [true, 1]);
  assertEquals(config.AdvertiseAddrs, { HTTP: "127.0.0.1", RPC: "127.0.0.1", Serf: "127.0.0.1" });
  const { config: c, bind } = await normalizeAddrs(mergeConfig(defaultConfig(), config), LINUX);
  assertEquals(bind, { HTTP: ["127.0.0.1:4646"], RPC: "127.0.0.1:4647", Serf: "127.0.0.1:4648" });
  assertEquals(c.AdvertiseAddrs, {
    HTTP: "127.0.0.1:4646",
    RPC: "127.0.0.1:4647",
    Serf: "127.0.0.1:4648",
  });
  assertEquals(validateConfig(c).map((f) => [f.text, f.fatal]), [
    ["WARNING: mTLS is not configured - Nomad is not secure without mTLS!", false],
    ["WARNING: Bootstrap mode enabled! Potentially unsafe operation.", false],
  ]);
});

Deno.test("seed 004's three client configurations load with their ports and servers", async () => {
  for (const [i, http] of [[1, 5641], [2, 5644], [3, 5647]] as const) {
    const { config, warnings } = await loadConfigPath(`${SEEDS}004_client_${i}.hcl`);
    assertEquals(warnings, []);
    assertEquals(config.DataDir, `${WORKSHOP}/local-cluster-data-${i}`);
    assertEquals(config.Ports, { HTTP: http, RPC: http + 1, Serf: http + 2 });
    assertEquals([config.Client.Enabled, config.Client.Servers], [true, ["127.0.0.1:4647"]]);
    assertEquals(config.Server.Enabled, false);
    const { config: c, bind } = await normalizeAddrs(mergeConfig(defaultConfig(), config), LINUX);
    assertEquals(bind.HTTP, [`127.0.0.1:${http}`]);
    assertEquals(c.AdvertiseAddrs.HTTP, `127.0.0.1:${http}`);
    assert(validateConfig(c).every((f) => !f.fatal), JSON.stringify(validateConfig(c)));
  }
});

Deno.test("seed 000's Windows configuration loads with its templates, options and meta", async () => {
  const { config, warnings } = await loadConfigPath(`${SEEDS}000_windows_agent.hcl`);
  assertEquals([config.Datacenter, config.DataDir, config.BindAddr], [
    "dc1",
    "C:\\hashicorp\\nomad\\data",
    "0.0.0.0",
  ]);
  assertEquals(config.AdvertiseAddrs, {
    HTTP: "",
    RPC: '{{ GetInterfaceIP "Network 1" }}',
    Serf: '{{ GetInterfaceIP "Network 1" }}',
  });
  assertEquals([config.Server.Enabled, config.Server.BootstrapExpect], [true, 1]);
  assertEquals([config.Client.Enabled, config.Client.NetworkInterface], [true, "Network 2"]);
  assertEquals(config.Client.Meta, { purpose: "test,sample", subject: "server1" });
  assertEquals(config.Client.Options, { "driver.raw_exec.enable": "1" });
  assertEquals(config.Server.ServerJoin.RetryJoin, null);
  assertEquals(warnings.length, 1);
  assert(
    warnings[0]!.includes(
      "000_windows_agent.hcl:28:1: a server_join block at the top level is ignored",
    ),
  );
});

Deno.test("seed 000's Windows configuration names the interface this machine does not have", async () => {
  const { config } = await loadConfigPath(`${SEEDS}000_windows_agent.hcl`);
  const err = await assertRejects(
    () => normalizeAddrs(mergeConfig(defaultConfig(), config), LINUX),
    ConfigError,
  );
  assertEquals(
    err.message,
    "Failed to parse RPC advertise address: Error parsing advertise address template: unable to parse " +
      'address template "{{ GetInterfaceIP "Network 1" }}": no network interface named "Network 1" on ' +
      "this machine (interfaces: lo, eth0)",
  );
});

Deno.test("seed 000's Windows configuration resolves on a machine with its interfaces", async () => {
  const { config } = await loadConfigPath(`${SEEDS}000_windows_agent.hcl`);
  const { config: c, bind } = await normalizeAddrs(mergeConfig(defaultConfig(), config), WINDOWS);
  assertEquals(bind.HTTP, ["0.0.0.0:4646"]);
  assertEquals(c.AdvertiseAddrs, {
    HTTP: "10.0.2.15:4646",
    RPC: "192.168.56.10:4647",
    Serf: "192.168.56.10:4648",
  });
  assertEquals(c.Client.NetworkInterface, "Network 2");
});
