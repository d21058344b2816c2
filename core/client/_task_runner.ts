/**
 * The task runner: runs one task of an allocation through its life, as Nomad's does — wait
 * for its lifecycle gate, prepare it (validate, task directory, log pump, environment, config
 * interpolation), start it with its driver, wait for it, apply the restart policy, and kill it
 * with its `kill_signal` and `kill_timeout` (capped by the client's `max_kill_timeout`) when
 * told to.
 *
 * Events, in Nomad's order: `Received`, `Task Setup` ("Building Task Directory"), `Started`,
 * `Terminated`, then `Restarting` or `Not Restarting`; a kill adds `Killing` (from the alloc
 * runner), `Terminated`, `Killed`.
 *
 * Every change of the task's state, handle or restart tracker is written to the client's state
 * database before the runner acts on it; the driver's handle right after `startTask`. A runner
 * made from a persisted record re-attaches to a running task with `recoverTask` and never starts
 * it again; a task that exited while no agent ran has its exit reported and the restart policy
 * applied. `shutdown()` stops the runner and leaves the task running.
 *
 * @module
 */
import type { Allocation, TaskEvent, TaskState } from "../structs/alloc.ts";
import type { Task } from "../structs/task.ts";
import type { DriverClient } from "../../plugins/host.ts";
import {
  ERR_PLUGIN_SHUTDOWN,
  type ExitResult,
  type TaskHandle,
  TaskNotFoundError,
  type TaskResourceUsage,
} from "../../plugins/sdk.ts";
import { errorMessage } from "./_common.ts";
import { DriverUnavailableError } from "./_driver_manager.ts";
import type { PersistedTask } from "./_state_db.ts";
import type { TaskRunnerEnv } from "./_task_env.ts";
import { effectiveKillTimeout, killTask } from "./_task_kill.ts";
import { TaskRecord, terminatedEvent } from "./_task_record.ts";
import { buildTaskConfig, startLogPump, TaskValidationError, validateTask } from "./_task_setup.ts";
import { sleep } from "../structs/sleep.ts";
import { newTaskEvent, TaskEventType as T } from "./events.ts";
import { taskLogPaths, type TaskLogPump } from "./logpump.ts";

/** How one attempt of the task ended. */
type Attempt = "exited" | "failed" | "killed" | "shutdown";

/** Runs one task. */
export class TaskRunner {
  /** The task's name. */
  readonly name: string;
  readonly #env: TaskRunnerEnv;
  #alloc: Allocation;
  #task: Task;
  readonly #rec: TaskRecord;
  #driver: DriverClient | null = null;
  #pump: TaskLogPump | null = null;
  readonly #kill = new AbortController();
  readonly #shutdown = new AbortController();
  #wakeDead: (() => void) | null = null;
  #done: Promise<void> | null = null;
  #killErr: string | null = null;

  constructor(
    env: TaskRunnerEnv,
    alloc: Allocation,
    task: Task,
    persisted: PersistedTask | null,
  ) {
    this.#env = env;
    this.name = task.Name;
    this.#alloc = alloc;
    this.#task = task;
    this.#rec = new TaskRecord(env, alloc.ID, alloc.Job?.Type ?? "service", task, persisted);
  }

