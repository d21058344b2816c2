/**
 * The command-line flags of `nomad-ts agent`, as Nomad declares them, and the configuration
 * they stand for: the command line parses them (Go-style), this module turns the values into a
 * configuration that is merged over the files, so flags win.
 *
 * Flags for Consul and Vault are accepted, so existing scripts keep working, and reported as
 * ignored.
 *
 * @module
 */
import type { Config } from "./config.ts";
import { emptyConfig } from "./config_defaults.ts";

const BOOL = { type: "bool" } as const;
const STRING = { type: "string" } as const;
const INT = { type: "int" } as const;
const DURATION = { type: "duration" } as const;
const STRINGS = { type: "strings" } as const;

/** Consul and Vault flags: accepted and ignored. */
const IGNORED_FLAGS = {
  "dev-connect": BOOL,
  "dev-consul": BOOL,
  "dev-vault": BOOL,
  "consul-auth": STRING,
  "consul-auto-advertise": BOOL,
  "consul-ca-file": STRING,
  "consul-cert-file": STRING,
  "consul-key-file": STRING,
  "consul-checks-use-advertise": BOOL,
  "consul-client-auto-join": BOOL,
  "consul-client-service-name": STRING,
  "consul-client-http-check-name": STRING,
  "consul-client-failures-before-critical": INT,
  "consul-client-failures-before-warning": INT,
  "consul-server-service-name": STRING,
  "consul-server-http-check-name": STRING,
  "consul-server-serf-check-name": STRING,
  "consul-server-rpc-check-name": STRING,
  "consul-server-failures-before-critical": INT,
  "consul-server-failures-before-warning": INT,
  "consul-server-auto-join": BOOL,
  "consul-ssl": BOOL,
  "consul-token": STRING,
  "consul-verify-ssl": BOOL,
  "consul-address": STRING,
  "vault-enabled": BOOL,
  "vault-address": STRING,
  "vault-namespace": STRING,
  "vault-create-from-role": STRING,
  "vault-ca-file": STRING,
  "vault-ca-path": STRING,
  "vault-cert-file": STRING,
  "vault-key-file": STRING,
  "vault-tls-skip-verify": BOOL,
  "vault-tls-server-name": STRING,
  "eventlog": BOOL,
  "eventlog-level": STRING,
} as const;

/** Every flag of `agent`, by name without the dash, in the shape core/cli's parser takes. */
export const AGENT_FLAGS = {
  dev: BOOL,
  server: BOOL,
  client: BOOL,
  "bootstrap-expect": INT,
  encrypt: STRING,
  "raft-protocol": INT,
  rejoin: BOOL,
  join: STRINGS,
  "retry-join": STRINGS,
  "retry-max": INT,
  "retry-interval": DURATION,
  "state-dir": STRING,
  "alloc-dir": STRING,
  "alloc-mounts-dir": STRING,
  "host-volumes-dir": STRING,
  "host-volume-plugin-dir": STRING,
  "node-class": STRING,
  "node-pool": STRING,
  servers: STRING,
  meta: STRINGS,
  "network-interface": STRING,
  "preferred-address-family": STRING,
  "network-speed": INT,
  "client-intro-token": STRING,
  config: STRINGS,
  bind: STRING,
  region: STRING,
  "data-dir": STRING,
  "plugin-dir": STRING,
  dc: STRING,
  "log-level": STRING,
  "log-json": BOOL,
  "log-include-location": BOOL,
  node: STRING,
  "acl-enabled": BOOL,
  "acl-replication-token": STRING,
  ...IGNORED_FLAGS,
} as const;

type FlagType<D> = D extends { type: "bool" } ? boolean
  : D extends { type: "strings" } ? string[]
  : D extends { type: "string" } ? string
  : number;

/** The parsed values of {@link AGENT_FLAGS} (every flag present, defaults filled in). */
export type AgentFlagValues = {
  readonly [K in keyof typeof AGENT_FLAGS]: FlagType<(typeof AGENT_FLAGS)[K]>;
};

/** What the command line asks for. */
export interface CommandLine {
  /** `-dev`: start from the development configuration. */
  readonly dev: boolean;
  /** `-config` paths, in order. */
  readonly configPaths: readonly string[];
  /** The configuration the flags set, merged last. */
  readonly config: Config;
  /** `-bootstrap-expect` (Nomad checks it against server mode separately). */
  readonly bootstrapExpect: number;
  /** Flags that are accepted but do nothing in nomad-ts. */
  readonly ignored: readonly string[];
}

/**
 * Turns parsed flag values into the command line's configuration.
 *
 * @param set The names of the flags given on the command line.
 * @throws {RangeError} for a `-meta` value that is not `key=value`, with Nomad's message.
 */
export function commandLine(values: AgentFlagValues, set: ReadonlySet<string>): CommandLine {
  const c = emptyConfig();
  const v = values;
  c.Server.Enabled = v.server;
  c.Client.Enabled = v.client;
  c.Server.BootstrapExpect = v["bootstrap-expect"];
  c.Server.EncryptKey = v.encrypt;
  c.Server.RaftProtocol = v["raft-protocol"];
  c.Server.RejoinAfterLeave = v.rejoin;
  c.Server.ServerJoin.StartJoin = v.join.length > 0 ? [...v.join] : null;
  c.Server.ServerJoin.RetryJoin = v["retry-join"].length > 0 ? [...v["retry-join"]] : null;
  c.Server.ServerJoin.RetryMaxAttempts = v["retry-max"];
  c.Server.ServerJoin.RetryInterval = v["retry-interval"];
  Object.assign(c.Client, {
    StateDir: v["state-dir"],
    AllocDir: v["alloc-dir"],
    AllocMountsDir: v["alloc-mounts-dir"],
    HostVolumesDir: v["host-volumes-dir"],
    HostVolumePluginDir: v["host-volume-plugin-dir"],
    NodeClass: v["node-class"],
    NodePool: v["node-pool"],
    NetworkInterface: v["network-interface"],
    PreferredAddressFamily: v["preferred-address-family"],
    NetworkSpeed: v["network-speed"],
  });
  if (v.servers !== "") c.Client.Servers = v.servers.split(",");
  if (v.meta.length > 0) {
    const meta: Record<string, string> = {};
    for (const kv of v.meta) {
      const i = kv.indexOf("=");
      if (i === -1) throw new RangeError(`Error parsing Client.Meta value: ${kv}`);
      meta[kv.slice(0, i)] = kv.slice(i + 1);
    }
    c.Client.Meta = meta;
  }
  Object.assign(c, {
    BindAddr: v.bind,
    Region: v.region,
    DataDir: v["data-dir"],
    PluginDir: v["plugin-dir"],
    Datacenter: v.dc,
    LogLevel: v["log-level"],
    LogJson: v["log-json"],
    LogIncludeLocation: v["log-include-location"],
    NodeName: v.node,
  });
  c.ACL.Enabled = v["acl-enabled"];
  c.ACL.ReplicationToken = v["acl-replication-token"];
  const ignored = Object.keys(IGNORED_FLAGS).filter((name) => set.has(name)).map((n) => `-${n}`);
  return {
    dev: v.dev || v["dev-connect"] || v["dev-consul"] || v["dev-vault"],
    configPaths: [...v.config],
    config: c,
    bootstrapExpect: v["bootstrap-expect"],
    ignored,
  };
}
