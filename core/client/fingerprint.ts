/**
 * Fingerprinting: the {@linkcode Node} a client registers, built as Nomad's client builds it —
 * identity and placement fields from the configuration, attributes from the host (`kernel.*`,
 * `os.*`, `cpu.*`, `memory.totalbytes`, `unique.*`, `nomad.*`, `driver.*`), resources (CPU in
 * MHz, memory, disk, host networks), the operator's reservations, meta, drivers and host
 * volumes.
 *
 * `nomad.version` is a Nomad version ({@linkcode NOMAD_COMPAT_VERSION}), because job
 * constraints in the wild target Nomad's versions; `nomad.ts.version` is nomad-ts's own.
 *
 * The host is read through a {@linkcode HostProbe} (default {@linkcode systemProbe}: Deno APIs
 * and `/proc`, `/sys`, `/etc` files, no process spawned), so tests can describe any machine.
 * One call reads a few dozen small files: well under 50 ms.
 *
 * @example
 * ```ts
 * const node = fingerprintNode({ nodeId, secretId, dataDir: "/opt/nomad/data", httpAddr: "10.0.0.5:4646" });
 * node.Attributes!["cpu.numcores"]; // "8"
 * ```
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };
import { zero } from "../structs/schema.ts";
import {
  type DriverInfo,
  type Node,
  NodeReservedResourcesSpec,
  NodeResourcesSpec,
  NodeSpec,
} from "../structs/node.ts";
import type { Fingerprint } from "../../plugins/sdk.ts";
import { fingerprintCpu } from "./_fingerprint_cpu.ts";
import { fingerprintStorage, hostAttributes } from "./_fingerprint_host.ts";
import { fingerprintNetwork, type HostNetworkConfig } from "./_fingerprint_network.ts";
import { parseIdSet } from "./_idset.ts";
import { rfc3339 } from "./events.ts";
import { type HostProbe, systemProbe } from "./fingerprint_probe.ts";

export type { HostNetworkConfig } from "./_fingerprint_network.ts";
export { cidrContains, defaultRouteInterface } from "./_fingerprint_network.ts";
export { goArch, SIGNALS } from "./_fingerprint_host.ts";

/** The Nomad version nomad-ts reports as `nomad.version`. */
export const NOMAD_COMPAT_VERSION = "2.0.6";

/** `client { reserved { ... } }`. */
export interface ReservedConfig {
  /** MHz. */
  cpu?: number;
  /** Core IDs tasks may not use (`"0-1,3"`). */
  cores?: string;
  /** MB. */
  memory?: number;
  /** MB. */
  disk?: number;
  /** Host ports (`"22,80,8000-8100"`). */
  reservedPorts?: string;
}

/** `client { host_volume "name" { ... } }`. */
export interface HostVolumeConfig {
  /** The volume's name. */
  name: string;
  /** Its path on the host; it must exist. */
  path: string;
  /** Mounted read-only. */
  readOnly?: boolean;
}

