/**
 * What `GET /v1/agent/self` shows about the agent: its configuration in Nomad's JSON shape
 * (Go field names, secrets redacted), its runtime statistics, and the server's and the
 * client's sections.
 *
 * @module
 */
import type { AgentInfo } from "../http/api.ts";
import type { Config } from "./config.ts";

const REDACTED = "<redacted>";

/** Version information as Nomad's `version.VersionInfo` marshals it. */
export interface VersionInfo {
  Revision: string;
  Version: string;
  VersionMetadata: string;
  VersionPrerelease: string;
}

/**
 * The configuration as `/v1/agent/self` shows it under `config`: the gossip key left out, the
 * ACL replication token and Circonus token redacted, the raw Consul and Vault blocks (which may
 * hold tokens) left out.
 */
export function selfConfig(config: Config, version: VersionInfo): Record<string, unknown> {
  const c = structuredClone(config) as unknown as Record<string, unknown>;
  const server = c.Server as Record<string, unknown>;
  delete server.EncryptKey;
  const acl = c.ACL as Record<string, unknown>;
  if (acl.ReplicationToken !== "") acl.ReplicationToken = REDACTED;
  const telemetry = c.Telemetry as Record<string, unknown>;
  if (telemetry.CirconusAPIToken !== "") telemetry.CirconusAPIToken = REDACTED;
  delete c.Consul;
  delete c.Vault;
  c.Version = version;
  return c;
}

/** Runtime statistics by subsystem, every value a string, as Nomad's `stats`. */
export function runtimeStats(): Record<string, string> {
  return {
    arch: Deno.build.arch === "x86_64" ? "amd64" : Deno.build.arch,
    cpu_count: String(navigator.hardwareConcurrency || 1),
    "kernel.name": Deno.build.os,
    max_procs: String(navigator.hardwareConcurrency || 1),
    version: `deno${Deno.version.deno}`,
  };
}

/** What the agent info needs of the client (the running `Client`). */
export interface ClientStats {
  readonly nodeId: string;
  servers(): string[];
  setServers(addresses: readonly string[]): void;
  readonly allocRunners: ReadonlyMap<string, unknown>;
}

/** What the agent info needs of the server. */
export interface ServerStats {
  leader(): string;
}

/** Options of {@link agentInfo}. */
export interface AgentInfoParts {
  readonly config: Config;
  readonly version: VersionInfo;
  readonly server: ServerStats | null;
  readonly client: ClientStats | null;
  /**
   * Maps the addresses of `PUT /v1/agent/servers` to what the client dials (a client-only
   * agent reaches its servers' HTTP APIs); default: as given.
   */
  readonly resolveServers?: (addresses: readonly string[]) => Promise<string[]>;
}

/**
 * What `/v1/agent/*` shows about this agent, as Nomad's `Agent.Stats()`: the server's `nomad`
 * section on a server, the client's `client` section (`node_id`, `known_servers`,
 * `num_allocations`) on a client, `runtime` on both.
 */
export function agentInfo(parts: AgentInfoParts): AgentInfo {
  const { config, server, client } = parts;
  return {
    config: () => selfConfig(config, parts.version),
    stats: () => ({
      agent: {},
      runtime: runtimeStats(),
      ...(server === null ? {} : {
        nomad: {
          server: "true",
          leader: "true",
          leader_addr: server.leader(),
          bootstrap: String(config.Server.BootstrapExpect === 1),
          known_regions: "1",
        },
      }),
      ...(client === null ? {} : {
        client: {
          node_id: client.nodeId,
          known_servers: client.servers().join(","),
          num_allocations: String(client.allocRunners.size),
        },
      }),
    }),
    client: client === null ? null : {
      servers: () => client.servers(),
      setServers: async (addresses) => {
        const resolved = parts.resolveServers ? await parts.resolveServers(addresses) : addresses;
        client.setServers(resolved);
      },
    },
    prometheusMetrics: config.Telemetry.PrometheusMetrics,
  };
}
