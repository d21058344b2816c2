/**
 * The network facts of a node (Nomad's `NetworkIndex.SetNode`): its host networks and
 * addresses, the legacy task networks with bandwidth, the ports the operator reserved, and the
 * dynamic port range; and the ports existing allocations hold (`NetworkIndex.AddAllocs`).
 *
 * A node's facts are computed once per node object (nodes from the state are immutable).
 *
 * @module
 */
import type { AllocatedPortMapping, Allocation, Node, ServerNetwork } from "../structs/mod.ts";
import { isClientTerminal } from "./util.ts";

/** The smallest dynamic port Nomad hands out unless the node says otherwise. */
export const DEFAULT_MIN_DYNAMIC_PORT = 20000;
/** The largest dynamic port Nomad hands out unless the node says otherwise. */
export const DEFAULT_MAX_DYNAMIC_PORT = 32000;
/** Ports are below this number. */
export const MAX_VALID_PORT = 65536;

/** A set of ports. */
export interface PortLookup {
  has(port: number): boolean;
}

/** A bitmap of the 65536 ports. */
export class PortBitmap implements PortLookup {
  readonly #bits = new Uint8Array(MAX_VALID_PORT / 8);
  /** Whether the port is in the set. */
  has(port: number): boolean {
    return ((this.#bits[port >> 3] ?? 0) & (1 << (port & 7))) !== 0;
  }
  /** Adds a port to the set. */
  add(port: number): void {
    const i = port >> 3;
    this.#bits[i] = (this.#bits[i] ?? 0) | (1 << (port & 7));
  }
}

function parseUint(s: string): number {
  if (!/^[0-9]+$/.test(s)) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return n;
}

/**
 * Parses a reserved ports spec such as `22,80,8000-8100` (Nomad's `ParsePortRanges`).
 *
 * @throws {Error} with Nomad's message when the spec is malformed.
 */
export function parsePortRanges(spec: string): number[] {
  const parts = spec.split(",");
  if (parts.length === 1 && parts[0] === "") return [];
  const ports: number[] = [];
  let count = 0;
  for (const raw of parts) {
    const range = raw.trim().split("-");
    if (range.length === 1) {
      const val = range[0] ?? "";
      if (val === "") throw new Error("can't specify empty port");
      const port = parseUint(val);
      if (port === 0) throw new Error("port must be > 0");
      if (port > MAX_VALID_PORT) {
        throw new Error(`port must be < ${MAX_VALID_PORT} but found ${port}`);
      }
      if (++count > MAX_VALID_PORT) {
        throw new Error(`maximum of ${MAX_VALID_PORT} ports can be reserved`);
      }
      ports.push(port);
    } else if (range.length === 2) {
      const start = parseUint(range[0] ?? "");
      const end = parseUint(range[1] ?? "");
      if (end < start) {
        throw new Error(
          `invalid range: ending value (${end}) less than starting (${start}) value`,
        );
      }
      if (start === 0) throw new Error("port must be > 0");
      if (end > MAX_VALID_PORT) {
        throw new Error(`port must be < ${MAX_VALID_PORT} but found ${end}`);
      }
      count += end - start;
      if (count > MAX_VALID_PORT) {
        throw new Error(`maximum of ${MAX_VALID_PORT} ports can be reserved`);
      }
      for (let p = start; p <= end; p++) ports.push(p);
    } else {
      throw new Error(
        "can only parse single port numbers or port ranges (ex. 80,100-120,150)",
      );
    }
  }
  return ports;
}

/** An address of a host network, by alias (`default`, `public`, ...). */
export interface HostAddress {
  readonly alias: string;
  readonly address: string;
}

/** A legacy node network usable by `task.resources.network` asks (it has a device). */
export interface TaskNetwork {
  readonly device: string;
  readonly ip: string;
  readonly cidr: string;
  readonly mbits: number;
}

/** The network facts of a node (NetworkIndex.SetNode). */
export interface NetworkBase {
  /** Set when the node's reserved ports cannot be parsed; Nomad then skips the node. */
  readonly error: string | null;
  readonly taskNetworks: readonly TaskNetwork[];
  readonly hostNetworks: ReadonlyMap<string, readonly HostAddress[]>;
  /** Ports the operator reserved, by IP. */
  readonly reserved: ReadonlyMap<string, PortLookup>;
  readonly availBandwidth: ReadonlyMap<string, number>;
  readonly minDynamicPort: number;
  readonly maxDynamicPort: number;
  /** The IP a group network is given on this node (its first host-mode address). */
  readonly groupIP: string;
  /** Host network aliases of the node (after converting a pre-0.12 node layout). */
  readonly aliases: ReadonlySet<string>;
  /** Network modes the node offers (`host`, `bridge`, ...). */
  readonly modes: ReadonlySet<string>;
}

interface NodeNet {
  mode: string;
  addresses: Array<{ alias: string; address: string; reserved: string }>;
}

/** Node networks, converting a pre-0.12 node (only `Networks`) as Node.Canonicalize does. */
function nodeNetworks(node: Node): NodeNet[] {
  const res = node.NodeResources;
  if (res === null) return [];
  if (res.NodeNetworks !== null) {
    return res.NodeNetworks.map((n) => ({
      mode: n.Mode,
      addresses: (n.Addresses ?? []).map((a) => ({
        alias: a.Alias,
        address: a.Address,
        reserved: a.ReservedPorts,
      })),
    }));
  }
  return (res.Networks ?? []).map((n) => ({
    mode: n.Mode,
    addresses: n.IP === "" ? [] : [{ alias: "default", address: n.IP, reserved: "" }],
  }));
}

const bases = new WeakMap<Node, NetworkBase>();

/** The network facts of a node, computed once per node object. */
export function networkBase(node: Node): NetworkBase {
  let base = bases.get(node);
  if (base === undefined) {
    base = computeBase(node);
    bases.set(node, base);
  }
  return base;
}

const portSets = new Map<string, PortLookup>();

/** The ports of reserved-port specs, shared by every node with the same specs. */
function portSet(specs: readonly string[]): PortLookup {
  const key = specs.join("|");
  let set = portSets.get(key);
  if (set === undefined) {
    const ports = specs.flatMap((s) => parsePortRanges(s));
    if (ports.length > 1024) {
      const bm = new PortBitmap();
      for (const p of ports) bm.add(p);
      set = bm;
    } else set = new Set(ports);
    if (portSets.size > 1000) portSets.clear();
    portSets.set(key, set);
  }
  return set;
}

function computeBase(node: Node): NetworkBase {
  const res = node.NodeResources;
  const taskNetworks: TaskNetwork[] = [];
  const hostNetworks = new Map<string, HostAddress[]>();
  const specs = new Map<string, string[]>();
  const availBandwidth = new Map<string, number>();
  const modes = new Set<string>();
  let error: string | null = null;
  const reserve = (ip: string, spec: string) => {
    if (spec === "") return;
    const list = specs.get(ip);
    if (list === undefined) specs.set(ip, [spec]);
    else if (!list.includes(spec)) list.push(spec);
  };
  const global = node.ReservedResources?.Networks.ReservedHostPorts ?? "";
  try {
    parsePortRanges(global);
  } catch (e) {
    error = `error parsing reserved_ports: ${(e as Error).message}`;
  }
  for (const n of res?.Networks ?? []) {
    modes.add(n.Mode === "" ? "host" : n.Mode);
    if (n.Device === "") continue;
    taskNetworks.push({ device: n.Device, ip: n.IP, cidr: n.CIDR, mbits: n.MBits });
    availBandwidth.set(n.Device, n.MBits);
    if (error === null) reserve(n.IP, global);
  }
  const nets = nodeNetworks(node);
  for (const n of nets) {
    for (const a of n.addresses) {
      const list = hostNetworks.get(a.alias) ?? [];
      list.push({ alias: a.alias, address: a.address });
      hostNetworks.set(a.alias, list);
      if (error !== null) continue;
      reserve(a.address, global);
      try {
        parsePortRanges(a.reserved);
        reserve(a.address, a.reserved);
      } catch (e) {
        error = `error parsing reserved_ports for network ${JSON.stringify(a.alias)}: ${
          (e as Error).message
        }`;
      }
    }
  }
  const reserved = new Map<string, PortLookup>();
  if (error === null) { for (const [ip, list] of specs) reserved.set(ip, portSet(list)); }
  let groupIP = "";
  if (nets.length > 0) {
    groupIP = nets.find((n) => n.mode === "host")?.addresses[0]?.address ?? "";
  } else {
    for (const n of res?.Networks ?? []) if (n.Mode === "host") groupIP = n.IP;
  }
  return {
    error,
    taskNetworks,
    hostNetworks,
    reserved,
    availBandwidth,
    minDynamicPort: res !== null && res.MinDynamicPort > 0
      ? res.MinDynamicPort
      : DEFAULT_MIN_DYNAMIC_PORT,
    maxDynamicPort: res !== null && res.MaxDynamicPort > 0
      ? res.MaxDynamicPort
      : DEFAULT_MAX_DYNAMIC_PORT,
    groupIP,
    aliases: new Set(hostNetworks.keys()),
    modes,
  };
}

/** Ports and bandwidth held by allocations on a node, with the first collision seen. */
export class PortUsage {
  /** Ports in use by IP (the operator's reserved ports are in the {@link NetworkBase}). */
  readonly ports: Map<string, Set<number>> = new Map();
  /** Bandwidth in use by device (legacy task networks). */
  readonly bandwidth: Map<string, number> = new Map();
  /** Why the allocations collide with each other or with reserved ports, if they do. */
  collision: string | null = null;

  constructor(readonly base: NetworkBase) {}

  /** Whether a port on an IP is taken, by the operator or an allocation. */
  used(ip: string, port: number): boolean {
    return this.base.reserved.get(ip)?.has(port) === true || this.ports.get(ip)?.has(port) === true;
  }

  #set(ip: string, port: number): void {
    let s = this.ports.get(ip);
    if (s === undefined) this.ports.set(ip, s = new Set());
    s.add(port);
  }

  /** Reserves allocated port mappings; returns the collisions (AddReservedPorts). */
  addReservedPorts(ports: readonly AllocatedPortMapping[]): string[] {
    const reasons: string[] = [];
    for (const p of ports) {
      if (p.Value < 0 || p.Value >= MAX_VALID_PORT) return [`invalid port ${p.Value}`];
      if (this.used(p.HostIP, p.Value)) {
        if (!p.IgnoreCollision) reasons.push(`port ${p.Value} already in use`);
      } else this.#set(p.HostIP, p.Value);
    }
    return reasons;
  }

  /** Reserves the ports and bandwidth of a network; returns the collisions (AddReserved). */
  addReserved(n: ServerNetwork): string[] {
    const reasons: string[] = [];
    for (const ports of [n.ReservedPorts, n.DynamicPorts]) {
      for (const p of ports ?? []) {
        if (p.Value < 0 || p.Value >= MAX_VALID_PORT) return [`invalid port ${p.Value}`];
        if (this.used(n.IP, p.Value)) reasons.push(`port ${p.Value} already in use`);
        else this.#set(n.IP, p.Value);
      }
    }
    this.bandwidth.set(n.Device, (this.bandwidth.get(n.Device) ?? 0) + n.MBits);
    return reasons;
  }

  /** Adds the network use of an existing allocation (AddAllocs), noting any collision. */
  addAlloc(alloc: Allocation): void {
    if (isClientTerminal(alloc)) return;
    const note = (reasons: string[], what: string) => {
      if (reasons.length > 0) {
        this.collision = `collision when reserving port for ${what}: [${reasons.join(" ")}]`;
      }
    };
    const ar = alloc.AllocatedResources;
    if (ar === null) {
      for (const [task, r] of Object.entries(alloc.TaskResources ?? {})) {
        const n = r.Networks?.[0];
        if (n !== undefined) note(this.addReserved(n), `task ${task} of alloc ${alloc.ID}`);
      }
      return;
    }
    if ((ar.Shared.Ports ?? []).length > 0) {
      note(this.addReservedPorts(ar.Shared.Ports ?? []), `alloc ${alloc.ID}`);
      return;
    }
    for (const n of ar.Shared.Networks ?? []) note(this.addReserved(n), `alloc ${alloc.ID}`);
    for (const [task, r] of Object.entries(ar.Tasks ?? {})) {
      const n = r.Networks?.[0];
      if (n !== undefined) note(this.addReserved(n), `task ${task} of alloc ${alloc.ID}`);
    }
  }
}