/** What the fingerprinter needs of the agent's configuration. */
export interface ClientFingerprintConfig {
  /** The node's ID (persisted by the client). */
  nodeId: string;
  /** The node's secret ID (persisted by the client). */
  secretId: string;
  /** `name`; default the host name. */
  name?: string;
  /** `datacenter`; default `dc1`. */
  datacenter?: string;
  /** `client.node_class`. */
  nodeClass?: string;
  /** `client.node_pool`; default `default`. */
  nodePool?: string;
  /** The directory whose file system the disk fingerprint measures (the client's alloc dir). */
  dataDir: string;
  /** `client.network_interface`; default the interface of the default route (`lo` for -dev). */
  networkInterface?: string;
  /** `client.network_speed` in Mbit/s. */
  networkSpeed?: number;
  /** `client.meta`. */
  meta?: Record<string, string>;
  /** `client.options`. */
  options?: Record<string, string>;
  /** `client.reserved`. */
  reserved?: ReservedConfig;
  /** `client.reservable_cores`. */
  reservableCores?: string;
  /** `client.cpu_total_compute` in MHz. */
  cpuTotalCompute?: number;
  /** `client.memory_total_mb`. */
  memoryTotalMB?: number;
  /** `client.disk_total_mb`. */
  diskTotalMB?: number;
  /** `client.host_volume` blocks. */
  hostVolumes?: readonly HostVolumeConfig[];
  /** `client.host_network` blocks. */
  hostNetworks?: readonly HostNetworkConfig[];
  /** `client.min_dynamic_port`; default 20000. */
  minDynamicPort?: number;
  /** `client.max_dynamic_port`; default 32000. */
  maxDynamicPort?: number;
  /** The advertised HTTP address, `host:port`. */
  httpAddr: string;
  /** Whether the HTTP API uses TLS. */
  tlsEnabled?: boolean;
  /** `client.cgroup_parent`. */
  cgroupParent?: string;
  /** `client.node_max_allocs`. */
  nodeMaxAllocs?: number;
  /** `client.nomad_service_discovery`; default true. */
  nomadServiceDiscovery?: boolean;
  /** `client.default_ineligible`. */
  defaultIneligible?: boolean;
  /** Drivers by name, as fingerprinted (see {@linkcode driverInfoFromFingerprint}). */
  drivers?: Record<string, DriverInfo>;
  /** Versions to report; default {@linkcode NOMAD_COMPAT_VERSION} and deno.json's version. */
  version?: { nomad?: string; nomadTs?: string; revision?: string };
}

/** Connect meta Nomad's client sets on every node unless the operator set it. */
export const DEFAULT_CONNECT_META: Readonly<Record<string, string>> = {
  "connect.sidecar_image": "docker.io/envoyproxy/envoy:v${NOMAD_envoy_version}",
  "connect.gateway_image": "docker.io/envoyproxy/envoy:v${NOMAD_envoy_version}",
  "connect.log_level": "info",
  "connect.proxy_concurrency": "1",
  "connect.transparent_proxy.default_uid": "101",
  "connect.transparent_proxy.default_outbound_port": "15001",
};

function attrValue(v: string | number | boolean): string {
  return typeof v === "string" ? v : String(v);
}

/**
 * A driver's fingerprint as the node's `DriverInfo`: detected unless `undetected`, healthy only
 * when `healthy`, attributes as strings.
 *
 * @param now Unix milliseconds; default now.
 */
export function driverInfoFromFingerprint(fp: Fingerprint, now: number = Date.now()): DriverInfo {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(fp.Attributes)) attrs[k] = attrValue(v);
  return {
    Attributes: attrs,
    Detected: fp.Health !== "undetected",
    Healthy: fp.Health === "healthy",
    HealthDescription: fp.HealthDescription,
    UpdateTime: rfc3339(now),
  };
}

/**
 * Builds the node a client registers.
 *
 * @throws {Error} when a host volume's path does not exist, or the network interface cannot
 *   be found; the message names the setting to fix.
 */
