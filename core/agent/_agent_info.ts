/**
 * What `GET /v1/agent/self` shows about the agent: its configuration in Nomad's JSON shape
 * (Go field names, secrets redacted) and its runtime statistics.
 *
 * @module
 */
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
