/**
 * The configurations every agent starts from: Nomad's defaults, and the `-dev` overlay (one
 * process that is server and client, bound to loopback, state in memory, DEBUG logs, raw_exec
 * enabled, Prometheus metrics on, ACL and TLS off).
 *
 * @module
 */
import { MINUTE, SECOND, zero } from "../structs/mod.ts";
import { type Config, ConfigSpec } from "./config.ts";

/** The log levels `log_level` accepts, as Nomad lists them. */
export const LOG_LEVELS: readonly string[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"];

/** An empty configuration: every field at its zero value (what an empty file decodes to). */
export function emptyConfig(): Config {
  return zero(ConfigSpec);
}

/**
 * Nomad's baseline configuration, before files and flags.
 *
 * @example
 * ```ts
 * defaultConfig().Ports; // { HTTP: 4646, RPC: 4647, Serf: 4648 }
 * ```
 */
export function defaultConfig(): Config {
  const c = emptyConfig();
  c.LogLevel = "INFO";
  c.Region = "global";
  c.Datacenter = "dc1";
  c.BindAddr = "0.0.0.0";
  c.Ports = { HTTP: 4646, RPC: 4647, Serf: 4648 };
  c.SyslogFacility = "LOCAL0";
  c.DisableUpdateCheck = false;
  c.UI.Enabled = true;
  Object.assign(c.Client, {
    NodePool: "default",
    MaxKillTimeout: "30s",
    ClientMinPort: 14000,
    ClientMaxPort: 14512,
    MinDynamicPort: 20000,
    MaxDynamicPort: 32000,
    GCInterval: MINUTE,
    GCParallelDestroys: 2,
    GCDiskUsageThreshold: 80,
    GCInodeUsageThreshold: 70,
    GCMaxAllocs: 50,
    NoHostUUID: true,
    BindWildcardDefaultHostNetwork: true,
    CNIPath: "/opt/cni/bin",
    CNIConfigDir: "/opt/cni/config",
    NomadServiceDiscovery: true,
  });
  c.Client.ServerJoin = {
    StartJoin: null,
    RetryJoin: [],
    RetryMaxAttempts: 0,
    RetryInterval: 30 * SECOND,
  };
  Object.assign(c.Server, {
    EnableEventBroker: true,
    EventBufferSize: 100,
    RaftProtocol: 3,
    StartJoin: [],
    JobMaxSourceSize: "1M",
    JobTrackedVersions: 6,
  });
  c.Server.ServerJoin = {
    StartJoin: null,
    RetryJoin: [],
    RetryMaxAttempts: 0,
    RetryInterval: 30 * SECOND,
  };
  Object.assign(c.ACL, { TokenTTL: 30 * SECOND, PolicyTTL: 30 * SECOND, RoleTTL: 30 * SECOND });
  Object.assign(c.Telemetry, {
    InMemoryCollectionInterval: "10s",
    InMemoryRetentionPeriod: "1m",
    CollectionInterval: "1s",
    DisableAllocationHookMetrics: false,
  });
  return c;
}

/**
 * The `-dev` configuration: {@link defaultConfig} with Nomad's development settings.
 *
 * @example
 * ```ts
 * const c = devConfig();
 * c.BindAddr; // "127.0.0.1"
 * c.Server.BootstrapExpect; // 1
 * ```
 */
export function devConfig(): Config {
  const c = defaultConfig();
  c.BindAddr = "127.0.0.1";
  c.LogLevel = "DEBUG";
  c.DevMode = true;
  c.EnableDebug = true;
  c.DisableAnonymousSignature = true;
  c.Server.Enabled = true;
  c.Server.BootstrapExpect = 1;
  Object.assign(c.Client, {
    Enabled: true,
    NetworkInterface: Deno.build.os === "darwin"
      ? "lo0"
      : Deno.build.os === "windows"
      ? "Loopback Pseudo-Interface 1"
      : "lo",
    Options: { "driver.docker.volumes": "true", "driver.raw_exec.enable": "true" },
    GCInterval: 10 * MINUTE,
    GCDiskUsageThreshold: 99,
    GCInodeUsageThreshold: 99,
    GCMaxAllocs: 50,
    NomadServiceDiscovery: true,
    ReservableCores: "",
  });
  Object.assign(c.Telemetry, {
    PrometheusMetrics: true,
    PublishAllocationMetrics: true,
    PublishNodeMetrics: true,
    IncludeAllocMetadataInMetrics: true,
    AllowedMetadataKeysInMetrics: [],
  });
  return c;
}
