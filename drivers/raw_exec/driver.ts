/**
 * The raw_exec driver: runs a host command with no isolation, as the agent's user (or `user`).
 * Disabled unless the plugin config says `enabled = true` or the client option
 * `driver.raw_exec.enable` is true; a disabled driver fingerprints `undetected` and refuses every
 * `startTask`.
 *
 * Each task runs under its own executor process (`_executor.ts`), started detached, so the task
 * outlives the Worker and the agent. The executor records pids, start times, heartbeats and the
 * exit in `<task dir>/.executor/state.json`; the handle keeps the same pids and start times, so
 * `recoverTask` re-attaches only to the processes this handle started and never starts a task
 * twice, and `waitTask` reports an exit that happened while the agent was down.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import {
  type Capabilities,
  type ConfigSchema,
  type Driver,
  DRIVER_API_VERSION,
  type DriverConfig,
  type ExecTaskResult,
  type ExitResult,
  type Fingerprint,
  now,
  type PluginInfo,
  sleep,
  type StartTaskResult,
  type TaskConfig,
  type TaskEvent,
  TaskEventBroadcaster,
  type TaskHandle,
  TaskNotFoundError,
  type TaskResourceUsage,
  type TaskStatus,
} from "../../plugins/sdk.ts";
import {
  CONFIG_SCHEMA,
  decodePluginConfig,
  decodeTaskConfig,
  RAW_EXEC_NAME,
  type RawExecConfig,
  TASK_SCHEMA,
  taskEnv,
} from "./_config.ts";
import { awaitExecutorStart, reapExecutor, request, startExecutor } from "./_executor_client.ts";
import { type CheckMode, checkTask } from "./_watch.ts";
import {
  executorPaths,
  type ExecutorState,
  type ExecValue,
  PROTOCOL_VERSION,
  readJson,
  type StatusValue,
} from "./_protocol.ts";
import { type RawExecDriverState, RawExecTask } from "./_task.ts";

const HANDLE_VERSION = 1;
const FINGERPRINT_EVERY_MS = 30_000;
const HEARTBEAT_MS = 1_000;
/** A heartbeat older than this makes the driver ask whether the executor is still there. */
const STALE_MS = 10_000;
const MONITOR_EVERY_MS = 100;
const REQUEST_MS = 5_000;
const START_MS = 30_000;

/** The raw_exec driver. */
export class RawExecDriver implements Driver {
  #config: RawExecConfig;
  #deno: string;
  #log: DriverConfig["logger"];
  #tasks = new Map<string, RawExecTask>();
  #events = new TaskEventBroadcaster();
  #monitor: ReturnType<typeof setInterval>;

  /** @throws {ConfigError} When the plugin config does not match its schema. */
  constructor(config: DriverConfig) {
    this.#config = decodePluginConfig(config);
    this.#deno = config.paths.deno;
    this.#log = config.logger;
    this.#monitor = setInterval(() => this.#watch(), MONITOR_EVERY_MS);
  }

  pluginInfo(): PluginInfo {
    return {
      Type: "driver",
      PluginApiVersions: [DRIVER_API_VERSION],
      PluginVersion: "0.1.0",
      Name: RAW_EXEC_NAME,
    };
  }
  configSchema(): ConfigSchema {
    return CONFIG_SCHEMA;
  }
  taskConfigSchema(): ConfigSchema {
    return TASK_SCHEMA;
  }
  capabilities(): Capabilities {
    return {
      SendSignals: true,
      Exec: true,
      FSIsolation: "none",
      NetIsolationModes: ["host", "group"],
      MustInitiateNetwork: false,
      MountConfigs: "none",
    };
  }

  async *fingerprint(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    do {
      yield this.#config.enabled
        ? {
          Attributes: { [`driver.${RAW_EXEC_NAME}`]: true },
          Health: "healthy",
          HealthDescription: "Healthy",
        }
        : { Attributes: {}, Health: "undetected", HealthDescription: "disabled" };
    } while (await sleep(FINGERPRINT_EVERY_MS, signal));
  }

