import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { ConfigError, type DriverConfig, type TaskConfig } from "../../plugins/sdk.ts";
import { capabilityDelta, memoryLimits } from "./_container.ts";
import { decodePluginConfig, decodeTaskConfig } from "./_config.ts";
import { parseImageRef } from "./_image.ts";
import { timestampNs } from "./_logs.ts";

const MB = 1024 * 1024;

Deno.test("memoryLimits() follows Nomad: memory_max and memory_hard_limit raise the limit, memory reserves", () => {
  assertEquals(memoryLimits(0, 256, 0), { memory: 256 * MB, reservation: 0 });
  assertEquals(memoryLimits(0, 256, 512), { memory: 512 * MB, reservation: 256 * MB });
  assertEquals(memoryLimits(1024, 256, 512), { memory: 1024 * MB, reservation: 256 * MB });
  assertEquals(memoryLimits(0, 256, -1), { memory: 0, reservation: 256 * MB });
});

Deno.test("capabilityDelta() drops what allow_caps leaves out of Docker's defaults and refuses caps it forbids", () => {
  const allow = ["CHOWN", "KILL", "NET_BIND_SERVICE"];
  const d = capabilityDelta(allow, ["cap_chown"], ["kill"]);
  assertEquals(d.add, ["CHOWN"]);
  assert(d.drop.includes("NET_RAW") && d.drop.includes("KILL") && !d.drop.includes("CHOWN"));
  assertThrows(() => capabilityDelta(allow, ["SYS_ADMIN"], []), ConfigError, "SYS_ADMIN");
  assertEquals(capabilityDelta(["ALL"], ["SYS_ADMIN"], []), { add: ["SYS_ADMIN"], drop: [] });
});

Deno.test("parseImageRef() defaults the tag to latest and keeps registry ports and digests", () => {
  assertEquals(parseImageRef("redis"), { repo: "redis", tag: "latest" });
  assertEquals(parseImageRef("redis:3.2"), { repo: "redis", tag: "3.2" });
  assertEquals(parseImageRef("reg:5000/team/app"), { repo: "reg:5000/team/app", tag: "latest" });
  assertEquals(parseImageRef("app@sha256:abc"), { repo: "app", tag: "sha256:abc" });
});

Deno.test("timestampNs() reads Docker's log timestamps to the nanosecond", () => {
  assertEquals(timestampNs("1970-01-01T00:00:01.000000002Z"), 1_000_000_002n);
  assertEquals(timestampNs("1970-01-01T00:00:01.5Z"), 1_500_000_000n);
  assertEquals(timestampNs("not a time"), -1n);
});

const task = (raw: Record<string, unknown>) =>
  ({ Name: "web", rawConfig: raw }) as unknown as TaskConfig;

Deno.test("decodeTaskConfig() lists every problem of a docker task config", () => {
  const err = assertThrows(
    () =>
      decodeTaskConfig(task({
        image: "redis",
        command: " redis-server",
        work_dir: "data",
        port_map: [{ db: "x" }],
        ulimit: [{ nofile: "lots" }],
        mount: [{ type: "nfs" }],
      })),
    ConfigError,
  );
  for (
    const text of [
      "command contains extra white space",
      '"work_dir" must be an absolute path',
      'port_map "db" must be a port number',
      'ulimit "nofile"',
      '"type" must be bind, volume or tmpfs',
      '"target" is required',
    ]
  ) assert(err.message.includes(text), `${err.message} should mention ${text}`);
  assertEquals(decodeTaskConfig(task({ image: "https://redis:3.2" })).image, "redis:3.2");
});

Deno.test("decodePluginConfig() takes Nomad's defaults, and the legacy client options without a plugin block", () => {
  const base = { name: "docker", paths: {}, logger: { log() {} } } as unknown as DriverConfig;
  const cfg = decodePluginConfig({ ...base, plugin: {}, options: {} });
  assertEquals([cfg.socketPath, cfg.gc.image, cfg.gc.image_delay, cfg.gc.container], [
    "/var/run/docker.sock",
    true,
    180e9,
    true,
  ]);
  assertEquals([cfg.volumes.enabled, cfg.allow_privileged, cfg.logging.type], [
    false,
    false,
    "json-file",
  ]);
  const legacy = decodePluginConfig({
    ...base,
    plugin: {},
    options: {
      "docker.volumes.enabled": "true",
      "docker.cleanup.image": "false",
      "docker.privileged.enabled": "1",
    },
  });
  assertEquals([legacy.volumes.enabled, legacy.gc.image, legacy.allow_privileged], [
    true,
    false,
    true,
  ]);
  assertThrows(
    () =>
      decodePluginConfig({ ...base, plugin: { endpoint: "tcp://127.0.0.1:2375" }, options: {} }),
    ConfigError,
    "must be a unix socket",
  );
});
