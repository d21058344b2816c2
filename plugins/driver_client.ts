/**
 * `DriverClient`: what the client holds for one loaded driver. It implements the `Driver`
 * contract by calling into the driver's Worker, and keeps the agent safe from the driver:
 *
 * - every call has a deadline (`PluginTimeoutError`), except `waitTask` and streams, which end
 *   with their `AbortSignal`;
 * - an error the driver throws rejects that call only;
 * - when the Worker crashes, exits or stops answering pings, calls in flight reject with
 *   `PluginCrashedError`, `fingerprint` streams report `unhealthy`, and the Worker is restarted
 *   with backoff. After a restart the client re-attaches every task it started or recovered
 *   (`recoverTask` with the handle it kept), so `waitTask`, `taskEvents` and `taskStats` carry on
 *   across the restart instead of failing.
 *
 * @module
 */
import type { Connection } from "./_connection.ts";
import type { DriverMeta, StreamMethod, UnaryMethod } from "./_rpc.ts";
import { NotSupportedError, PluginCrashedError, TaskNotFoundError } from "./errors.ts";
import type { PluginManifest } from "./manifest.ts";
import type {
  Capabilities,
  ConfigSchema,
  Driver,
  ExecTaskResult,
  ExitResult,
  Fingerprint,
  PluginInfo,
  StartTaskResult,
  TaskConfig,
  TaskEvent,
  TaskHandle,
  TaskResourceUsage,
  TaskStatus,
} from "./sdk.ts";

/** Deadlines and restart pacing of the plugin host, in milliseconds. */
export interface HostTimeouts {
  /** An ordinary call (`recoverTask`, `inspectTask`, `destroyTask`, `signalTask`). Default 30 s. */
  callMs: number;
  /** `startTask`. Default 120 s. */
  startMs: number;
  /** Loading the module and running the factory. Default 30 s. */
  loadMs: number;
  /** `stopTask` and `execTask` get their own timeout plus this. Default 30 s. */
  graceMs: number;
  /** How often the Worker is pinged. Default 1 s. */
  pingIntervalMs: number;
  /** An unanswered ping older than this means the Worker died or hangs. Default 10 s. */
  pingTimeoutMs: number;
  /** First restart delay after a crash; doubles while restarts keep failing. Default 250 ms. */
  restartBaseMs: number;
  /** Longest restart delay. Default 30 s. */
  restartMaxMs: number;
}

/** The defaults of `HostTimeouts`. */
export const DEFAULT_TIMEOUTS: Readonly<HostTimeouts> = {
  callMs: 30_000,
  startMs: 120_000,
  loadMs: 30_000,
  graceMs: 30_000,
  pingIntervalMs: 1_000,
  pingTimeoutMs: 10_000,
  restartBaseMs: 250,
  restartMaxMs: 30_000,
};

/** A crash that happens this soon after a start counts as a failed restart (longer backoff). */
const STABLE_AFTER_MS = 10_000;

/** What `DriverClient` needs from the host. */
export interface DriverClientOptions {
  /** The plugin's manifest. */
  manifest: PluginManifest;
  /** Starts a new Worker; `onCrash` must be called when it dies. */
  connect: (onCrash: (reason: string) => void) => Connection;
  /** Deadlines. */
  timeouts: HostTimeouts;
  /** Where the client's own warnings go. */
  warn: (message: string) => void;
}

/** The plugin's own condition (not the driver's fingerprinted health). */
export interface PluginStatus {
  /** Whether a Worker is up and answering. */
  running: boolean;
  /** How many times it was restarted after a crash. */
  restarts: number;
  /** Why it last crashed, or `null`. */
  lastCrash: string | null;
}

