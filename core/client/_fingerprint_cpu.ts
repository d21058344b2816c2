/**
 * The CPU fingerprint: model, clock, cores (online, NUMA node, usable by tasks) and compute in
 * MHz, from `/sys/devices/system` and `/proc/cpuinfo` (Nomad's numalib scanners, simplified:
 * every core is a performance core).
 *
 * @module
 */
import type { HostProbe } from "./fingerprint_probe.ts";
import { formatIdSet, parseIdSet } from "./_idset.ts";

const SYS = "/sys/devices/system";

/** What the configuration says about CPUs. */
export interface CpuConfig {
  /** `cpu_total_compute`: overrides the detected MHz (0: detect). */
  cpuTotalCompute: number;
  /** `reservable_cores`: only these cores run tasks (null: all). */
  reservableCores: number[] | null;
  /** `reserved.cores`: these cores never run tasks. */
  reservedCores: number[];
  /** `reserved.cpu` in MHz. */
  reservedCpu: number;
}

/** One core as Nomad's topology describes it. */
interface Core {
  SocketID: number;
  NodeID: number;
  ID: number;
  Grade: boolean;
  Disable: boolean;
  BaseSpeed: number;
  MaxSpeed: number;
  GuessSpeed: number;
}

/** The CPU fingerprint. */
export interface CpuFacts {
  /** `cpu.*` and `numa.*` attributes. */
  attrs: Record<string, string>;
  /** The legacy `NodeResources.Cpu`. */
  cpu: { CpuShares: number; TotalCpuCores: number; ReservableCpuCores: number[] };
  /** `NodeResources.Processors`. */
  processors: Record<string, unknown>;
}

function cpuinfoField(cpuinfo: string, field: string): string | undefined {
  const re = new RegExp(`^${field}\\s*:\\s*(.*)$`, "m");
  return re.exec(cpuinfo)?.[1]?.trim();
}

function khz(probe: HostProbe, path: string): number {
  const n = Number.parseInt(probe.readFile(path)?.trim() ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function cgroupCpuset(probe: HostProbe): number[] | null {
  for (
    const path of [
      "/sys/fs/cgroup/cpuset.cpus.effective",
      "/sys/fs/cgroup/cpuset/cpuset.effective_cpus",
    ]
  ) {
    const text = probe.readFile(path)?.trim();
    if (text) return parseIdSet(text);
  }
  return null;
}

/** A NUMA node's row of the distance table (10 to itself, 20 to others when unknown). */
function distances(probe: HostProbe, node: number, all: readonly number[]): number[] {
  const row = (probe.readFile(`${SYS}/node/node${node}/distance`) ?? "").trim().split(/\s+/)
    .map(Number);
  return all.map((other, i) => row[i] || (other === node ? 10 : 20));
}

/** Reads the host's CPUs and applies the configuration's reservations. */
export function fingerprintCpu(probe: HostProbe, cfg: CpuConfig): CpuFacts {
  const cpuinfo = probe.readFile("/proc/cpuinfo") ?? "";
  const online = parseIdSet(probe.readFile(`${SYS}/cpu/online`)?.trim() ?? "");
  const ids = online.length > 0 ? online : [...Array(Math.max(1, probe.cpuCount())).keys()];
  const nodeOf = new Map<number, number>();
  const nodes = parseIdSet(probe.readFile(`${SYS}/node/online`)?.trim() ?? "");
  for (const node of nodes) {
    for (const id of parseIdSet(probe.readFile(`${SYS}/node/node${node}/cpulist`) ?? "")) {
      nodeOf.set(id, node);
    }
  }
  const guessMHz = Math.floor(Number(cpuinfoField(cpuinfo, "cpu MHz") ?? 0)) || 0;
  const hasFreq = probe.readFile(`${SYS}/cpu/cpu${ids[0]}/cpufreq/cpuinfo_max_freq`) !== null;
  const cpuset = cgroupCpuset(probe);
  const cores: Core[] = ids.map((id) => {
    const base = hasFreq ? khz(probe, `${SYS}/cpu/cpu${id}/cpufreq/base_frequency`) : 0;
    const max = hasFreq ? khz(probe, `${SYS}/cpu/cpu${id}/cpufreq/cpuinfo_max_freq`) : 0;
    const socket = Number(probe.readFile(`${SYS}/cpu/cpu${id}/topology/physical_package_id`) ?? 0);
    let disable = cpuset !== null && !cpuset.includes(id);
    if (cfg.reservableCores !== null && !cfg.reservableCores.includes(id)) disable = true;
    if (cfg.reservedCores.includes(id)) disable = true;
    return {
      SocketID: Number.isFinite(socket) ? socket : 0,
      NodeID: nodeOf.get(id) ?? 0,
      ID: id,
      Grade: true,
      Disable: disable,
      BaseSpeed: Math.floor(base / 1000),
      MaxSpeed: Math.floor(max / 1000),
      GuessSpeed: guessMHz,
    };
  });
  const mhz = (c: Core) => c.BaseSpeed || c.MaxSpeed || c.GuessSpeed;
  const usable = cores.filter((c) => !c.Disable);
  const detected = cores.reduce((sum, c) => sum + mhz(c), 0);
  const total = cfg.cpuTotalCompute > 0 ? cfg.cpuTotalCompute : detected;
  const usableCompute = cfg.cpuTotalCompute > 0
    ? cfg.cpuTotalCompute
    : usable.reduce((sum, c) => sum + mhz(c), 0) - cfg.reservedCpu;

  const attrs: Record<string, string> = {};
  const model = cpuinfoField(cpuinfo, "model name");
  if (model) attrs["cpu.modelname"] = model;
  const freq = cores.length > 0 ? mhz(cores[cores.length - 1]!) : 0;
  if (freq > 0) attrs["cpu.frequency"] = String(freq);
  attrs["cpu.numcores"] = String(cores.length);
  attrs["cpu.reservablecores"] = probe.os() === "linux" ? String(usable.length) : "0";
  attrs["cpu.totalcompute"] = String(total);
  attrs["cpu.usablecompute"] = String(usableCompute);
  const nodeIds = nodes.length > 0 ? nodes : [0];
  if (nodes.length > 0) {
    attrs["numa.node.count"] = String(nodes.length);
    for (const node of nodes) {
      attrs[`numa.node${node}.cores`] = formatIdSet(
        cores.filter((c) => c.NodeID === node).map((c) => c.ID),
      );
    }
  }
  return {
    attrs,
    cpu: {
      CpuShares: total,
      TotalCpuCores: usable.length,
      ReservableCpuCores: usable.map((c) => c.ID),
    },
    processors: {
      Topology: {
        Nodes: nodeIds,
        Distances: nodeIds.map((a) => distances(probe, a, nodeIds)),
        Cores: cores,
        BusAssociativity: {},
        OverrideTotalCompute: cfg.cpuTotalCompute,
        OverrideWitholdCompute: cfg.reservedCpu,
      },
    },
  };
}
