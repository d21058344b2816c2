import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { SECOND } from "../structs/mod.ts";
import { AGENT_FLAGS, type AgentFlagValues, commandLine } from "./flags.ts";

/** The values core/cli's parser gives when no flag is set. */
function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(AGENT_FLAGS)) {
    out[name] = def.type === "bool"
      ? false
      : def.type === "strings"
      ? []
      : def.type === "string"
      ? ""
      : 0;
  }
  return out;
}

function values(set: Record<string, unknown>): AgentFlagValues {
  return { ...defaults(), ...set } as unknown as AgentFlagValues;
}

Deno.test("commandLine() turns flags into the configuration merged over the files", () => {
  const cmd = commandLine(
    values({
      server: true,
      "bootstrap-expect": 3,
      "data-dir": "/data",
      bind: "10.0.0.1",
      region: "eu",
      dc: "fra1",
      node: "n1",
      "log-level": "WARN",
      "log-json": true,
      servers: "a:4647,b:4647",
      meta: ["rack=r1", "zone=a=b"],
      "retry-join": ["x"],
      "retry-interval": 5 * SECOND,
      "acl-enabled": true,
      config: ["a.hcl", "conf.d"],
    }),
    new Set(),
  );
  const c = cmd.config;
  assertEquals(cmd.configPaths, ["a.hcl", "conf.d"]);
  assertEquals([cmd.dev, cmd.bootstrapExpect], [false, 3]);
  assertEquals([c.Server.Enabled, c.Client.Enabled, c.Server.BootstrapExpect], [true, false, 3]);
  assertEquals([c.DataDir, c.BindAddr, c.Region, c.Datacenter, c.NodeName], [
    "/data",
    "10.0.0.1",
    "eu",
    "fra1",
    "n1",
  ]);
  assertEquals([c.LogLevel, c.LogJson, c.ACL.Enabled], ["WARN", true, true]);
  assertEquals(c.Client.Servers, ["a:4647", "b:4647"]);
  assertEquals(c.Client.Meta, { rack: "r1", zone: "a=b" });
  assertEquals([c.Server.ServerJoin.RetryJoin, c.Server.ServerJoin.RetryInterval], [
    ["x"],
    5 * SECOND,
  ]);
  assertEquals([c.Ports.HTTP, c.Region === "eu"], [0, true]);
});

Deno.test("commandLine() refuses a -meta value without '=' with Nomad's message", () => {
  assertThrows(
    () => commandLine(values({ meta: ["rack"] }), new Set()),
    RangeError,
    "Error parsing Client.Meta value: rack",
  );
});

Deno.test("commandLine() reports Consul and Vault flags as ignored; -dev-vault still means dev", () => {
  const cmd = commandLine(
    values({ "dev-vault": true, "consul-address": "x:8500" }),
    new Set(["dev-vault", "consul-address"]),
  );
  assertEquals(cmd.dev, true);
  assertEquals(cmd.ignored, ["-dev-vault", "-consul-address"]);
});
