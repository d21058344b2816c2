import { assertEquals } from "../../tests/assert.ts";
import { SECOND } from "../structs/mod.ts";
import { defaultConfig, devConfig } from "./config_defaults.ts";
import { parseConfig } from "./config_load.ts";
import { mergeConfig } from "./config_merge.ts";

async function parse(src: string) {
  return (await parseConfig(src, "x.hcl")).config;
}

Deno.test("mergeConfig() lets the later file win where it sets something", async () => {
  const a = await parse('region = "a"\ndatacenter = "dc-a"\nports {\n  http = 1\n  rpc = 2\n}\n');
  const b = await parse('region = "b"\nports {\n  http = 10\n}\n');
  const m = mergeConfig(a, b);
  assertEquals([m.Region, m.Datacenter], ["b", "dc-a"]);
  assertEquals(m.Ports, { HTTP: 10, RPC: 2, Serf: 0 });
});

Deno.test("mergeConfig() cannot undo a true or a number with false or zero, as Nomad", async () => {
  const a = await parse("server {\n  enabled = true\n  bootstrap_expect = 3\n}\n");
  const b = await parse("server {\n  enabled = false\n  bootstrap_expect = 0\n}\n");
  const m = mergeConfig(a, b);
  assertEquals([m.Server.Enabled, m.Server.BootstrapExpect], [true, 3]);
});

Deno.test("mergeConfig() merges maps and labeled blocks, appends servers, replaces retry_join", async () => {
  const a = await parse(
    'client {\n  servers = ["s1"]\n  meta {\n    a = "1"\n    b = "1"\n  }\n}\n' +
      'server {\n  server_join {\n    retry_join = ["x", "y"]\n  }\n}\n' +
      'plugin "docker" {\n  args = ["-a"]\n}\nplugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}\n',
  );
  const b = await parse(
    'client {\n  servers = ["s2"]\n  meta {\n    b = "2"\n  }\n}\n' +
      'server {\n  server_join {\n    retry_join = ["z"]\n  }\n}\n' +
      'plugin "docker" {\n  config {\n    x = 1\n  }\n}\n',
  );
  const m = mergeConfig(a, b);
  assertEquals(m.Client.Servers, ["s1", "s2"]);
  assertEquals(m.Client.Meta, { a: "1", b: "2" });
  assertEquals(m.Server.ServerJoin.RetryJoin, ["z"]);
  assertEquals(m.Plugins, [
    { Name: "docker", Args: ["-a"], Config: { x: 1 } },
    { Name: "raw_exec", Args: null, Config: { enabled: true } },
  ]);
});

Deno.test("mergeConfig() leaves its arguments unchanged", async () => {
  const base = defaultConfig();
  const before = structuredClone(base);
  mergeConfig(base, await parse('region = "eu"\nclient {\n  meta {\n    a = "1"\n  }\n}\n'));
  assertEquals(base, before);
});

Deno.test("defaultConfig() and devConfig() carry Nomad's defaults", () => {
  const d = defaultConfig();
  assertEquals([d.Region, d.Datacenter, d.BindAddr, d.LogLevel], [
    "global",
    "dc1",
    "0.0.0.0",
    "INFO",
  ]);
  assertEquals(d.Ports, { HTTP: 4646, RPC: 4647, Serf: 4648 });
  assertEquals([d.Server.Enabled, d.Client.Enabled, d.DevMode], [false, false, false]);
  assertEquals([d.Client.MinDynamicPort, d.Client.MaxDynamicPort], [20000, 32000]);
  assertEquals(d.Server.ServerJoin.RetryInterval, 30 * SECOND);
  const dev = devConfig();
  assertEquals([dev.BindAddr, dev.LogLevel, dev.DevMode], ["127.0.0.1", "DEBUG", true]);
  assertEquals([dev.Server.Enabled, dev.Client.Enabled, dev.Server.BootstrapExpect], [
    true,
    true,
    1,
  ]);
  assertEquals(dev.Client.Options?.["driver.raw_exec.enable"], "true");
  assertEquals([dev.ACL.Enabled, dev.TLSConfig.EnableHTTP, dev.Telemetry.PrometheusMetrics], [
    false,
    false,
    true,
  ]);
});
