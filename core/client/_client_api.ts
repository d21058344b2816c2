/**
 * The client's {@linkcode ClientApi}: what the agent's `/v1/client/...` routes call — an
 * allocation's files (secrets and private directories refused by `AllocFS`), a task's logs
 * across rotations, resource usage from the drivers, restarts, signals, garbage collection, and
 * the host's statistics.
 *
 * @module
 */
import { NotFoundError, ValidationError } from "../structs/errors.ts";
import type { ResourceUsage as DriverUsage } from "../../plugins/sdk.ts";
import type { AllocRunner } from "./_alloc_runner.ts";
import { errorMessage } from "./_common.ts";
import type { HostStatsCollector } from "./_host_stats.ts";
import type {
  AllocResourceUsage,
  ClientApi,
  HostStats,
  LogReadOptions,
  ResourceUsage,
} from "./api.ts";
import type { AllocFS, StreamFrame } from "./alloc_fs.ts";
import { newTaskEvent, TaskEventType as T } from "./events.ts";
import { SIGNALS } from "./fingerprint.ts";
import { readTaskLogs } from "./logreader.ts";

/** What the API needs of the client. */
export interface ClientApiCore {
  readonly nodeId: string;
  /** The runner of an allocation this client runs. */
  runner(allocId: string): AllocRunner | undefined;
  /** Every runner. */
  runners(): Iterable<AllocRunner>;
  /** Destroys a terminal allocation and forgets it. */
  collect(allocId: string): Promise<void>;
  readonly hostStats: HostStatsCollector;
}

function emptyUsage(): ResourceUsage {
  return {
    MemoryStats: {
      RSS: 0,
      Cache: 0,
      Swap: 0,
      Usage: 0,
      MaxUsage: 0,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: null,
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: 0,
      TotalTicks: 0,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: 0,
      Measured: null,
    },
    DeviceStats: null,
  };
}

function toUsage(u: DriverUsage): ResourceUsage {
  const out = emptyUsage();
  if (u.MemoryStats) Object.assign(out.MemoryStats, u.MemoryStats);
  if (u.CpuStats) Object.assign(out.CpuStats, u.CpuStats);
  return out;
}

function addUsage(into: ResourceUsage, u: ResourceUsage): void {
  const m = into.MemoryStats, c = into.CpuStats;
  m.RSS += u.MemoryStats.RSS;
  m.Cache += u.MemoryStats.Cache;
  m.Swap += u.MemoryStats.Swap;
  m.Usage += u.MemoryStats.Usage;
  m.MaxUsage += u.MemoryStats.MaxUsage;
  m.Measured ??= u.MemoryStats.Measured;
  c.SystemMode += u.CpuStats.SystemMode;
  c.UserMode += u.CpuStats.UserMode;
  c.TotalTicks += u.CpuStats.TotalTicks;
  c.Percent += u.CpuStats.Percent;
  c.Measured ??= u.CpuStats.Measured;
}

/** The {@linkcode ClientApi} over a client. */
export class ClientApiImpl implements ClientApi {
  readonly #core: ClientApiCore;

  constructor(core: ClientApiCore) {
    this.#core = core;
  }

  get nodeId(): string {
    return this.#core.nodeId;
  }

