/**
 * The host's statistics for `GET /v1/client/stats` (Nomad's `HostStats`): memory from
 * `Deno.systemMemoryInfo`, CPU usage per core from `/proc/stat` (since the previous sample, or
 * since boot on the first), disks from `statfs` of the mounts in `/proc/mounts`, uptime from
 * `Deno.osUptime`.
 *
 * @module
 */
import { statfsSync } from "node:fs";
import type { HostStats } from "./api.ts";

interface CpuTimes {
  user: number;
  system: number;
  idle: number;
  total: number;
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

function cpuTimes(): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of readText("/proc/stat").split("\n")) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      v;
    out.set(m[1]!, {
      user: user + nice,
      system: system + irq + softirq,
      idle: idle + iowait,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
    });
  }
  return out;
}

function cpuMhz(): number {
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readText("/proc/cpuinfo"));
  return m ? Number(m[1]) : 0;
}

type Disk = HostStats["DiskStats"][number];

function diskOf(device: string, mountpoint: string): Disk | null {
  try {
    const s = statfsSync(mountpoint);
    const size = s.blocks * s.bsize;
    const available = s.bavail * s.bsize;
    const used = size - s.bfree * s.bsize;
    return {
      Device: device,
      Mountpoint: mountpoint,
      Size: size,
      Used: used,
      Available: available,
      UsedPercent: size > 0 ? (used / size) * 100 : 0,
      InodesUsedPercent: s.files > 0 ? ((s.files - s.ffree) / s.files) * 100 : 0,
    };
  } catch {
    return null;
  }
}

const REAL_FS = /^\/dev\//;

/** Samples the host; keeps the previous CPU sample to report usage since then. */
export class HostStatsCollector {
  readonly #allocDir: string;
  #prev: Map<string, CpuTimes> = new Map();

  /** @param allocDir The client's allocation directory (`AllocDirStats`). */
  constructor(allocDir: string) {
    this.#allocDir = allocDir;
  }

  /** One sample. */
  collect(): HostStats {
    const mem = Deno.systemMemoryInfo();
    const now = cpuTimes();
    const cpus: HostStats["CPU"] = [];
    let busy = 0;
    for (const [name, t] of now) {
      const p = this.#prev.get(name) ?? { user: 0, system: 0, idle: 0, total: 0 };
      const total = t.total - p.total || 1;
      const user = ((t.user - p.user) / total) * 100;
      const system = ((t.system - p.system) / total) * 100;
      busy += user + system;
      cpus.push({ CPU: name, User: user, System: system, Idle: ((t.idle - p.idle) / total) * 100 });
    }
    this.#prev = now;
    const disks: Disk[] = [];
    const mounts = readText("/proc/mounts").split("\n").map((l) => l.split(" "));
    let allocMount = { device: "", mountpoint: "/" };
    for (const [device = "", mountpoint = ""] of mounts) {
      if (!REAL_FS.test(device)) continue;
      const d = diskOf(device, mountpoint);
      if (d) disks.push(d);
      const inside = this.#allocDir === mountpoint ||
        this.#allocDir.startsWith(mountpoint.endsWith("/") ? mountpoint : `${mountpoint}/`);
      if (inside && mountpoint.length >= allocMount.mountpoint.length) {
        allocMount = { device, mountpoint };
      }
    }
    const allocDisk = diskOf(allocMount.device, this.#allocDir);
    return {
      Memory: {
        Total: mem.total,
        Available: mem.available,
        Used: mem.total - mem.available,
        Free: mem.free,
      },
      CPU: cpus,
      DiskStats: disks,
      AllocDirStats: allocDisk,
      DeviceStats: [],
      Uptime: Math.floor(Deno.osUptime()),
      Timestamp: Date.now() * 1_000_000,
      CPUTicksConsumed: (busy / 100) * cpuMhz(),
    };
  }
}
