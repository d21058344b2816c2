/**
 * Port assignment on one candidate node (Nomad's `NetworkIndex.AssignPorts` for group networks
 * and `AssignTaskNetwork` for the legacy `task.resources.network`): reserved (static) ports must
 * be free, dynamic ports are picked at random in the node's dynamic range.
 *
 * The index layers this placement's own ports over the node's {@link PortUsage}, which is
 * shared and never modified here.
 *
 * @module
 */
import type { AllocatedPortMapping, NetworkResource, Port, ServerNetwork } from "../structs/mod.ts";
import { MAX_VALID_PORT, type NetworkBase, type PortUsage } from "./network.ts";

const MAX_RAND_PORT_ATTEMPTS = 20;
const MAX_TASK_NETWORK_IPS = 4096;
const NONE: readonly number[] = [];

/** Either the value or Nomad's error text. */
export type Offer<T> = { ok: T; error?: undefined } | { ok?: undefined; error: string };

/** Port bookkeeping for one placement on one node. */
export class NetworkIndex {
  readonly #usage: PortUsage;
  // This placement's own ports, as parallel lists (a placement has only a few).
  readonly #localIps: string[] = [];
  readonly #localPorts: number[] = [];
  #bandwidth: Map<string, number> | null = null;
  readonly #random: () => number;

  constructor(usage: PortUsage, random: () => number) {
    this.#usage = usage;
    this.#random = random;
  }

  /** The node's network facts. */
  get base(): NetworkBase {
    return this.#usage.base;
  }