  #runner(allocId: string): AllocRunner {
    const ar = this.#core.runner(allocId);
    if (ar === undefined) throw new NotFoundError(`Unknown allocation "${allocId}"`);
    return ar;
  }

  #task(ar: AllocRunner, task: string) {
    const tr = ar.task(task);
    if (tr === undefined) {
      throw new NotFoundError(
        `Allocation "${ar.id}" has no task "${task}" (tasks: ${[...ar.tasks.keys()].join(", ")})`,
      );
    }
    return tr;
  }

  allocFS(allocId: string): AllocFS {
    return this.#runner(allocId).dir.fs;
  }

  readLogs(allocId: string, opts: LogReadOptions): AsyncGenerator<StreamFrame> {
    const ar = this.#runner(allocId);
    this.#task(ar, opts.task);
    return readTaskLogs(ar.dir.logDir, opts.task, opts.type, {
      origin: opts.origin,
      offset: opts.offset,
      follow: opts.follow,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  async allocStats(allocId: string, task?: string): Promise<AllocResourceUsage> {
    const ar = this.#runner(allocId);
    const runners = task !== undefined ? [this.#task(ar, task)] : [...ar.tasks.values()];
    const out: AllocResourceUsage = { ResourceUsage: emptyUsage(), Tasks: {}, Timestamp: 0 };
    const ctl = new AbortController();
    try {
      await Promise.all(runners.map(async (tr) => {
        const s = await tr.stats(ctl.signal).catch(() => null);
        if (s === null) return;
        const usage = toUsage(s.ResourceUsage);
        const pids = s.Pids === null
          ? null
          : Object.fromEntries(Object.entries(s.Pids).map(([k, v]) => [k, toUsage(v)]));
        out.Tasks[tr.name] = { ResourceUsage: usage, Timestamp: s.Timestamp, Pids: pids };
        addUsage(out.ResourceUsage, usage);
        out.Timestamp = Math.max(out.Timestamp, s.Timestamp);
      }));
    } finally {
      ctl.abort();
    }
    if (out.Timestamp === 0) out.Timestamp = Date.now() * 1_000_000;
    return out;
  }

  async restartAlloc(allocId: string, opts: { task?: string; allTasks?: boolean }): Promise<void> {
    const ar = this.#runner(allocId);
    if (opts.allTasks && opts.task) {
      throw new ValidationError("task name cannot be set when restarting all tasks", []);
    }
    try {
      if (opts.task) {
        const event = newTaskEvent(T.RestartSignal, {
          restartReason: "User requested task to restart",
        });
        return await this.#task(ar, opts.task).restart(event, false);
      }
      const all = opts.allTasks === true;
      const reason = all
        ? "User requested all tasks to restart"
        : "User requested running tasks to restart";
      await Promise.all([...ar.tasks.values()].map(async (tr) => {
        const event = newTaskEvent(T.RestartSignal, { restartReason: reason });
        if (all) return await tr.forceRestart(event).catch(() => {});
        if (tr.state.State === "running") await tr.restart(event, false);
      }));
    } catch (err) {
      if (err instanceof NotFoundError) throw err;
      throw new ValidationError(`Cannot restart allocation "${allocId}": ${errorMessage(err)}`, []);
    }
  }

  async signalAlloc(allocId: string, opts: { task?: string; signal: string }): Promise<void> {
    const ar = this.#runner(allocId);
    const sig = opts.signal.toUpperCase();
    if (!SIGNALS.includes(sig)) {
      throw new ValidationError(
        `Cannot signal allocation "${allocId}": unknown signal "${opts.signal}" (use one of ${
          SIGNALS.join(", ")
        })`,
        [],
      );
    }
    const runners = opts.task ? [this.#task(ar, opts.task)] : [...ar.tasks.values()];
    const problems: string[] = [];
    for (const tr of runners) {
      const event = newTaskEvent(T.Signaling, { signalText: sig });
      try {
        await tr.signal(event, sig);
      } catch (err) {
        problems.push(`Failed to signal task: ${tr.name}, err: ${errorMessage(err)}`);
      }
    }
    if (problems.length > 0) {
      throw new ValidationError(`Cannot signal allocation "${allocId}"`, problems);
    }
  }

  async gcAlloc(allocId: string): Promise<void> {
    const ar = this.#runner(allocId);
    if (!ar.terminal) {
      throw new ValidationError(
        `Cannot garbage collect allocation "${allocId}": its tasks are still running; stop it first`,
        [],
      );
    }
    await this.#core.collect(allocId);
  }

  async gcAll(): Promise<void> {
    const terminal = [...this.#core.runners()].filter((ar) => ar.terminal).map((ar) => ar.id);
    for (const id of terminal) await this.#core.collect(id);
  }

  hostStats(): Promise<HostStats> {
    return Promise.resolve(this.#core.hostStats.collect());
  }
}
