/**
 * The network fingerprint: the interface tasks bind to (configured, else the one of the
 * default route, read from `/proc/net/route` and `/proc/net/ipv6_route`), its addresses as
 * host networks, and every interface with an alias (`default`, `host_network` blocks) as node
 * networks, as Nomad's network fingerprinter builds them.
 *
 * @module
 */
import type { ServerNetwork } from "../structs/alloc.ts";
import { ServerNetworkSpec } from "../structs/alloc.ts";
import type { Infer } from "../structs/schema.ts";
import { zero } from "../structs/schema.ts";
import type { NodeNetworkResourceSpec } from "../structs/node.ts";
import type { HostProbe, InterfaceAddress } from "./fingerprint_probe.ts";

/** A node network (`NodeResources.NodeNetworks`). */
export type NodeNetworkResource = Infer<typeof NodeNetworkResourceSpec>;

/** Link speed when none is detected or configured, in Mbit/s. */
export const DEFAULT_NETWORK_SPEED = 1000;

/** A `host_network` block. */
export interface HostNetworkConfig {
  /** Its name (an address alias). */
  Name: string;
  /** Comma-separated CIDRs its addresses are in ("" = any). */
  CIDR: string;
  /** The interface it is on ("" = any). */
  Interface: string;
  /** Ports reserved on it. */
  ReservedPorts: string;
}

/** What the configuration says about networks. */
export interface NetworkConfig {
  /** `network_interface` ("" = the default route's). */
  networkInterface: string;
  /** `network_speed` (0 = detect). */
  networkSpeed: number;
  /** `options { "fingerprint.network.disallow_link_local" = true }`. */
  disallowLinkLocal: boolean;
  /** `host_network` blocks. */
  hostNetworks: readonly HostNetworkConfig[];
}

/** The network fingerprint. */
export interface NetworkFacts {
  /** The interface used. */
  device: string;
  /** `NodeResources.Networks`. */
  networks: ServerNetwork[];
  /** `NodeResources.NodeNetworks`. */
  nodeNetworks: NodeNetworkResource[];
}

/** The interface of the default route (IPv4 first, then IPv6), or `null`. */
export function defaultRouteInterface(probe: HostProbe): string | null {
  let best: { name: string; metric: number } | null = null;
  for (const line of (probe.readFile("/proc/net/route") ?? "").split("\n").slice(1)) {
    const [name, dest, , flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!name || dest !== "00000000" || mask !== "00000000") continue;
    if ((Number.parseInt(flags ?? "0", 16) & 1) === 0) continue; // not up
    const m = Number(metric ?? 0);
    if (best === null || m < best.metric) best = { name, metric: m };
  }
  if (best) return best.name;
  for (const line of (probe.readFile("/proc/net/ipv6_route") ?? "").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[0] !== "0".repeat(32) || f[1] !== "00") continue;
    if (f[9] === "lo") continue;
    return f[9]!;
  }
  return null;
}

function ipToBigInt(ip: string): { v: bigint; bits: number } | null {
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::") as [string, string | undefined];
    const a = head ? head.split(":") : [];
    const b = tail !== undefined && tail !== "" ? tail.split(":") : [];
    if (tail === undefined && a.length !== 8) return null;
    const groups = [...a, ...Array(8 - a.length - b.length).fill("0"), ...b];
    let v = 0n;
    for (const g of groups) v = (v << 16n) + BigInt(Number.parseInt(g || "0", 16));
    return { v, bits: 128 };
  }
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return null;
  return { v: parts.reduce((acc, p) => (acc << 8n) + BigInt(p), 0n), bits: 32 };
}

