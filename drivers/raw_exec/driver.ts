/**
 * The raw_exec driver: runs a host command with no isolation, as the agent's user (or `user`).
 * Disabled unless the plugin config says `enabled = true` or the client option
 * `driver.raw_exec.enable` is true; a disabled driver fingerprints `undetected` and refuses every
 * `startTask`.
 *
 * Each task runs under its own executor, a small `/bin/sh` script started detached
 * (`_executor.ts`), so the task outlives the Worker and the agent. The executor records the boot
 * ID and the pids and start times of itself and the task in `<task dir>/.executor/pids`, and the
 * task's exit in `.executor/exit`; the handle keeps the same boot ID, pids and start times, so
 * `recoverTask` re-attaches only to the processes this handle started and never starts a task
 * twice, and `waitTask` reports an exit that happened while the agent was down (or, after a
 * reboot, an unknown exit).
 *
 * The driver itself stops, signals and measures the task: the task leads its own session and
 * process group, so `stopTask` sends the kill signal (default SIGINT, as Nomad's executor) to
 * the whole group, SIGKILLs the group after the timeout, and kills what is left of it once the
 * task has exited; `taskStats` sums the session's processes from one read of `/proc` shared by
 * every task. An executor that died without recording an exit (SIGKILL) gets its task killed
 * and an exit whose `Err` says so (`_watch.ts`).
 *
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  type Capabilities,
  type ConfigSchema,
  type Driver,
  type DriverConfig,
  driverPluginInfo,
  type ExecTaskResult,
  type ExitResult,
  type Fingerprint,
  lookupTask,
  type PluginInfo,
  sleep,
  type StartTaskResult,
  type TaskConfig,
  type TaskEvent,
  TaskEventBroadcaster,
  type TaskHandle,
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
import { startExecutor } from "./_executor.ts";
import { ProcReader, UsageSampler } from "./_procfs.ts";
import { EXPORT_ARGS, Signaller, signalNumber, splitEnv } from "./_sh.ts";
import { checkHandle, type RawExecDriverState, RawExecTask } from "./_task.ts";
import { clearPrevious, killGroup, TaskWatcher } from "./_watch.ts";

const HANDLE_VERSION = 2;
const FINGERPRINT_EVERY_MS = 30_000;
/** How often the executors of recovered tasks are looked up in `/proc`. */
const POLL_MS = 1_000;
const START_MS = 30_000;
/** How long a killed task may take to be seen exiting. */
const EXIT_GRACE_MS = 10_000;
const SIGKILL = signalNumber("SIGKILL");

/** The raw_exec driver. */
export class RawExecDriver implements Driver {
  #config: RawExecConfig;
  #log: DriverConfig["logger"];
  #tasks = new Map<string, RawExecTask>();
  #starting = new Set<string>();
  #events = new TaskEventBroadcaster();
  #procs = new ProcReader();
  #signals = new Signaller();
  #watcher: TaskWatcher;

