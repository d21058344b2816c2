/**
 * What the driver knows of processes, read from Linux's `/proc/<pid>/stat` through one `cat` per
 * batch (see `_sh.ts` for why not directly): whether a recorded process still runs (its pid
 * with the same start time, and not a zombie — this machine's PID 1 may never reap orphans), a
 * zombie's exit status, and the CPU and memory use of a task's session for `taskStats`.
 *
 * @module
 */
import type { ResourceUsage, TaskResourceUsage } from "../../plugins/sdk.ts";
import type { ProcessId } from "./_executor.ts";
import { sh } from "./_sh.ts";

/** Clock ticks per second (`getconf CLK_TCK`), 100 on every Linux Nomad supports. */
const CLK_TCK = 100;
/** Page size for `/proc/<pid>/stat`'s rss field. */
const PAGE_SIZE = 4096;

/** The fields of `/proc/<pid>/stat` the driver uses. */
export interface ProcStat {
  /** The pid. */
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, X (dead), ... */
  state: string;
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
  /** For a zombie, its status as `waitpid` reports it (field 52). */
  waitStatus: number;
}

/** Parses the lines of any number of `/proc/<pid>/stat` files. */
export function parseStats(text: string): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const line of text.split("\n")) {
    // The command name (field 2) is in parentheses and may hold spaces or parentheses.
    const end = line.lastIndexOf(") ");
    const pid = Number.parseInt(line, 10);
    if (end < 0 || !Number.isInteger(pid)) continue;
    const f = line.slice(end + 2).split(" ");
    const num = (field: number) => Number(f[field - 3] ?? "0");
    out.set(pid, {
      pid,
      state: f[0] ?? "?",
      session: num(6),
      utime: num(14),
      stime: num(15),
      startTicks: num(22),
      rss: num(24) * PAGE_SIZE,
      waitStatus: num(52),
    });
  }
  return out;
}

/** Whether `id` runs: its pid is in `procs` with the same start time and is not a zombie. */
export function isRunning(procs: Map<number, ProcStat>, id: ProcessId): boolean {
  const s = procs.get(id.pid);
  return s !== undefined && s.startTicks === id.startTicks && s.state !== "Z" && s.state !== "X";
}

/** The exit code and signal of `id` when it is an unreaped zombie, else `null`. */
export function zombieExit(
  procs: Map<number, ProcStat>,
  id: ProcessId,
): { code: number; signal: number } | null {
  const s = procs.get(id.pid);
  if (s === undefined || s.startTicks !== id.startTicks || s.state !== "Z") return null;
  const signal = s.waitStatus & 0x7f;
  return signal === 0
    ? { code: (s.waitStatus >> 8) & 0xff, signal }
    : { code: 128 + signal, signal };
}

/** Every process at one moment. */
export interface ProcSnapshot {
  /** When it was read, in Unix milliseconds. */
  at: number;
  /** The processes by pid. */
  procs: Map<number, ProcStat>;
}

/** Reads `/proc` for the driver; concurrent readers share one shell run. */
export class ProcReader {
  #wanted = new Set<number>();
  #batch: Promise<Map<number, ProcStat>> | null = null;
  #all: { at: number; snapshot: Promise<ProcSnapshot> } | null = null;
  #mhz: Promise<number> | null = null;
  #boot: Promise<string> | null = null;

  /** The stat of each of `pids` that exists (one `cat` for every caller of this tick). */
  stats(pids: readonly number[]): Promise<Map<number, ProcStat>> {
    for (const pid of pids) this.#wanted.add(pid);
    this.#batch ??= new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
      const wanted = [...this.#wanted].map((pid) => `${pid}/stat`);
      this.#wanted.clear();
      this.#batch = null;
      return sh('cd /proc && exec cat -- "$@" 2>/dev/null', wanted).then(parseStats);
    });
    return this.#batch;
  }

  /** Every process, read at most `maxAgeMs` ago (one read for every caller meanwhile). */
  all(maxAgeMs: number): Promise<ProcSnapshot> {
    const at = Date.now();
    if (this.#all === null || at - this.#all.at > maxAgeMs) {
      const snapshot = sh("cd /proc && exec cat -- [0-9]*/stat 2>/dev/null").then((text) => ({
        at,
        procs: parseStats(text),
      }));
      this.#all = { at, snapshot };
      snapshot.catch(() => (this.#all = null));
    }
    return this.#all.snapshot;
  }

  /** This boot's ID (`/proc/sys/kernel/random/boot_id`); read once. */
  bootId(): Promise<string> {
    this.#boot ??= sh("exec cat /proc/sys/kernel/random/boot_id").then((text) => text.trim());
    return this.#boot;
  }

  /** The CPU's clock in MHz (`/proc/cpuinfo`), 0 when unknown; read once. */
  cpuMhz(): Promise<number> {
    this.#mhz ??= sh("exec cat /proc/cpuinfo 2>/dev/null").then((text) => {
      const m = /cpu MHz\s*:\s*([\d.]+)/.exec(text);
      return m ? Number(m[1]) : 0;
    }, () => 0);
    return this.#mhz;
  }
}

const sessions = new WeakMap<Map<number, ProcStat>, Map<number, ProcStat[]>>();

/** The live processes of a snapshot by session, computed once per snapshot. */
function bySession(procs: Map<number, ProcStat>): Map<number, ProcStat[]> {
  let index = sessions.get(procs);
  if (index === undefined) {
    index = new Map();
    for (const p of procs.values()) {
      if (p.state === "Z" || p.state === "X") continue;
      const list = index.get(p.session);
      if (list === undefined) index.set(p.session, [p]);
      else list.push(p);
    }
    sessions.set(procs, index);
  }
  return index;
}

interface Sample {
  at: number;
  ticks: Map<number, { utime: number; stime: number }>;
}

/** Measures one session; CPU percent is over the time since the previous `sample()`. */
export class UsageSampler {
  #sid: number;
  #prev: Sample | null = null;

  /** @param sid The session to measure (the task's pid: it leads its own session). */
  constructor(sid: number) {
    this.#sid = sid;
  }

  /** The session's usage in the snapshot `procs`, taken at `at` (Unix ms). */
  sample(procs: Map<number, ProcStat>, at: number, mhz: number): TaskResourceUsage {
    const mine = bySession(procs).get(this.#sid) ?? [];
    const secs = this.#prev ? Math.max(0.001, (at - this.#prev.at) / 1000) : 0;
    const pids: Record<string, ResourceUsage> = {};
    let rss = 0, user = 0, system = 0;
    for (const p of mine) {
      const before = this.#prev?.ticks.get(p.pid);
      const u = before && secs > 0 ? ((p.utime - before.utime) / CLK_TCK / secs) * 100 : 0;
      const s = before && secs > 0 ? ((p.stime - before.stime) / CLK_TCK / secs) * 100 : 0;
      pids[String(p.pid)] = usage(p.rss, u, s, mhz);
      rss += p.rss;
      user += u;
      system += s;
    }
    this.#prev = { at, ticks: new Map(mine.map((p) => [p.pid, p])) };
    return { ResourceUsage: usage(rss, user, system, mhz), Timestamp: at * 1e6, Pids: pids };
  }
}

function usage(rss: number, user: number, system: number, mhz: number): ResourceUsage {
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