  /** The task's state now (a copy). */
  get state(): TaskState {
    return { ...this.#rec.state, Events: [...(this.#rec.state.Events ?? [])] };
  }

  /** The task definition. */
  get task(): Task {
    return this.#task;
  }

  /** The driver's handle while the task has a process. */
  get handle(): TaskHandle | null {
    return this.#rec.handle;
  }

  /** Whether the task is the group's leader. */
  get isLeader(): boolean {
    return this.#task.Leader;
  }

  /** Records an event (as the alloc runner does for `Killing`, `Sibling Task Failed`, ...). */
  emitEvent(event: TaskEvent): Promise<void> {
    return this.#rec.update(event);
  }

  /** Starts the run loop; resolves when it ends. */
  run(): Promise<void> {
    this.#done ??= this.#run().catch((err) => {
      this.#env.logger.error("task runner failed", {
        alloc_id: this.#alloc.ID,
        task: this.name,
        error: errorMessage(err),
      });
    });
    return this.#done;
  }

  async #run(): Promise<void> {
    if (this.#rec.state.State === "dead" && this.#rec.runComplete && this.#rec.handle === null) {
      return;
    }
    await this.#rec.persist();
    this.#env.onStateChange(this.name);
    let dead = this.#rec.state.State === "dead" && this.#rec.handle === null;
    // A persisted handle: re-attach and wait, or (the task is gone) decide on its exit.
    let mode: "attempt" | "recovered" | "decide" = "attempt";
    if (this.#rec.handle !== null) mode = await this.#recover() ? "recovered" : "decide";
    else if (this.#rec.state.State === "running") {
      mode = this.#rec.exitFromEvents() ? "decide" : mode;
    }
    for (;;) {
      while (!dead) {
        if (this.#shutdown.signal.aborted) return;
        if (this.#kill.signal.aborted) break;
        let outcome: Attempt = "exited";
        if (mode === "recovered") outcome = await this.#waitExit();
        else if (mode === "attempt") outcome = await this.#attempt();
        mode = "attempt";
        if (outcome === "shutdown") return;
        if (outcome === "killed") break;
        const delay = await this.#rec.shouldRestart(this.#killErr);
        if (delay === null) break;
        await sleep(delay / 1_000_000, AbortSignal.any([this.#kill.signal, this.#shutdown.signal]));
      }
      if (this.#shutdown.signal.aborted) return;
      if (this.#rec.handle !== null) {
        // A recovered task that should be terminal: kill it now.
        const exit = await this.#killNow();
        if (exit === "shutdown") return;
        await this.#clearHandle(exit ? terminatedEvent(exit) : null);
      }
      await this.#rec.update(null, "dead");
      dead = true;
      if (this.#task.Lifecycle?.Hook === "poststop" || this.#kill.signal.aborted) break;
      // Dead, but a restart of the whole allocation may bring it back.
      const woken = await this.#waitDead();
      if (woken === "shutdown") return;
      if (woken === "killed") break;
      if ((await this.#rec.shouldRestart(null)) === null) break;
      dead = false;
    }
    this.#rec.runComplete = true;
    await this.#rec.persist();
    await this.#pump?.stop({ drain: true }).catch(() => {});
    this.#pump = null;
  }

  /** Waits, dead, for an allocation restart (`forceRestart`), a kill or the agent's shutdown. */
  #waitDead(): Promise<"restart" | "killed" | "shutdown"> {
    return new Promise((resolve) => {
      const ctl = new AbortController();
      const done = (why: "restart" | "killed" | "shutdown") => {
        if (ctl.signal.aborted) return;
        ctl.abort();
        this.#wakeDead = null;
        resolve(why);
      };
      if (this.#shutdown.signal.aborted) return done("shutdown");
      if (this.#kill.signal.aborted) return done("killed");
      const opts = { once: true, signal: ctl.signal };
      this.#kill.signal.addEventListener("abort", () => done("killed"), opts);
      this.#shutdown.signal.addEventListener("abort", () => done("shutdown"), opts);
      this.#wakeDead = () => done("restart");
    });
  }

  /** Re-attaches to the persisted handle; `false` when the task is gone. */
  async #recover(): Promise<boolean> {
    const handle = this.#rec.handle!;
    const driver = await this.#env.drivers.loaded(this.#task.Driver);
    try {
      if (driver === undefined) throw new Error(`driver "${this.#task.Driver}" is not loaded`);
      await driver.recoverTask(handle);
      this.#driver = driver;
      if (this.#task.LogConfig?.Disabled !== true) await this.#startPump();
      this.#env.logger.info("task recovered", { alloc_id: this.#alloc.ID, task: this.name });
      return true;
    } catch (err) {
      this.#env.logger.error("failed to recover task", {
        alloc_id: this.#alloc.ID,
        task: this.name,
        error: errorMessage(err),
      });
      await this.#rec.restoreFailed(errorMessage(err));
      return false;
    }
  }

  async #startPump(): Promise<void> {
    const log = this.#env.logger;
    const fields = { alloc_id: this.#alloc.ID, task: this.name };
    this.#pump ??= await startLogPump(this.#env.allocDir, this.#task, (err) => {
      log.warn("log pump error", { ...fields, error: err.message });
    });
  }

  /** Waits for the gate, prepares and starts the task, then waits for it to exit. */
  async #attempt(): Promise<Attempt> {
    const stop = AbortSignal.any([this.#kill.signal, this.#shutdown.signal]);
    await this.#env.waitToStart(this.name, stop);
    if (this.#shutdown.signal.aborted) return "shutdown";
    if (this.#kill.signal.aborted) return "killed";
    let config;
    try {
      validateTask(this.#task);
      // As Nomad's task dir hook: announced once, the directory (re)built every time.
      if (!this.#rec.announced) {
        this.#rec.announced = true;
        await this.#rec.update(newTaskEvent(T.Setup, { message: "Building Task Directory" }));
      }
      const taskDir = await this.#env.allocDir.buildTask(this.name);
      this.#driver = await this.#env.drivers.forStart(this.#task.Driver);
      const logsOff = this.#task.LogConfig?.Disabled === true;
      const logs = taskLogPaths(this.#env.allocDir.logDir, this.name);
      config = buildTaskConfig({
        alloc: this.#alloc,
        task: this.#task,
        node: this.#env.node(),
        region: this.#env.region,
        allocDir: this.#env.allocDir,
        taskDir,
        capabilities: this.#driver.capabilities(),
        hostEnv: this.#env.hostEnv,
        stdoutPath: logsOff ? "/dev/null" : logs.stdoutPath,
        stderrPath: logsOff ? "/dev/null" : logs.stderrPath,
      });
      if (!logsOff) await this.#startPump();
    } catch (err) {
      const event = err instanceof TaskValidationError
        ? newTaskEvent(T.FailedValidation, { validationError: err.message })
        : err instanceof DriverUnavailableError
        ? newTaskEvent(T.DriverFailure, { driverError: err.message })
        : newTaskEvent(T.SetupFailure, { setupError: errorMessage(err) });
      await this.#rec.update(event);
      this.#rec.tracker.setStartError(err);
      return "failed";
    }
    if (this.#shutdown.signal.aborted) return "shutdown";
    if (this.#kill.signal.aborted) return "killed";
    try {
      const res = await this.#driver.startTask(config);
      this.#rec.handle = res.handle;
      this.#rec.network = res.network ?? null;
    } catch (err) {
      await this.#rec.update(newTaskEvent(T.DriverFailure, { driverError: errorMessage(err) }));
      this.#rec.tracker.setStartError(err);
      return "failed";
    }
    // The handle is written with the Started event, before anything else happens.
    await this.#rec.update(newTaskEvent(T.Started), "running");
    return await this.#waitExit();
  }

  /** Waits for the running task to exit (killing it when told to). */
  async #waitExit(): Promise<Attempt> {
    const driver = this.#driver!;
    const id = this.#rec.handle!.Config.ID;
    if (this.#rec.state.State !== "running") await this.#rec.update(null, "running");
    for (;;) {
      let exit: ExitResult | null = null;
      const stop = AbortSignal.any([this.#kill.signal, this.#shutdown.signal]);
      try {
        exit = await driver.waitTask(id, stop);
      } catch (err) {
        if (this.#shutdown.signal.aborted) return "shutdown";
        if (this.#kill.signal.aborted) {
          const killed = await this.#killNow();
          if (killed === "shutdown") return "shutdown";
          exit = killed;
        } else {
          exit = { ExitCode: 0, Signal: 0, OOMKilled: false, Err: errorMessage(err) };
        }
      }
      if (exit?.Err === ERR_PLUGIN_SHUTDOWN && !this.#shutdown.signal.aborted) {
        try {
          await driver.recoverTask(this.#rec.handle!);
          continue;
        } catch {
          // Gone with the plugin: report the exit below.
        }
      }
      await this.#clearHandle(exit ? terminatedEvent(exit) : null);
      this.#rec.tracker.setExitResult(
        exit ?? { ExitCode: 0, Signal: 0, OOMKilled: false, Err: "task exit unknown" },
      );
      return "exited";
    }
  }

  /** Kills the task (shutdown delay, then the driver's stop); resolves with its exit. */
  async #killNow(): Promise<ExitResult | null | "shutdown"> {
    const res = await killTask({
      driver: this.#driver ?? (await this.#env.drivers.loaded(this.#task.Driver)) ?? null,
      taskId: this.#rec.handle!.Config.ID,
      task: this.#task,
      alloc: this.#alloc,
      maxKillTimeout: this.#env.maxKillTimeout,
      shutdown: this.#shutdown.signal,
      emit: (event) => this.#rec.update(event, "pending"),
      onKilled: () => this.#rec.tracker.setKilled(),
    });
    if (res.killError) this.#killErr = res.killError;
    return res.exit;
  }

  /** Forgets the handle; it and `event` (the exit) are written in one record. */
  async #clearHandle(event: TaskEvent | null): Promise<void> {
    const handle = this.#rec.handle;
    this.#rec.handle = null;
    this.#rec.network = null;
    await this.#rec.update(event);
    const driver = this.#driver ?? (await this.#env.drivers.loaded(this.#task.Driver));
    if (handle && driver) {
      await driver.destroyTask(handle.Config.ID, false).catch((err) => {
        if (!(err instanceof TaskNotFoundError)) {
          this.#env.logger.warn("failed to destroy task", {
            task: this.name,
            error: errorMessage(err),
          });
        }
      });
    }
  }

  /** Takes a newer version of the allocation from the servers. */
  update(alloc: Allocation): void {
    this.#alloc = alloc;
    const task = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup)?.Tasks?.find((
      t,
    ) => t.Name === this.name);
    if (task) {
      this.#task = task;
      this.#rec.tracker.setPolicy(task.RestartPolicy, alloc.Job?.Type ?? "service");
    }
  }

  /** Kills the task and waits for the run loop to end; `event` (`Killing`) is recorded first. */
  async kill(event: TaskEvent | null): Promise<void> {
    this.#kill.abort();
    this.#wakeDead?.();
    if (event) await this.#rec.update(event);
    if (this.#done === null) {
      this.#rec.runComplete = true;
      if (this.#rec.state.State !== "dead") await this.#rec.update(null, "dead");
      return;
    }
    await this.#done;
  }

  /** Restarts the running task (a user's or a hook's restart). */
  async restart(event: TaskEvent, failure: boolean): Promise<void> {
    if (this.#rec.state.State !== "running" || this.#rec.handle === null || this.#driver === null) {
      throw new Error(`Task not running: ${this.name}`);
    }
    await this.#rec.update(event);
    this.#rec.tracker.setRestartTriggered(failure);
    const timeout = effectiveKillTimeout(this.#task, this.#env.maxKillTimeout);
    await this.#driver.stopTask(this.#rec.handle.Config.ID, timeout / 1e6, this.#task.KillSignal);
  }

  /** Restarts the task whether it runs or is dead (`alloc restart -all-tasks`). */
  async forceRestart(event: TaskEvent): Promise<void> {
    if (this.#rec.state.State === "running") return this.restart(event, false);
    if (this.#wakeDead === null) throw new Error(`Task not running: ${this.name}`);
    await this.#rec.update(event);
    this.#rec.tracker.setRestartTriggered(false);
    this.#wakeDead();
  }

  /** Sends a signal to the running task. */
  async signal(event: TaskEvent, signal: string): Promise<void> {
    if (this.#rec.handle === null || this.#driver === null) {
      throw new Error(`Task not running: ${this.name}`);
    }
    await this.#rec.update(event);
    if (!this.#driver.signalTask) throw new Error(`driver ${this.#task.Driver} cannot signal`);
    await this.#driver.signalTask(this.#rec.handle.Config.ID, signal);
  }

  /** One sample of the running task's usage, or `null` when it has no process. */
  async stats(signal: AbortSignal): Promise<TaskResourceUsage | null> {
    if (this.#rec.handle === null || this.#driver === null) return null;
    for await (const s of this.#driver.taskStats(this.#rec.handle.Config.ID, 1_000, signal)) {
      return s;
    }
    return null;
  }

  /** Stops the runner, leaving the task running (agent shutdown). */
  async shutdown(): Promise<void> {
    this.#rec.quiet();
    this.#shutdown.abort();
    this.#wakeDead?.();
    await this.#done;
    await this.#pump?.stop({ drain: false }).catch(() => {});
    this.#pump = null;
  }

  /** Frees what the driver still holds of the task (after `kill`), and the log pump. */
  async destroy(): Promise<void> {
    if (this.#rec.handle !== null) {
      const driver = this.#driver ?? (await this.#env.drivers.loaded(this.#task.Driver));
      await driver?.destroyTask(this.#rec.handle.Config.ID, true).catch(() => {});
      this.#rec.handle = null;
    }
    await this.#pump?.stop({ drain: false }).catch(() => {});
    this.#pump = null;
  }
}
