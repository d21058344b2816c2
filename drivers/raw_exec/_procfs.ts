/**
 * Reads processes from Linux's `/proc`, for the executor (Deno grants `/proc/<pid>` only with
 * all permissions, which the executor has and the driver's Worker has not): a process's start
 * time (to tell it from a later process that reused its pid), and CPU and memory use of a task's
 * processes for `taskStats`.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcessId } from "./_protocol.ts";

/** Clock ticks per second (`getconf CLK_TCK`), 100 on every Linux Nomad supports. */
const CLK_TCK = 100;
/** Page size for `/proc/<pid>/stat`'s rss field. */
const PAGE_SIZE = 4096;

/** The fields of `/proc/<pid>/stat` we use. */
export interface ProcStat {
  /** The pid. */
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, X (dead), ... */
  state: string;
  /** The parent's pid. */
  ppid: number;
  /** The session ID. */
  session: number;
  /** User-mode CPU time, in ticks. */
  utime: number;
  /** Kernel-mode CPU time, in ticks. */
  stime: number;
  /** Start time in ticks since boot. */
  startTicks: number;
  /** Resident set size in bytes. */
  rss: number;
}

/** Reads `/proc/<pid>/stat`, or `null` when there is no such process. */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses.
  const end = text.lastIndexOf(")");
  const f = text.slice(end + 2).split(" ");
  const num = (i: number) => Number(f[i - 3] ?? "0");
  return {
    pid,
    state: f[0] ?? "?",
    ppid: num(4),
    session: num(6),
    utime: num(14),
    stime: num(15),
    startTicks: num(22),
    rss: num(24) * PAGE_SIZE,
  };
}

/** Whether `id` names a live process: it exists, is not a zombie, and started when recorded. */
export function isAlive(id: ProcessId): boolean {
  const s = readStat(id.pid);
  return s !== null && s.startTicks === id.startTicks && s.state !== "Z" && s.state !== "X";
}

/** Every live process of session `sid` (the task's process and all it started). */
export function sessionProcesses(sid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s !== null && s.session === sid && s.state !== "Z" && s.state !== "X") out.push(s);
  }
  return out;
}

function cpuMhz(): number {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface Sample {
  at: number;
  ticks: Map<number, { utime: number; stime: number }>;
}

/** Measures a session's usage; CPU percent is over the time since the previous `sample()`. */
export class UsageSampler {
  #sid: number;
  #prev: Sample | null = null;
  #mhz = cpuMhz();

  /** @param sid The session to measure (the task's pid, as it leads its own session). */
  constructor(sid: number) {
    this.#sid = sid;
  }

  /** A `TaskResourceUsage` for the session now. */
  sample() {
    const at = Date.now();
    const procs = sessionProcesses(this.#sid);
    const ticks = new Map(procs.map((p) => [p.pid, { utime: p.utime, stime: p.stime }]));
    const secs = this.#prev ? Math.max(0.001, (at - this.#prev.at) / 1000) : 0;
    const pids: Record<string, ReturnType<typeof usage>> = {};
    let rss = 0, user = 0, system = 0;
    for (const p of procs) {
      const before = this.#prev?.ticks.get(p.pid);
      const u = before && secs > 0 ? ((p.utime - before.utime) / CLK_TCK / secs) * 100 : 0;
      const s = before && secs > 0 ? ((p.stime - before.stime) / CLK_TCK / secs) * 100 : 0;
      pids[String(p.pid)] = usage(p.rss, u, s, this.#mhz);
      rss += p.rss;
      user += u;
      system += s;
    }
    this.#prev = { at, ticks };
    return { ResourceUsage: usage(rss, user, system, this.#mhz), Timestamp: at * 1e6, Pids: pids };
  }
}

function usage(rss: number, user: number, system: number, mhz: number) {
  const percent = user + system;
  return {
    MemoryStats: { RSS: rss, Cache: 0, Swap: 0, Usage: 0, MaxUsage: 0, Measured: ["RSS"] },
    CpuStats: {
      SystemMode: system,
      UserMode: user,
      TotalTicks: (percent / 100) * mhz,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: percent,
      Measured: ["System Mode", "User Mode", "Percent"],
    },
  };
}