  /** @throws {ConfigError} When the plugin config does not match its schema. */
  constructor(config: DriverConfig) {
    this.#config = decodePluginConfig(config);
    this.#log = config.logger;
    this.#watcher = new TaskWatcher(() => this.#tasks.values(), {
      procs: this.#procs,
      signals: this.#signals,
      onReaped: (task, exit) => {
        const message = exit.Err ?? "the task's executor died after the task exited";
        this.#log.log("warn", "executor died", { task_id: task.config.ID, error: message });
        this.#emit(task.config, message);
      },
      onError: (task, err) =>
        this.#log.log("error", "cannot check task", {
          task_id: task.config.ID,
          error: err.message,
        }),
    }, { pollMs: POLL_MS });
  }

  pluginInfo(): PluginInfo {
    return driverPluginInfo(RAW_EXEC_NAME, "0.2.0");
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
    const id = config.ID;
    if (this.#tasks.has(id) || this.#starting.has(id)) {
      throw new Error(`task with ID "${id}" already started`);
    }
    const cfg = decodeTaskConfig(config);
    this.#starting.add(id);
    try {
      const dir = join(config.TaskDir.Dir, ".executor");
      await clearPrevious(id, dir, { procs: this.#procs, signals: this.#signals });
      const exec = this.#execContext(config);
      const startedAt = Date.now();
      const started = await startExecutor({
        dir,
        stdoutPath: config.StdoutPath,
        stderrPath: config.StderrPath,
        taskDir: config.TaskDir.Dir,
        user: config.User,
        command: cfg.command,
        args: cfg.args,
        ...exec,
      }, START_MS).catch((err: Error) => {
        this.#emit(config, err.message);
        throw err;
      });
      const ds: RawExecDriverState = {
        ExecDir: dir,
        BootID: started.boot,
        Executor: started.executor,
        Task: started.task,
        StartedAt: startedAt,
      };
      const task = this.#track(config, ds);
      this.#watcher.watchChild(task, started.child);
      this.#emit(
        config,
        `executor started (pid ${ds.Executor.pid}), task process pid ${ds.Task.pid}`,
      );
      return {
        handle: {
          Version: HANDLE_VERSION,
          Config: config,
          State: "running",
          DriverState: { ...ds },
        },
      };
    } finally {
      this.#starting.delete(id);
    }
  }

  async recoverTask(handle: TaskHandle): Promise<void> {
    const id = handle.Config.ID;
    if (this.#tasks.has(id)) return;
    const ds = checkHandle(handle, HANDLE_VERSION);
    const task = this.#track(handle.Config, ds);
    try {
      await this.#watcher.recovered(task);
    } catch (err) {
      this.#tasks.delete(id);
      throw err;
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
    const signo = signalNumber(signal || "SIGINT");
    task.stopping = true;
    const group = -task.state.Task.pid;
    await this.#signals.send(group, signo);
    if (await this.#ended(task, timeoutMs)) return;
    await this.#signals.send(group, SIGKILL);
    if (await this.#ended(task, EXIT_GRACE_MS)) return;
    throw new Error(
      `task "${taskId}" did not exit within ${timeoutMs + EXIT_GRACE_MS} ms of being stopped`,
    );
  }

  async destroyTask(taskId: string, force: boolean): Promise<void> {
    const task = this.#get(taskId);
    if (task.running) {
      if (!force) {
        throw new Error(`cannot destroy running task "${taskId}": stop it first or force`);
      }
      task.stopping = true;
      await this.#signals.send(-task.state.Task.pid, SIGKILL);
      await this.#ended(task, EXIT_GRACE_MS);
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
    const sampler = new UsageSampler(task.state.Task.pid);
    do {
      if (!task.running) return;
      // One read of /proc serves every task sampled within half an interval.
      const [snapshot, mhz] = await Promise.all([
        this.#procs.all(intervalMs / 2),
        this.#procs.cpuMhz(),
      ]);
      yield sampler.sample(snapshot.procs, snapshot.at, mhz);
    } while (await sleep(intervalMs, signal));
  }

  taskEvents(signal: AbortSignal): AsyncIterable<TaskEvent> {
    return this.#events.subscribe(signal);
  }

  async signalTask(taskId: string, signal: string): Promise<void> {
    const task = this.#get(taskId);
    const signo = signalNumber(signal);
    await this.#watcher.check(task, false);
    if (!task.running) throw new Error(`cannot signal task "${taskId}": it is not running`);
    if (!await this.#signals.send(task.state.Task.pid, signo)) {
      throw new Error(`cannot signal task "${taskId}": process ${task.state.Task.pid} is gone`);
    }
  }

  async execTask(taskId: string, command: string[], timeoutMs: number): Promise<ExecTaskResult> {
    const task = this.#get(taskId);
    if (command.length === 0) throw new TypeError("error cmd must have at least one value");
    const { env, exports } = splitEnv(task.env);
    const out = await new Deno.Command("/bin/sh", {
      args: [
        "-c",
        `${EXPORT_ARGS}; cd -- "$1" || exit 126; shift; exec "$@"`,
        "raw_exec-exec",
        String(exports.length),
        ...exports,
        task.cwd,
        ...command,
      ],
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const signo = out.signal === null ? 0 : signalNumber(out.signal);
    return {
      Stdout: out.stdout,
      Stderr: out.stderr,
      ExitResult: { ExitCode: out.code, Signal: signo, OOMKilled: false, Err: null },
    };
  }

  async shutdown(): Promise<void> {
    this.#watcher.close();
    await Promise.resolve();
  }

  /** The task's environment (minus denied variables) and working directory. */
  #execContext(config: TaskConfig): { env: Record<string, string>; cwd: string } {
    const cfg = decodeTaskConfig(config);
    return {
      env: taskEnv(config.Env, [...this.#config.denied_envvars, ...cfg.denied_envvars]),
      cwd: cfg.work_dir || config.TaskDir.Dir,
    };
  }

  #track(config: TaskConfig, ds: RawExecDriverState): RawExecTask {
    const task = new RawExecTask(config, ds, this.#execContext(config));
    this.#tasks.set(config.ID, task);
    void task.done.then(async () => {
      // A stop leaves no process of the task behind (Nomad kills the process tree too).
      if (task.stopping) {
        await killGroup(task.state.Task, { procs: this.#procs, signals: this.#signals });
      }
    }).catch(() => {});
    return task;
  }

  /** Waits up to `ms` for `task` to end (reading its `exit` file often when it is no child). */
  async #ended(task: RawExecTask, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (task.running) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const ac = new AbortController();
      await Promise.race([task.done, sleep(task.child ? left : Math.min(left, 50), ac.signal)]);
      ac.abort();
      if (!task.child) await this.#watcher.check(task, false);
    }
    return true;
  }

  #get(taskId: string): RawExecTask {
    return lookupTask(this.#tasks, taskId);
  }

  #emit(config: TaskConfig, message: string): void {
    this.#events.emitFor(config, message);
  }
}

/** The raw_exec driver's factory (the module's default export). */
export default function createRawExecDriver(config: DriverConfig): Driver {
  return new RawExecDriver(config);
}