/** Whether `ip` is in `cidr` (`10.0.0.0/8`, `fd00::/8`). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, prefix] = cidr.trim().split("/");
  const net = ipToBigInt(base ?? "");
  const addr = ipToBigInt(ip);
  const len = Number(prefix);
  if (!net || !addr || net.bits !== addr.bits || !(len >= 0 && len <= net.bits)) return false;
  const shift = BigInt(net.bits - len);
  return (net.v >> shift) === (addr.v >> shift);
}

function isLinkLocal(a: InterfaceAddress): boolean {
  return a.family === "IPv4" ? a.address.startsWith("169.254.") : /^fe[89ab]/i.test(a.address);
}

/** Go prints no hardware address for interfaces without one (loopback). */
function macAddress(mac: string): string {
  return /^[0:]*$/.test(mac) ? "" : mac;
}

function linkSpeed(probe: HostProbe, device: string): number {
  const n = Number.parseInt(probe.readFile(`/sys/class/net/${device}/speed`)?.trim() ?? "", 10);
  return n > 0 ? n : 0;
}

function aliases(cfg: NetworkConfig, iface: string, ip: string, chosen: string): string[] {
  const out: string[] = [];
  for (const hn of cfg.hostNetworks) {
    const cidrOk = hn.CIDR === "" || hn.CIDR.split(",").some((c) => cidrContains(c, ip));
    const ifaceOk = hn.Interface === "" || hn.Interface === iface;
    if (cidrOk && ifaceOk) out.push(hn.Name);
  }
  if (iface === chosen) out.push("default");
  return out;
}

/**
 * Fingerprints the host's networks.
 *
 * @throws {Error} when the configured interface does not exist, or no interface was
 *   configured and no default route was found.
 */
export function fingerprintNetwork(probe: HostProbe, cfg: NetworkConfig): NetworkFacts {
  const all = probe.interfaces();
  const names = [...new Set(all.map((a) => a.name))];
  const device = cfg.networkInterface || defaultRouteInterface(probe);
  if (!device) {
    throw new Error(
      "no network_interface given and failed to determine interface attached to default " +
        `route: set client.network_interface to one of ${names.join(", ") || "(none)"}`,
    );
  }
  if (!names.includes(device)) {
    throw new Error(
      `Error while detecting network interface ${device} during fingerprinting: no such ` +
        `interface; set client.network_interface to one of ${names.join(", ") || "(none)"}`,
    );
  }
  const mbits = cfg.networkSpeed || linkSpeed(probe, device) || DEFAULT_NETWORK_SPEED;
  const own = all.filter((a) => a.name === device);
  const toNetwork = (a: InterfaceAddress): ServerNetwork => ({
    ...zero(ServerNetworkSpec),
    Mode: "host",
    Device: device,
    IP: a.address,
    CIDR: `${a.address}/${a.family === "IPv4" ? 32 : 128}`,
    MBits: mbits,
  });
  const routable = own.filter((a) => !isLinkLocal(a)).map(toNetwork);
  const linkLocal = own.filter(isLinkLocal).map(toNetwork);
  const networks = routable.length > 0 || cfg.disallowLinkLocal ? routable : linkLocal;

  const nodeNetworks: NodeNetworkResource[] = [];
  for (const name of names) {
    const normal: NodeNetworkResource["Addresses"] & object = [];
    const local: typeof normal = [];
    for (const a of all.filter((x) => x.name === name)) {
      for (const alias of aliases(cfg, name, a.address, device)) {
        const hn = cfg.hostNetworks.find((h) => h.Name === alias);
        (isLinkLocal(a) ? local : normal).push({
          Family: a.family === "IPv4" ? "ipv4" : "ipv6",
          Alias: alias,
          Address: a.address,
          ReservedPorts: hn?.ReservedPorts ?? "",
          Gateway: "",
        });
      }
    }
    const addresses = normal.length === 0 && !cfg.disallowLinkLocal ? local : normal;
    if (addresses.length === 0) continue;
    nodeNetworks.push({
      Mode: "host",
      Device: name,
      MacAddress: macAddress(all.find((x) => x.name === name)?.mac ?? ""),
      Speed: linkSpeed(probe, name) || DEFAULT_NETWORK_SPEED,
      Addresses: addresses,
    });
  }
  return { device, networks, nodeNetworks };
}
