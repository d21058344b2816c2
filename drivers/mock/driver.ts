/**
 * The mock driver (Nomad's `mock_driver`): a real driver, steered by each task's config, that
 * runs no process. Tasks are timers in the driver's Worker that write `stdout_string`, run for
 * `run_for` and end with `exit_code`/`exit_signal`/`exit_err_msg`; `start_error`,
 * `start_block_for`, `kill_after`, `plugin_exit_after` and `signal_error` make it fail in the
 * ways a real driver can. Its handle holds the task's start time and config, so a recovered task
 * runs only what is left of `run_for`, and one that should have ended meanwhile ends at once.
 *
 * @module
 */
import {
  attr,
  block,
  type Capabilities,
  ConfigError,
  type ConfigSchema,
  decodeConfig,
  type Decoded,
  type Driver,
  type DriverConfig,
  type DriverNetwork,
  driverPluginInfo,
  type ExecTaskResult,
  type ExitResult,
  type Fingerprint,
  lookupTask,
  type PluginInfo,
  RecoverableError,
  sleep,
  type StartTaskResult,
  type TaskConfig,
  type TaskEvent,
  TaskEventBroadcaster,
  type TaskHandle,
  type TaskResourceUsage,
  type TaskStatus,
} from "../../plugins/sdk.ts";
import { type MockCommand, MockTask, type MockTaskState } from "./_task.ts";
import { MOCK_DRIVER_NAME } from "./manifest.ts";

export { MOCK_DRIVER_NAME } from "./manifest.ts";
const HANDLE_VERSION = 1;
const FINGERPRINT_EVERY_MS = 500;

const CONFIG_SCHEMA = {
  fs_isolation: attr("string", { default: "none" }),
  shutdown_periodic_after: attr("bool", { default: false }),
  shutdown_periodic_duration: attr("duration", { default: 0 }),
} satisfies ConfigSchema;

const COMMAND_SCHEMA = {
  run_for: attr("duration", { default: 0 }),
  exit_code: attr("number", { default: 0 }),
  exit_signal: attr("number", { default: 0 }),
  exit_err_msg: attr("string", { default: "" }),
  signal_error: attr("string", { default: "" }),
  stdout_string: attr("string", { default: "" }),
  stdout_repeat: attr("number", { default: 0 }),
  stdout_repeat_duration: attr("duration", { default: 0 }),
  stderr_string: attr("string", { default: "" }),
  stderr_repeat: attr("number", { default: 0 }),
  stderr_repeat_duration: attr("duration", { default: 0 }),
} satisfies ConfigSchema;

const TASK_SCHEMA = {
  ...COMMAND_SCHEMA,
  start_error: attr("string", { default: "" }),
  start_error_recoverable: attr("bool", { default: false }),
  start_block_for: attr("duration", { default: 0 }),
  kill_after: attr("duration", { default: 0 }),
  plugin_exit_after: attr("duration", { default: 0 }),
  driver_ip: attr("string", { default: "" }),
  driver_advertise: attr("bool", { default: false }),
  driver_port_map: attr("string", { default: "" }),
  exec_command: block(COMMAND_SCHEMA),
} satisfies ConfigSchema;

function toCommand(c: Decoded<typeof COMMAND_SCHEMA>): MockCommand {
  return {
    RunFor: c.run_for,
    ExitCode: c.exit_code,
    ExitSignal: c.exit_signal,
    ExitErrMsg: c.exit_err_msg,
    SignalErr: c.signal_error,
    StdoutString: c.stdout_string,
    StdoutRepeat: c.stdout_repeat,
    StdoutRepeatDur: c.stdout_repeat_duration,
    StderrString: c.stderr_string,
    StderrRepeat: c.stderr_repeat,
    StderrRepeatDur: c.stderr_repeat_duration,
  };
}

/** The mock driver. */
export class MockDriver implements Driver {
  #config: Decoded<typeof CONFIG_SCHEMA>;
  #tasks = new Map<string, MockTask>();
  #events = new TaskEventBroadcaster();
  #disableAt: number | null;

  /** @throws {ConfigError} When the plugin config does not match its schema. */
  constructor(config: DriverConfig) {
    this.#config = decodeConfig(CONFIG_SCHEMA, config.plugin, `${MOCK_DRIVER_NAME} plugin config`);
    const iso = this.#config.fs_isolation;
    if (iso !== "none" && iso !== "chroot" && iso !== "image") {
      throw new ConfigError(`Invalid ${MOCK_DRIVER_NAME} plugin config`, [
        `"fs_isolation" must be "none", "chroot" or "image", got "${iso}"`,
      ]);
    }
    this.#disableAt = this.#config.shutdown_periodic_after
      ? Date.now() + this.#config.shutdown_periodic_duration / 1e6
      : null;
  }