/** A loaded driver, implementing the `Driver` contract for the client. */
export class DriverClient implements Driver {
  /** The plugin's name. */
  readonly name: string;
  /** Its manifest. */
  readonly manifest: PluginManifest;
  #opts: DriverClientOptions;
  #conn: Connection | null = null;
  #meta: DriverMeta | null = null;
  #handles = new Map<string, TaskHandle>();
  #waiters: Array<{ resolve: (c: Connection) => void; reject: (e: Error) => void }> = [];
  #lastCrash: string | null = null;
  #restarts = 0;
  #failures = 0;
  #startedAt = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(opts: DriverClientOptions) {
    this.#opts = opts;
    this.manifest = opts.manifest;
    this.name = opts.manifest.name;
  }

  /** Starts the first Worker; rejects with `PluginLoadError` when the driver cannot be built. */
  async open(): Promise<void> {
    await this.#open(false);
  }

  /** The plugin's condition: running, restarts, last crash. */
  get status(): PluginStatus {
    return { running: this.#conn !== null, restarts: this.#restarts, lastCrash: this.#lastCrash };
  }

  /** The handles of the tasks this client tracks (started or recovered, not destroyed). */
  get handles(): TaskHandle[] {
    return [...this.#handles.values()];
  }

  pluginInfo(): PluginInfo {
    return structuredClone(this.#metaOrThrow().info);
  }
  configSchema(): ConfigSchema {
    return structuredClone(this.#metaOrThrow().configSchema);
  }
  taskConfigSchema(): ConfigSchema {
    return structuredClone(this.#metaOrThrow().taskConfigSchema);
  }
  capabilities(): Capabilities {
    return structuredClone(this.#metaOrThrow().capabilities);
  }

  /** Fingerprints; while the plugin is down it yields `unhealthy` once, then resumes after the restart. */
  async *fingerprint(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    while (!signal.aborted && !this.#closed) {
      if (this.#conn === null) {
        yield {
          Attributes: {},
          Health: "unhealthy",
          HealthDescription: `plugin crashed: ${this.#lastCrash ?? "unknown"}; restarting`,
        };
      }
      const ended = yield* this.#streamOnce<Fingerprint>("fingerprint", [null], signal);
      if (ended) return;
    }
  }

  async startTask(config: TaskConfig): Promise<StartTaskResult> {
    const res = await this.#call(
      "startTask",
      [config],
      this.#opts.timeouts.startMs,
    ) as StartTaskResult;
    this.#handles.set(config.ID, res.handle);
    return res;
  }

  async recoverTask(handle: TaskHandle): Promise<void> {
    await this.#call("recoverTask", [handle], this.#opts.timeouts.callMs);
    this.#handles.set(handle.Config.ID, handle);
  }

  /** Waits for the task's exit, across plugin restarts, until `signal` aborts. */
  async waitTask(taskId: string, signal: AbortSignal): Promise<ExitResult> {
    while (true) {
      const conn = await this.#ready(signal);
      try {
        return await conn.call("waitTask", [taskId, null], null, signal) as ExitResult;
      } catch (err) {
        if (!(err instanceof PluginCrashedError) || this.#closed || !this.#handles.has(taskId)) {
          throw err;
        }
      }
    }
  }

  async stopTask(taskId: string, timeoutMs: number, signal: string): Promise<void> {
    await this.#call(
      "stopTask",
      [taskId, timeoutMs, signal],
      timeoutMs + this.#opts.timeouts.graceMs,
    );
  }

  async destroyTask(taskId: string, force: boolean): Promise<void> {
    try {
      await this.#call("destroyTask", [taskId, force], this.#opts.timeouts.callMs);
    } catch (err) {
      if (!(err instanceof TaskNotFoundError)) throw err;
    }
    this.#handles.delete(taskId);
  }

  async inspectTask(taskId: string): Promise<TaskStatus> {
    return await this.#call("inspectTask", [taskId], this.#opts.timeouts.callMs) as TaskStatus;
  }

  /** Samples the task's usage; resumes after a plugin restart while the task is tracked. */
  async *taskStats(
    taskId: string,
    intervalMs: number,
    signal: AbortSignal,
  ): AsyncGenerator<TaskResourceUsage> {
    while (!signal.aborted && !this.#closed) {
      const ended = yield* this.#streamOnce<TaskResourceUsage>("taskStats", [
        taskId,
        intervalMs,
        null,
      ], signal);
      if (ended || !this.#handles.has(taskId)) return;
    }
  }

  /** Driver events for all tasks; resubscribes after a plugin restart. */
  async *taskEvents(signal: AbortSignal): AsyncGenerator<TaskEvent> {
    while (!signal.aborted && !this.#closed) {
      if (yield* this.#streamOnce<TaskEvent>("taskEvents", [null], signal)) return;
    }
  }

  async signalTask(taskId: string, signal: string): Promise<void> {
    if (!this.#metaOrThrow().has.signalTask) {
      throw new NotSupportedError(`driver "${this.name}" cannot send signals to tasks`);
    }
    await this.#call("signalTask", [taskId, signal], this.#opts.timeouts.callMs);
  }

  async execTask(taskId: string, command: string[], timeoutMs: number): Promise<ExecTaskResult> {
    if (!this.#metaOrThrow().has.execTask) {
      throw new NotSupportedError(`driver "${this.name}" cannot run commands in tasks`);
    }
    return await this.#call(
      "execTask",
      [taskId, command, timeoutMs],
      timeoutMs + this.#opts.timeouts.graceMs,
    ) as ExecTaskResult;
  }

  /** Unloads the driver: asks it to shut down, then stops its Worker. Tasks keep running. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null && this.#meta?.has.shutdown) {
      await conn.call("shutdown", [], 5_000).catch(() => {});
    }
    conn?.terminate();
    const err = new PluginCrashedError(this.name, "the plugin was unloaded");
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  async #open(isRestart: boolean): Promise<void> {
    const conn: Connection = this.#opts.connect((reason) => this.#onCrash(conn, reason));
    const meta = await conn.start(this.#opts.timeouts.loadMs);
    if (this.#closed) {
      conn.terminate();
      return;
    }
    if (isRestart) {
      for (const [id, handle] of [...this.#handles]) {
        try {
          await conn.call("recoverTask", [handle], this.#opts.timeouts.callMs);
        } catch (err) {
          if (conn.deadReason !== null) throw err;
          this.#handles.delete(id);
          this.#opts.warn(
            `plugin "${this.name}": cannot re-attach task "${id}" after a restart: ${
              (err as Error).message
            }`,
          );
        }
      }
    }
    this.#meta = meta;
    this.#conn = conn;
    this.#startedAt = Date.now();
    for (const w of this.#waiters.splice(0)) w.resolve(conn);
  }

  #onCrash(conn: Connection, reason: string): void {
    if (this.#closed || conn !== this.#conn) return;
    this.#conn = null;
    this.#lastCrash = reason;
    this.#restarts++;
    this.#failures = Date.now() - this.#startedAt < STABLE_AFTER_MS ? this.#failures + 1 : 0;
    this.#opts.warn(`plugin "${this.name}" crashed (${reason}); restarting it`);
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const { restartBaseMs, restartMaxMs } = this.#opts.timeouts;
    const delay = Math.min(restartMaxMs, restartBaseMs * 2 ** Math.min(this.#failures, 16));
    this.#restartTimer = setTimeout(() => {
      this.#open(true).catch((err) => {
        if (this.#closed) return;
        this.#failures++;
        this.#lastCrash = (err as Error).message;
        this.#opts.warn(`plugin "${this.name}" failed to restart: ${(err as Error).message}`);
        this.#scheduleRestart();
      });
    }, delay);
  }

  #ready(signal?: AbortSignal): Promise<Connection> {
    if (this.#closed) {
      return Promise.reject(new PluginCrashedError(this.name, "the plugin was unloaded"));
    }
    if (this.#conn !== null) return Promise.resolve(this.#conn);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Connection>((resolve, reject) => {
      const waiter = {
        resolve: (c: Connection) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(c);
        },
        reject: (e: Error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #call(method: UnaryMethod, args: unknown[], timeoutMs: number): Promise<unknown> {
    if (this.#conn === null) {
      const why = this.#closed ? "the plugin was unloaded" : `${this.#lastCrash}; it is restarting`;
      return Promise.reject(new PluginCrashedError(this.name, why));
    }
    return this.#conn.call(method, args, timeoutMs);
  }

  /** Runs one stream on the current Worker; returns `true` when it ended for good (not a crash). */
  async *#streamOnce<T>(
    method: StreamMethod,
    args: unknown[],
    signal: AbortSignal,
  ): AsyncGenerator<T, boolean> {
    const conn = this.#conn ?? await this.#ready(signal).catch(() => null);
    if (conn === null) return true;
    try {
      for await (const item of conn.stream(method, args, signal)) yield item as T;
      return true;
    } catch (err) {
      if (err instanceof PluginCrashedError && !this.#closed) return false;
      throw err;
    }
  }

  #metaOrThrow(): DriverMeta {
    if (this.#meta === null) {
      throw new PluginCrashedError(this.name, "the plugin has not been loaded");
    }
    return this.#meta;
  }
}
