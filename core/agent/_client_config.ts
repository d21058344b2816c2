/**
 * The client's configuration from the agent's (Nomad's `convertClientConfig`): identity and
 * placement (`name`, `datacenter`, `node_class`, `node_pool`, `meta`), `options`, the network
 * interface, reservations, host volumes and networks, the dynamic port range, the kill timeout
 * ceiling, the directories under `data_dir`, and the `plugin "<driver>" { config { ... } }`
 * blocks.
 *
 * @module
 */
import { join } from "node:path";
import type { ClientConfig } from "../client/client.ts";
import { parseDuration } from "../structs/duration.ts";
import type { Config } from "./config.ts";

/** The directories a client uses. */
export interface ClientDirs {
  /** The agent's data directory as the client sees it (its plugins live under it). */
  readonly dataDir: string;
  /** `client.state_dir`, default `<data_dir>/client`. */
  readonly stateDir: string;
  /** `client.alloc_dir`, default `<data_dir>/alloc`. */
  readonly allocDir: string;
}

/**
 * The client's directories: under `data_dir`, or under a new temporary directory with `-dev`
 * (as Nomad's `NomadClient*` directories) when no `data_dir` is set.
 */
export async function clientDirs(config: Config): Promise<ClientDirs> {
  const dataDir = config.DataDir !== ""
    ? config.DataDir
    : await Deno.makeTempDir({ prefix: "NomadClient" });
  return {
    dataDir,
    stateDir: config.Client.StateDir || join(dataDir, "client"),
    allocDir: config.Client.AllocDir || join(dataDir, "alloc"),
  };
}

/** The `config { ... }` of each `plugin "<name>"` block, by name (later blocks win). */
export function pluginConfigs(config: Config): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of config.Plugins ?? []) {
    const c = p.Config;
    const block = Array.isArray(c) ? c[0] : c;
    out[p.Name] = block !== null && typeof block === "object"
      ? { ...(out[p.Name] ?? {}), ...(block as Record<string, unknown>) }
      : out[p.Name] ?? {};
  }
  return out;
}

function nonZero<K extends string, V>(key: K, v: V): { [P in K]?: V } {
  return (v === 0 || v === "" || v === null || v === undefined ? {} : { [key]: v }) as {
    [P in K]?: V;
  };
}

/**
 * Builds the client's configuration.
 *
 * @throws {RangeError} naming `max_kill_timeout` when it is not a duration.
 * @example
 * ```ts
 * const cfg = clientConfig(devConfig(), dirs);
 * cfg.options?.["driver.raw_exec.enable"]; // "true"
 * ```
 */
export function clientConfig(config: Config, dirs: ClientDirs): ClientConfig {
  const c = config.Client;
  let maxKillTimeout: number | undefined;
  if (c.MaxKillTimeout !== "") {
    try {
      maxKillTimeout = parseDuration(c.MaxKillTimeout);
    } catch (err) {
      throw new RangeError(
        `Error parsing max kill timeout: ${(err as Error).message}; set client.max_kill_timeout ` +
          `to a duration such as "30s"`,
        { cause: err },
      );
    }
  }
  const r = c.Reserved;
  return {
    region: config.Region,
    ...nonZero("name", config.NodeName),
    datacenter: config.Datacenter,
    ...nonZero("nodeClass", c.NodeClass),
    nodePool: c.NodePool || "default",
    meta: { ...(c.Meta ?? {}) },
    options: { ...(c.Options ?? {}) },
    ...nonZero("networkInterface", c.NetworkInterface),
    ...nonZero("networkSpeed", c.NetworkSpeed),
    reserved: {
      cpu: r.CPU,
      cores: r.Cores,
      memory: r.MemoryMB,
      disk: r.DiskMB,
      reservedPorts: r.ReservedPorts,
    },
    ...nonZero("reservableCores", c.ReservableCores),
    ...nonZero("cpuTotalCompute", c.CpuCompute),
    ...nonZero("memoryTotalMB", c.MemoryMB),
    ...nonZero("diskTotalMB", c.DiskTotalMB),
    hostVolumes: (c.HostVolumes ?? []).map((v) => ({
      name: v.Name,
      path: v.Path,
      readOnly: v.ReadOnly,
    })),
    hostNetworks: (c.HostNetworks ?? []).map((n) => ({ ...n })),
    ...nonZero("minDynamicPort", c.MinDynamicPort),
    ...nonZero("maxDynamicPort", c.MaxDynamicPort),
    httpAddr: config.AdvertiseAddrs.HTTP,
    tlsEnabled: config.TLSConfig.EnableHTTP,
    ...nonZero("cgroupParent", c.CgroupParent),
    ...nonZero("nodeMaxAllocs", c.NodeMaxAllocs),
    ...(c.NomadServiceDiscovery === null ? {} : { nomadServiceDiscovery: c.NomadServiceDiscovery }),
    defaultIneligible: c.DefaultIneligible,
    ...(maxKillTimeout === undefined ? {} : { maxKillTimeout }),
    stateDir: dirs.stateDir,
    allocDir: dirs.allocDir,
    pluginConfigs: pluginConfigs(config),
  };
}
