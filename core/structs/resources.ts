/**
 * Resources a task asks for: CPU, memory, disk, networks with ports, devices.
 *
 * @module
 */
import { AffinitySpec, ConstraintSpec } from "./constraint.ts";
import {
  bool,
  type Infer,
  int,
  list,
  optInt,
  ref,
  str,
  strList,
  strMap,
  struct,
} from "./schema.ts";

/** A port: static (`Value`) or dynamic, optionally mapped to `To` inside the task. */
export const PortSpec = struct("Port", {
  Label: str({ name: "label", label: true }),
  Value: int("static"),
  To: int("to"),
  HostNetwork: str("host_network"),
  IgnoreCollision: bool("ignore_collision"),
});
/** A port of a network. */
export type Port = Infer<typeof PortSpec>;

/** DNS settings of a network (bridge mode). */
export const DNSConfigSpec = struct("DNSConfig", {
  Servers: strList("servers"),
  Searches: strList("searches"),
  Options: strList("options"),
});
/** DNS settings of a network. */
export type DNSConfig = Infer<typeof DNSConfigSpec>;

/** Arguments passed to CNI plugins. */
export const CNIConfigSpec = struct("CNIConfig", {
  Args: strMap("args"),
});
/** Arguments passed to CNI plugins. */
export type CNIConfig = Infer<typeof CNIConfigSpec>;

/** A network a group or task asks for, with its ports. */
export const NetworkResourceSpec = struct("NetworkResource", {
  Mode: str("mode"),
  Device: str("device"),
  CIDR: str("cidr"),
  IP: str("ip"),
  DNS: ref(DNSConfigSpec, { name: "dns", block: true }),
  ReservedPorts: list(PortSpec, { name: "reserved_ports", block: true }),
  DynamicPorts: list(PortSpec, { name: "port", block: true }),
  Hostname: str("hostname"),
  MBits: optInt("mbits"),
  CNI: ref(CNIConfigSpec, { name: "cni", block: true }),
});
/** A network a group or task asks for. */
export type NetworkResource = Infer<typeof NetworkResourceSpec>;

/** A device request such as `device "nvidia/gpu" { count = 2 }`. */
export const RequestedDeviceSpec = struct("RequestedDevice", {
  Name: str({ name: "name", label: true }),
  Count: optInt("count"),
  Constraints: list(ConstraintSpec, { name: "constraint", block: true }),
  Affinities: list(AffinitySpec, { name: "affinity", block: true }),
});
/** A device request. */
export type RequestedDevice = Infer<typeof RequestedDeviceSpec>;

/** NUMA placement of a task's cores. */
export const NUMAResourceSpec = struct("NUMAResource", {
  Affinity: str("affinity"),
  Devices: strList("devices"),
});
/** NUMA placement of a task's cores. */
export type NUMAResource = Infer<typeof NUMAResourceSpec>;

/** What a task asks for: CPU in MHz (or whole cores), memory and disk in MB, networks, devices. */
export const ResourcesSpec = struct("Resources", {
  CPU: optInt("cpu"),
  Cores: optInt("cores"),
  MemoryMB: optInt("memory"),
  MemoryMaxMB: optInt("memory_max"),
  DiskMB: optInt("disk"),
  Networks: list(NetworkResourceSpec, { name: "network", block: true }),
  Devices: list(RequestedDeviceSpec, { name: "device", block: true }),
  NUMA: ref(NUMAResourceSpec, { name: "numa", block: true }),
  SecretsMB: optInt("secrets"),
  IOPS: optInt("iops"),
});
/** What a task asks for. */
export type Resources = Infer<typeof ResourcesSpec>;