export function fingerprintNode(
  config: ClientFingerprintConfig,
  probe: HostProbe = systemProbe(),
): Node {
  const node: Node = zero(NodeSpec);
  const attrs: Record<string, string> = {};
  const options = config.options ?? {};
  const reserved = config.reserved ?? {};
  const reservableCores = config.reservableCores ? parseIdSet(config.reservableCores) : null;
  const reservedCores = !reservableCores && reserved.cores ? parseIdSet(reserved.cores) : [];

  Object.assign(attrs, hostAttributes(probe));
  const cpu = fingerprintCpu(probe, {
    cpuTotalCompute: config.cpuTotalCompute ?? 0,
    reservableCores,
    reservedCores,
    reservedCpu: reserved.cpu ?? 0,
  });
  Object.assign(attrs, cpu.attrs);

  const memoryBytes = config.memoryTotalMB
    ? config.memoryTotalMB * 1024 * 1024
    : probe.memoryTotal();
  if (memoryBytes > 0) attrs["memory.totalbytes"] = String(memoryBytes);

  const storage = fingerprintStorage(probe, config.dataDir, config.diskTotalMB ?? 0);
  Object.assign(attrs, storage.attrs);

  const net = fingerprintNetwork(probe, {
    networkInterface: config.networkInterface ?? "",
    networkSpeed: config.networkSpeed ?? 0,
    disallowLinkLocal: options["fingerprint.network.disallow_link_local"] === "true",
    hostNetworks: config.hostNetworks ?? [],
  });
  if (net.networks[0]) attrs["unique.network.ip-address"] = net.networks[0].IP;

  const version = config.version ?? {};
  attrs["unique.advertise.address"] = config.httpAddr;
  attrs["nomad.version"] = version.nomad ?? NOMAD_COMPAT_VERSION;
  attrs["nomad.ts.version"] = version.nomadTs ?? denoJson.version;
  attrs["nomad.revision"] = version.revision ?? "";
  attrs["nomad.service_discovery"] = String(config.nomadServiceDiscovery ?? true);

  const drivers: Record<string, DriverInfo> = {};
  for (const [name, info] of Object.entries(config.drivers ?? {})) {
    drivers[name] = info;
    if (!info.Detected) continue;
    Object.assign(attrs, info.Attributes ?? {});
    attrs[`driver.${name}`] = "1";
  }

  const hostVolumes: Record<string, { Name: string; Path: string; ReadOnly: boolean }> = {};
  for (const v of config.hostVolumes ?? []) {
    if (!probe.exists(v.path)) {
      throw new Error(
        `failed to validate volume ${v.name}: path ${JSON.stringify(v.path)} does not exist; ` +
          `create it or fix client.host_volume "${v.name}"`,
      );
    }
    hostVolumes[v.name] = { Name: v.name, Path: v.path, ReadOnly: v.readOnly ?? false };
  }

  const resources = zero(NodeResourcesSpec);
  resources.Cpu = cpu.cpu;
  resources.Processors = cpu.processors;
  resources.Memory = { MemoryMB: Math.floor(memoryBytes / (1024 * 1024)) };
  resources.Disk = { DiskMB: storage.diskMB };
  resources.Networks = net.networks;
  resources.NodeNetworks = net.nodeNetworks;
  resources.MinDynamicPort = config.minDynamicPort ?? 20000;
  resources.MaxDynamicPort = config.maxDynamicPort ?? 32000;

  const reservedRes = zero(NodeReservedResourcesSpec);
  reservedRes.Cpu = {
    CpuShares: reserved.cpu ?? 0,
    ReservedCpuCores: reservedCores.length > 0 ? reservedCores : null,
  };
  reservedRes.Memory = { MemoryMB: reserved.memory ?? 0 };
  reservedRes.Disk = { DiskMB: reserved.disk ?? 0 };
  reservedRes.Networks = { ReservedHostPorts: reserved.reservedPorts ?? "" };

  Object.assign(
    node,
    {
      ID: config.nodeId,
      SecretID: config.secretId,
      Datacenter: config.datacenter || "dc1",
      Name: config.name || probe.hostname() || config.nodeId,
      CgroupParent: config.cgroupParent ?? "",
      HTTPAddr: config.httpAddr,
      TLSEnabled: config.tlsEnabled ?? false,
      Attributes: attrs,
      NodeResources: resources,
      ReservedResources: reservedRes,
      Links: {},
      Meta: { ...DEFAULT_CONNECT_META, ...(config.meta ?? {}) },
      NodeClass: config.nodeClass ?? "",
      NodePool: config.nodePool || "default",
      SchedulingEligibility: config.defaultIneligible ? "ineligible" : "eligible",
      Status: "initializing",
      Drivers: drivers,
      CSIControllerPlugins: {},
      CSINodePlugins: {},
      HostVolumes: hostVolumes,
      HostNetworks: hostNetworkMap(config.hostNetworks ?? []),
      NodeMaxAllocs: config.nodeMaxAllocs ?? 0,
    } satisfies Partial<Node>,
  );
  return node;
}

function hostNetworkMap(list: readonly HostNetworkConfig[]): Node["HostNetworks"] {
  if (list.length === 0) return null;
  return Object.fromEntries(list.map((h) => [h.Name, { ...h }]));
}
