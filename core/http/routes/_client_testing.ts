/**
 * A {@link ClientApi} for route tests: real allocation directories under a temporary folder,
 * served by the real {@link AllocFS} and {@link readTaskLogs}, with fixed statistics and a
 * record of the restarts, signals and collections asked for. It runs no tasks.
 *
 * @module
 */
import type {
  AllocResourceUsage,
  ClientApi,
  HostStats,
  LogReadOptions,
  ResourceUsage,
} from "../../client/api.ts";
import type { AllocFS, StreamFrame } from "../../client/alloc_fs.ts";
import { AllocDir } from "../../client/allocdir.ts";
import { readTaskLogs } from "../../client/logreader.ts";
import { NotFoundError, ValidationError } from "../../structs/errors.ts";

/** A resource usage with every figure `n`. */
export function usage(n: number): ResourceUsage {
  return {
    MemoryStats: {
      RSS: n,
      Cache: 0,
      Swap: 0,
      Usage: n,
      MaxUsage: n,
      KernelUsage: 0,
      KernelMaxUsage: 0,
      Measured: ["RSS"],
    },
    CpuStats: {
      SystemMode: 0,
      UserMode: 0,
      TotalTicks: n,
      ThrottledPeriods: 0,
      ThrottledTime: 0,
      Percent: 1,
      Measured: ["Percent"],
    },
    DeviceStats: null,
  };
}

/** The host statistics {@link DirClient.hostStats} answers. */
export const HOST_STATS: HostStats = {
  Memory: { Total: 1024, Available: 512, Used: 512, Free: 256 },
  CPU: [{ CPU: "cpu0", User: 1, System: 1, Idle: 98 }],
  DiskStats: [],
  AllocDirStats: null,
  DeviceStats: null,
  Uptime: 60,
  Timestamp: 1_700_000_000_000_000_000,
  CPUTicksConsumed: 10,
};

const SIGNALS = new Set(["SIGHUP", "SIGINT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGKILL"]);

/** A client over allocation directories in a temporary folder. */
export class DirClient implements ClientApi, AsyncDisposable {
  readonly nodeId: string;
  /** The client's alloc dir. */
  readonly root: string;
  /** What was asked of it, one line per call (`restart a1 web`, `signal a1 - SIGHUP`, ...). */
  readonly calls: string[] = [];
  readonly #allocs = new Map<string, { dir: AllocDir; tasks: string[] }>();

  private constructor(nodeId: string, root: string) {
    this.nodeId = nodeId;
    this.root = root;
  }

  /** A client for node `nodeId` with no allocations. */
  static async create(nodeId: string): Promise<DirClient> {
    return new DirClient(nodeId, await Deno.makeTempDir({ prefix: "client_routes_" }));
  }

  /** Builds an allocation's directory with its tasks' directories. */
  async addAlloc(allocId: string, tasks: readonly string[]): Promise<AllocDir> {
    const dir = new AllocDir(this.root, allocId);
    await dir.build();
    for (const t of tasks) await dir.buildTask(t);
    this.#allocs.set(allocId, { dir, tasks: [...tasks] });
    return dir;
  }

  #alloc(allocId: string): { dir: AllocDir; tasks: string[] } {
    const a = this.#allocs.get(allocId);
    if (a === undefined) throw new NotFoundError(`Unknown allocation ${JSON.stringify(allocId)}`);
    return a;
  }

  #task(allocId: string, task: string | undefined): void {
    const a = this.#alloc(allocId);
    if (task !== undefined && !a.tasks.includes(task)) {
      throw new ValidationError(`unknown task name ${JSON.stringify(task)}`, []);
    }
  }

  allocFS(allocId: string): AllocFS {
    return this.#alloc(allocId).dir.fs;
  }

  async *readLogs(allocId: string, opts: LogReadOptions): AsyncGenerator<StreamFrame> {
    this.#task(allocId, opts.task);
    yield* readTaskLogs(this.#alloc(allocId).dir.logDir, opts.task, opts.type, {
      origin: opts.origin,
      offset: opts.offset,
      follow: opts.follow,
      pollIntervalMs: 20,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  allocStats(allocId: string, task?: string): Promise<AllocResourceUsage> {
    try {
      this.#task(allocId, task);
    } catch (err) {
      return Promise.reject(err);
    }
    const tasks = this.#alloc(allocId).tasks.filter((t) => task === undefined || t === task);
    return Promise.resolve({
      ResourceUsage: usage(tasks.length),
      Tasks: Object.fromEntries(
        tasks.map((t) => [t, { ResourceUsage: usage(1), Timestamp: 1, Pids: null }]),
      ),
      Timestamp: 1,
    });
  }

  restartAlloc(allocId: string, opts: { task?: string; allTasks?: boolean }): Promise<void> {
    try {
      this.#task(allocId, opts.task);
    } catch (err) {
      return Promise.reject(err);
    }
    this.calls.push(`restart ${allocId} ${opts.task ?? "-"} ${opts.allTasks ? "all" : "running"}`);
    return Promise.resolve();
  }

  signalAlloc(allocId: string, opts: { task?: string; signal: string }): Promise<void> {
    try {
      this.#task(allocId, opts.task);
      if (!SIGNALS.has(opts.signal)) {
        throw new ValidationError(`invalid signal ${JSON.stringify(opts.signal)}`, []);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    this.calls.push(`signal ${allocId} ${opts.task ?? "-"} ${opts.signal}`);
    return Promise.resolve();
  }

  async gcAlloc(allocId: string): Promise<void> {
    await this.#alloc(allocId).dir.destroy();
    this.#allocs.delete(allocId);
    this.calls.push(`gc ${allocId}`);
  }

  async gcAll(): Promise<void> {
    for (const id of [...this.#allocs.keys()]) await this.gcAlloc(id);
    this.calls.push("gc all");
  }

  hostStats(): Promise<HostStats> {
    return Promise.resolve(HOST_STATS);
  }

  /** Removes the temporary folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}