  /** Whether a port on an IP is taken by the operator, an allocation or this placement. */
  used(ip: string, port: number): boolean {
    if (this.#usage.used(ip, port)) return true;
    const ports = this.#localPorts;
    for (let i = 0; i < ports.length; i++) {
      if (ports[i] === port && this.#localIps[i] === ip) return true;
    }
    return false;
  }

  #set(ip: string, port: number): void {
    this.#localIps.push(ip);
    this.#localPorts.push(port);
  }

  /** Reserves an offer of group ports so that task networks do not collide with it. */
  addReservedPorts(ports: readonly AllocatedPortMapping[]): void {
    for (const p of ports) {
      if (p.Value >= 0 && p.Value < MAX_VALID_PORT && !this.used(p.HostIP, p.Value)) {
        this.#set(p.HostIP, p.Value);
      }
    }
  }

  /** Reserves a task network offer (its ports and bandwidth). */
  addReserved(n: ServerNetwork): void {
    for (const p of [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])]) {
      if (p.Value >= 0 && p.Value < MAX_VALID_PORT && !this.used(n.IP, p.Value)) {
        this.#set(n.IP, p.Value);
      }
    }
    const bw = this.#bandwidth ??= new Map();
    bw.set(n.Device, (bw.get(n.Device) ?? 0) + n.MBits);
  }

  #randInt(n: number): number {
    return Math.floor(this.#random() * n);
  }

  /** One random free dynamic port, or undefined after 20 misses (the stochastic pick). */
  #pickOne(
    ip: string,
    inOffer: readonly number[],
    reserved: readonly number[],
  ): number | undefined {
    const { minDynamicPort: min, maxDynamicPort: max } = this.base;
    for (let attempts = 1; attempts <= MAX_RAND_PORT_ATTEMPTS; attempts++) {
      const port = min + (max - min > 0 ? this.#randInt(max - min) : 0);
      if (this.used(ip, port) || reserved.includes(port) || inOffer.includes(port)) continue;
      return port;
    }
    return undefined;
  }

  #stochastic(
    ip: string | null,
    inOffer: readonly number[],
    reserved: readonly number[],
    count: number,
  ) {
    const { minDynamicPort: min, maxDynamicPort: max } = this.base;
    const picked: number[] = [];
    for (let i = 0; i < count; i++) {
      let attempts = 0;
      for (;;) {
        if (++attempts > MAX_RAND_PORT_ATTEMPTS) return undefined;
        const port = min + (max - min > 0 ? this.#randInt(max - min) : 0);
        if (ip !== null && this.used(ip, port)) continue;
        if (reserved.includes(port) || picked.includes(port) || inOffer.includes(port)) continue;
        picked.push(port);
        break;
      }
    }
    return picked;
  }

  #precise(
    ip: string | null,
    inOffer: readonly number[],
    reserved: readonly number[],
    count: number,
  ) {
    const { minDynamicPort: min, maxDynamicPort: max } = this.base;
    const available: number[] = [];
    for (let p = min; p <= max && p < MAX_VALID_PORT; p++) {
      if (ip !== null && this.used(ip, p)) continue;
      if (reserved.includes(p) || inOffer.includes(p)) continue;
      available.push(p);
    }
    if (available.length < count) return undefined;
    for (let i = 0; i < count; i++) {
      const j = this.#randInt(available.length);
      [available[i], available[j]] = [available[j] ?? 0, available[i] ?? 0];
    }
    return available.slice(0, count);
  }

  #dynamic(
    ip: string | null,
    inOffer: readonly number[],
    reserved: readonly number[],
    count: number,
  ) {
    return this.#stochastic(ip, inOffer, reserved, count) ??
      this.#precise(ip, inOffer, reserved, count);
  }

  /**
   * Assigns the ports of a group network ask on the node's host networks. Ports must have
   * their `HostNetwork` resolved (`""` is taken as `default`, as the server canonicalizes it).
   */
  assignPorts(ask: NetworkResource): Offer<AllocatedPortMapping[]> {
    const offer: AllocatedPortMapping[] = [];
    const inOffer: number[] = [];
    let reservedByNet: Map<string, number[]> | null = null;
    for (const port of ask.ReservedPorts ?? []) {
      const hn = port.HostNetwork || "default";
      reservedByNet ??= new Map();
      reservedByNet.set(hn, [...(reservedByNet.get(hn) ?? []), port.Value]);
      let mapping: AllocatedPortMapping | undefined;
      let addrErr: string | undefined;
      for (const addr of this.base.hostNetworks.get(hn) ?? []) {
        if (port.Value < 0 || port.Value >= MAX_VALID_PORT) {
          return { error: `invalid port ${port.Value} (out of range)` };
        }
        if (!port.IgnoreCollision && this.used(addr.address, port.Value)) {
          addrErr = `reserved port collision ${port.Label}=${port.Value}`;
          continue;
        }
        mapping = {
          Label: port.Label,
          Value: port.Value,
          To: port.To,
          HostIP: addr.address,
          IgnoreCollision: port.IgnoreCollision,
        };
        break;
      }
      if (mapping === undefined) {
        return { error: addrErr ?? `no addresses available for ${hn} network` };
      }
      offer.push(mapping);
      inOffer.push(mapping.Value);
    }
    for (const port of ask.DynamicPorts ?? []) {
      const hn = port.HostNetwork || "default";
      let mapping: AllocatedPortMapping | undefined;
      let addrErr: string | undefined;
      for (const addr of this.base.hostNetworks.get(hn) ?? []) {
        const reserved = reservedByNet?.get(hn) ?? NONE;
        const value = this.#pickOne(addr.address, inOffer, reserved) ??
          this.#precise(addr.address, inOffer, reserved, 1)?.[0];
        if (value === undefined) {
          addrErr = "dynamic port selection failed";
          continue;
        }
        mapping = {
          Label: port.Label,
          Value: value,
          To: port.To === -1 ? value : port.To,
          HostIP: addr.address,
          IgnoreCollision: false,
        };
        break;
      }
      if (mapping === undefined) {
        return { error: addrErr ?? `no addresses available for ${hn} network` };
      }
      offer.push(mapping);
      inOffer.push(mapping.Value);
    }
    return { ok: offer };
  }

  /** Offers a legacy task network (`task.resources.network`) on the node's default device. */
  assignTaskNetwork(ask: NetworkResource): Offer<ServerNetwork> {
    let error = "no networks available";
    const mbits = ask.MBits ?? 0;
    const reserved = ask.ReservedPorts ?? [];
    const dynamic = ask.DynamicPorts ?? [];
    for (const n of this.base.taskNetworks) {
      for (const ip of cidrAddresses(n.cidr)) {
        const usedBw = (this.#usage.bandwidth.get(n.device) ?? 0) +
          (this.#bandwidth?.get(n.device) ?? 0);
        if (usedBw + mbits > (this.base.availBandwidth.get(n.device) ?? 0)) {
          error = "bandwidth exceeded";
          continue;
        }
        const bad = reserved.find((p) => p.Value < 0 || p.Value >= MAX_VALID_PORT);
        if (bad !== undefined) {
          error = `invalid port ${bad.Value} (out of range)`;
          continue;
        }
        const taken = reserved.find((p) => this.used(ip, p.Value));
        if (taken !== undefined) {
          error = `reserved port collision ${taken.Label}=${taken.Value}`;
          continue;
        }
        const picked = this.#dynamic(ip, [], reserved.map((p) => p.Value), dynamic.length);
        if (picked === undefined) {
          error = "dynamic port selection failed";
          continue;
        }
        const ports: Port[] = dynamic.map((p, i) => {
          const value = picked[i] ?? 0;
          return { ...p, Value: value, To: p.To === -1 ? value : p.To };
        });
        return {
          ok: {
            Mode: ask.Mode,
            Device: n.device,
            CIDR: "",
            IP: ip,
            Hostname: "",
            MBits: mbits,
            DNS: ask.DNS,
            ReservedPorts: ask.ReservedPorts === null ? null : reserved.map((p) => ({ ...p })),
            DynamicPorts: ask.DynamicPorts === null ? null : ports,
            CNI: null,
          },
        };
      }
    }
    return { error };
  }
}

/** The IPv4 addresses of a CIDR block, from its network address (IPv6 is not handled). */
export function* cidrAddresses(cidr: string): Generator<string> {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (m === null) return;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ip / size) * size;
  for (let i = 0; i < Math.min(size, MAX_TASK_NETWORK_IPS); i++) {
    const v = start + i;
    yield [v >>> 24 & 255, v >>> 16 & 255, v >>> 8 & 255, v & 255].join(".");
  }
}

/**
 * The group network an allocation records (Nomad's `AllocatedPortsToNetworkResouce`): the ask
 * with its dynamic ports filled in from the offer and the IP of the node's host network.
 */
export function allocatedPortsToNetwork(
  ask: NetworkResource,
  offer: readonly AllocatedPortMapping[],
  base: NetworkBase,
): ServerNetwork {
  const byLabel = (label: string) => offer.find((p) => p.Label === label);
  return {
    Mode: ask.Mode,
    Device: ask.Device,
    CIDR: ask.CIDR,
    IP: base.groupIP !== "" ? base.groupIP : ask.IP,
    Hostname: ask.Hostname,
    MBits: ask.MBits ?? 0,
    DNS: ask.DNS === null ? null : { ...ask.DNS },
    ReservedPorts: ask.ReservedPorts === null ? null : ask.ReservedPorts.map((p) => ({ ...p })),
    DynamicPorts: ask.DynamicPorts === null ? null : ask.DynamicPorts.map((p) => {
      const o = byLabel(p.Label);
      return o === undefined ? { ...p } : { ...p, Value: o.Value, To: o.To };
    }),
    CNI: ask.CNI === null ? null : { Args: ask.CNI.Args === null ? null : { ...ask.CNI.Args } },
  };
}