  pluginInfo(): PluginInfo {
    return driverPluginInfo(MOCK_DRIVER_NAME);
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
      FSIsolation: this.#config.fs_isolation as Capabilities["FSIsolation"],
      NetIsolationModes: ["host", "group"],
      MustInitiateNetwork: false,
      MountConfigs: "none",
    };
  }

  async *fingerprint(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    do {
      const disabled = this.#disableAt !== null && Date.now() >= this.#disableAt;
      yield disabled ? { Attributes: {}, Health: "undetected", HealthDescription: "disabled" } : {
        Attributes: { [`driver.${MOCK_DRIVER_NAME}`]: true },
        Health: "healthy",
        HealthDescription: "Healthy",
      };
    } while (await sleep(FINGERPRINT_EVERY_MS, signal));
  }

  async startTask(config: TaskConfig): Promise<StartTaskResult> {
    if (this.#tasks.has(config.ID)) throw new Error(`task with ID "${config.ID}" already started`);
    const cfg = decodeConfig(
      TASK_SCHEMA,
      config.rawConfig,
      `${MOCK_DRIVER_NAME} task config for task "${config.Name}"`,
    );
    const network: DriverNetwork = {
      PortMap: {},
      IP: cfg.driver_ip,
      AutoAdvertise: cfg.driver_advertise,
    };
    if (cfg.driver_port_map !== "") {
      const [label, port, ...rest] = cfg.driver_port_map.split(":");
      if (!label || !port || rest.length > 0 || !/^\d+$/.test(port)) {
        throw new RangeError(
          `malformed port map: "${cfg.driver_port_map}" (write it as "label:port")`,
        );
      }
      network.PortMap[label] = Number(port);
    }
    if (cfg.start_block_for > 0) await sleep(cfg.start_block_for / 1e6);
    if (cfg.start_error !== "") {
      throw new RecoverableError(cfg.start_error, cfg.start_error_recoverable);
    }

    const state: MockTaskState = {
      StartedAt: Date.now(),
      Command: toCommand(cfg),
      ExecCommand: cfg.exec_command ? toCommand(cfg.exec_command) : null,
      PluginExitAfter: cfg.plugin_exit_after,
      KillAfter: cfg.kill_after,
    };
    this.#track(new MockTask(config, state, false));
    this.#emit(config, `mock task started, running for ${state.Command.RunFor / 1e6} ms`);
    const handle: TaskHandle = {
      Version: HANDLE_VERSION,
      Config: config,
      State: "running",
      DriverState: structuredClone(state),
    };
    return { handle, network };
  }

  async recoverTask(handle: TaskHandle): Promise<void> {
    if (this.#tasks.has(handle.Config.ID)) return;
    if (handle.Version !== HANDLE_VERSION) {
      throw new Error(
        `cannot recover task "${handle.Config.ID}": handle version ${handle.Version} is not ${HANDLE_VERSION}`,
      );
    }
    const state = handle.DriverState as MockTaskState | null;
    if (
      state === null || typeof state.StartedAt !== "number" || typeof state.Command !== "object"
    ) {
      throw new Error(`failed to decode task state from handle of task "${handle.Config.ID}"`);
    }
    this.#track(new MockTask(handle.Config, state, true));
    await Promise.resolve();
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
      return { ...await Promise.race([task.done, aborted]) };
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** As Nomad's mock: ignores the stop for `kill_after`, then ends the task. */
  async stopTask(taskId: string, _timeoutMs: number, _signal: string): Promise<void> {
    const task = this.#get(taskId);
    if (!task.running) return;
    const stopped = new AbortController();
    const exitedInTime = await Promise.race([
      task.done.then(() => true),
      sleep(task.state.KillAfter / 1e6, stopped.signal).then(() => false),
    ]);
    stopped.abort();
    if (!exitedInTime) task.kill();
    await task.done;
  }

  async destroyTask(taskId: string, force: boolean): Promise<void> {
    const task = this.#get(taskId);
    if (task.running) {
      if (!force) {
        throw new Error(`cannot destroy running task "${taskId}": stop it first or force`);
      }
      task.kill();
      await task.done;
    }
    this.#tasks.delete(taskId);
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
      yield {
        ResourceUsage: {
          MemoryStats: {
            RSS: 4 << 20,
            Cache: 0,
            Swap: 0,
            Usage: 0,
            MaxUsage: 0,
            Measured: ["RSS"],
          },
          CpuStats: null,
        },
        Timestamp: Date.now() * 1e6,
        Pids: null,
      };
    } while (await sleep(intervalMs, signal));
  }

  taskEvents(signal: AbortSignal): AsyncIterable<TaskEvent> {
    return this.#events.subscribe(signal);
  }

  async signalTask(taskId: string, _signal: string): Promise<void> {
    await Promise.resolve();
    const task = this.#get(taskId);
    if (task.state.Command.SignalErr !== "") throw new Error(task.state.Command.SignalErr);
  }

  async execTask(taskId: string, command: string[], _timeoutMs: number): Promise<ExecTaskResult> {
    await Promise.resolve();
    const task = this.#get(taskId);
    return {
      Stdout: new TextEncoder().encode(
        `Exec(${JSON.stringify(task.config.Name)}, ${JSON.stringify(command)})`,
      ),
      Stderr: new Uint8Array(),
      ExitResult: { ExitCode: 0, Signal: 0, OOMKilled: false, Err: null },
    };
  }

  #track(task: MockTask): void {
    this.#tasks.set(task.config.ID, task);
    task.done.then((exit) => {
      if (exit.Err !== null) this.#emit(task.config, `mock task ended with error: ${exit.Err}`);
    });
  }

  #get(taskId: string): MockTask {
    return lookupTask(this.#tasks, taskId);
  }

  #emit(config: TaskConfig, message: string): void {
    this.#events.emitFor(config, message);
  }
}

/** The mock driver's factory (the module's default export). */
export default function createMockDriver(config: DriverConfig): Driver {
  return new MockDriver(config);
}