  async startTask(config: TaskConfig): Promise<StartTaskResult> {
    if (!this.#config.enabled) {
      throw new Error(
        `${RAW_EXEC_NAME} is disabled: enable it with plugin "${RAW_EXEC_NAME}" { config { enabled = true } } ` +
          `or the client option "driver.${RAW_EXEC_NAME}.enable" = "1"`,
      );
    }
    if (this.#tasks.has(config.ID)) throw new Error(`task with ID "${config.ID}" already started`);
    const cfg = decodeTaskConfig(config);
    const dir = join(config.TaskDir.Dir, ".executor");
    const paths = executorPaths(dir);
    const previous = readJson<ExecutorState>(paths.state);
    if (previous !== null) {
      if (previous.exit === null) {
        const answers = await request(dir, { op: "status" }, 2_000).then(() => true, () => false);
        if (answers) {
          throw new Error(
            `task "${config.ID}" already has a running executor (pid ${previous.executor.pid}); ` +
              "recover it with its handle instead of starting it again",
          );
        }
        // The executor is gone but may have left its task running: the reaper kills it (if it
        // is still the process recorded), so that the task never runs twice.
        await reapExecutor(this.#deno, dir);
      }
      rmSync(dir, { recursive: true, force: true });
    }

    const child = startExecutor(this.#deno, dir, {
      version: PROTOCOL_VERSION,
      taskId: config.ID,
      command: cfg.command,
      args: cfg.args,
      env: taskEnv(config.Env, [...this.#config.denied_envvars, ...cfg.denied_envvars]),
      cwd: cfg.work_dir || config.TaskDir.Dir,
      taskDir: config.TaskDir.Dir,
      stdoutPath: config.StdoutPath,
      stderrPath: config.StderrPath,
      user: config.User,
      heartbeatMs: HEARTBEAT_MS,
    });
    const state = await awaitExecutorStart(child, dir, config.ID, START_MS);
    const ds: RawExecDriverState = {
      ExecDir: dir,
      Executor: state.executor,
      Task: state.task,
      StartedAt: state.startedAt,
    };
    const task = this.#track(config, ds, state);
    child.on("exit", () => void this.#check(task, "confirm"));
    this.#emit(
      config,
      `executor started (pid ${ds.Executor.pid}), task process pid ${ds.Task?.pid}`,
    );
    const handle: TaskHandle = {
      Version: HANDLE_VERSION,
      Config: config,
      State: "running",
      DriverState: { ...ds },
    };
    return { handle };
  }

  async recoverTask(handle: TaskHandle): Promise<void> {
    const id = handle.Config.ID;
    if (this.#tasks.has(id)) return;
    const fail = (why: string) =>
      new Error(`failed to reattach to executor of task "${id}": ${why}`);
    if (handle.Version !== HANDLE_VERSION) {
      throw fail(`handle version ${handle.Version} is not ${HANDLE_VERSION}`);
    }
    const ds = handle.DriverState as RawExecDriverState | null;
    if (ds === null || typeof ds.ExecDir !== "string" || typeof ds.Executor?.pid !== "number") {
      throw fail("the handle holds no raw_exec driver state");
    }
    const paths = executorPaths(ds.ExecDir);
    const state = readJson<ExecutorState>(paths.state);
    if (state === null) throw fail(`no executor state at ${paths.state}`);
    const same = (
      a: { pid: number; startTicks: number } | null,
      b: { pid: number; startTicks: number } | null,
    ) => a?.pid === b?.pid && a?.startTicks === b?.startTicks;
    if (state.taskId !== id || !same(state.executor, ds.Executor) || !same(state.task, ds.Task)) {
      throw fail(
        `${paths.state} belongs to another executor (pid ${state.executor.pid}) than the handle's`,
      );
    }
    const task = this.#track(handle.Config, ds, state);
    if (!task.running) return;
    try {
      const status = await request(ds.ExecDir, { op: "status" }, 3_000) as StatusValue;
      if (!same(status.executor, ds.Executor) || !same(status.task, ds.Task)) {
        throw fail("the executor answering is not the one the handle started");
      }
      if (status.exit !== null) task.finish(status.exit);
    } catch (err) {
      if ((err as Error).message.startsWith("failed to reattach")) {
        this.#tasks.delete(id);
        throw err;
      }
      await this.#check(task, "reap");
    }
  }

  async waitTask(taskId: string, signal: AbortSignal): Promise<ExitResult> {
    const task = this.#get(taskId);
    signal.throwIfAborted();
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([task.done, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async stopTask(taskId: string, timeoutMs: number, signal: string): Promise<void> {
    const task = this.#get(taskId);
    if (!task.running) return;
    try {
      await request(task.state.ExecDir, { op: "stop", signal, timeoutMs }, REQUEST_MS);
    } catch (err) {
      await this.#check(task, "confirm");
      if (!task.running) return;
      throw new Error(`executor Shutdown failed for task "${taskId}": ${(err as Error).message}`);
    }
    const ended = await Promise.race([
      task.done.then(() => true),
      sleep(timeoutMs + 10_000).then(() => false),
    ]);
    if (!ended) {
      throw new Error(
        `task "${taskId}" did not exit within ${timeoutMs + 10_000} ms of being stopped`,
      );
    }
  }

  async destroyTask(taskId: string, force: boolean): Promise<void> {
    const task = this.#get(taskId);
    if (task.running) {
      if (!force) {
        throw new Error(`cannot destroy running task "${taskId}": stop it first or force`);
      }
      await request(task.state.ExecDir, { op: "kill" }, REQUEST_MS).catch(() =>
        this.#check(task, "confirm")
      );
      await Promise.race([task.done, sleep(10_000)]);
    }
    this.#tasks.delete(taskId);
    rmSync(task.state.ExecDir, { recursive: true, force: true });
  }

  async inspectTask(taskId: string): Promise<TaskStatus> {
    await Promise.resolve();
    return this.#get(taskId).status();
  }

  async *taskStats(
    taskId: string,
    intervalMs: number,
    signal: AbortSignal,
  ): AsyncGenerator<TaskResourceUsage> {
    const task = this.#get(taskId);
    do {
      if (!task.running) return;
      let usage: TaskResourceUsage;
      try {
        usage = await request(task.state.ExecDir, { op: "stats" }, REQUEST_MS) as TaskResourceUsage;
      } catch (err) {
        if (!task.running) return;
        throw err;
      }
      yield usage;
    } while (await sleep(intervalMs, signal));
  }

  taskEvents(signal: AbortSignal): AsyncIterable<TaskEvent> {
    return this.#events.subscribe(signal);
  }

  async signalTask(taskId: string, signal: string): Promise<void> {
    const task = this.#get(taskId);
    await request(task.state.ExecDir, { op: "signal", signal }, REQUEST_MS);
  }

  async execTask(taskId: string, command: string[], timeoutMs: number): Promise<ExecTaskResult> {
    const task = this.#get(taskId);
    const [cmd, ...args] = command;
    if (cmd === undefined) throw new TypeError("error cmd must have at least one value");
    const r = await request(
      task.state.ExecDir,
      { op: "exec", command: cmd, args, timeoutMs },
      timeoutMs + REQUEST_MS,
    ) as ExecValue;
    return {
      Stdout: new Uint8Array(Buffer.from(r.stdout, "base64")),
      Stderr: new Uint8Array(Buffer.from(r.stderr, "base64")),
      ExitResult: { ExitCode: r.exitCode, Signal: r.signal, OOMKilled: false, Err: null },
    };
  }

  async shutdown(): Promise<void> {
    clearInterval(this.#monitor);
    await Promise.resolve();
  }

  #track(config: TaskConfig, ds: RawExecDriverState, state: ExecutorState): RawExecTask {
    const task = new RawExecTask(config, ds);
    if (state.exit !== null) task.finish(state.exit);
    this.#tasks.set(config.ID, task);
    return task;
  }

  /** Polls the running tasks' state files for exits and stale heartbeats. */
  #watch(): void {
    for (const task of this.#tasks.values()) {
      if (task.running && !task.checking) void this.#check(task, "poll");
    }
  }

  #check(task: RawExecTask, mode: CheckMode): Promise<void> {
    return checkTask(task, mode, {
      deno: this.#deno,
      staleMs: STALE_MS,
      onReaped: (err) => {
        this.#log.log("warn", "executor died; task reaped", {
          task_id: task.config.ID,
          error: err,
        });
        this.#emit(task.config, err);
      },
      onError: (err) => {
        this.#log.log("error", "cannot check task", {
          task_id: task.config.ID,
          error: err.message,
        });
      },
    });
  }

  #get(taskId: string): RawExecTask {
    const task = this.#tasks.get(taskId);
    if (task === undefined) throw new TaskNotFoundError(taskId);
    return task;
  }

  #emit(config: TaskConfig, message: string): void {
    this.#events.emit({
      TaskID: config.ID,
      TaskName: config.Name,
      AllocID: config.AllocID,
      Timestamp: now(),
      Message: message,
      Annotations: {},
    });
  }
}

/** The raw_exec driver's factory (the module's default export). */
export default function createRawExecDriver(config: DriverConfig): Driver {
  return new RawExecDriver(config);
}
