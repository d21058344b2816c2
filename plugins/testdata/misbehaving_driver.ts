/**
 * A driver that misbehaves on request, for the host's tests. A task's `behave` decides what
 * `startTask` does:
 *
 * - `"ok"`: runs `run_ms` then exits with `exit_code` (recoverable from its handle);
 * - `"throw"`: throws an error;
 * - `"hang"`: never answers;
 * - `"crash"`: throws an uncaught error in a timer, then never answers;
 * - `"exit"`: closes its own Worker;
 * - `"spin"`: blocks its event loop forever;
 * - `"spawn"`: tries to run `/bin/true` (the manifest grants no `run`).
 *
 * The plugin config's `factory` may be `"throw"` to make loading fail.
 *
 * @module
 */
import {
  type Driver,
  type DriverConfig,
  type ExitResult,
  type Fingerprint,
  sleep,
  type StartTaskResult,
  type TaskConfig,
  type TaskEvent,
  type TaskHandle,
  TaskNotFoundError,
  type TaskResourceUsage,
  type TaskStatus,
} from "../sdk.ts";

interface Running {
  config: TaskConfig;
  startedAt: number;
  done: Promise<ExitResult>;
  exit: ExitResult | null;
}

function run(config: TaskConfig, startedAt: number): Running {
  const raw = config.rawConfig as { run_ms?: number; exit_code?: number };
  const r: Running = {
    config,
    startedAt,
    exit: null,
    done: Promise.resolve(null as unknown as ExitResult),
  };
  r.done = sleep((raw.run_ms ?? 0) - (Date.now() - startedAt)).then(() => {
    r.exit = { ExitCode: raw.exit_code ?? 0, Signal: 0, OOMKilled: false, Err: null };
    return r.exit;
  });
  return r;
}

function createDriver(config: DriverConfig): Driver {
  if (config.plugin.factory === "throw") {
    throw new Error("the factory refuses to build this driver");
  }
  const tasks = new Map<string, Running>();
  const get = (id: string) => {
    const t = tasks.get(id);
    if (!t) throw new TaskNotFoundError(id);
    return t;
  };
  return {
    pluginInfo: () => ({
      Type: "driver",
      PluginApiVersions: ["v0.1.0"],
      PluginVersion: "0.0.1",
      Name: config.name,
    }),
    configSchema: () => ({}),
    taskConfigSchema: () => ({}),
    capabilities: () => ({
      SendSignals: false,
      Exec: false,
      FSIsolation: "none",
      NetIsolationModes: ["host"],
      MustInitiateNetwork: false,
      MountConfigs: "none",
    }),
    async *fingerprint(signal: AbortSignal): AsyncGenerator<Fingerprint> {
      do {
        yield {
          Attributes: { [`driver.${config.name}`]: true },
          Health: "healthy",
          HealthDescription: "Healthy",
        };
      } while (await sleep(100, signal));
    },
    async startTask(cfg: TaskConfig): Promise<StartTaskResult> {
      switch ((cfg.rawConfig as { behave?: string }).behave) {
        case "throw":
          throw new Error("driver bug: startTask blew up");
        case "hang":
          return await new Promise<never>(() => {});
        case "crash":
          setTimeout(() => {
            throw new Error("uncaught driver bug");
          }, 10);
          return await new Promise<never>(() => {});
        case "exit":
          (globalThis as unknown as { close(): void }).close();
          return await new Promise<never>(() => {});
        case "spin":
          await sleep(10);
          while (Date.now() > 0) { /* never yields */ }
          throw new Error("unreachable");
        case "spawn":
          await new Deno.Command("/bin/true").output();
          throw new Error("the spawn should have been refused");
      }
      const t = run(cfg, Date.now());
      tasks.set(cfg.ID, t);
      return {
        handle: {
          Version: 1,
          Config: cfg,
          State: "running",
          DriverState: { startedAt: t.startedAt },
        },
      };
    },
    async recoverTask(handle: TaskHandle): Promise<void> {
      await Promise.resolve();
      if (tasks.has(handle.Config.ID)) return;
      const state = handle.DriverState as { startedAt: number };
      tasks.set(handle.Config.ID, run(handle.Config, state.startedAt));
    },
    async waitTask(id: string, signal: AbortSignal): Promise<ExitResult> {
      const t = get(id);
      return await Promise.race([
        t.done,
        new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        ),
      ]);
    },
    async stopTask(): Promise<void> {},
    async destroyTask(id: string): Promise<void> {
      await Promise.resolve();
      tasks.delete(id);
    },
    async inspectTask(id: string): Promise<TaskStatus> {
      await Promise.resolve();
      const t = get(id);
      return {
        ID: id,
        Name: t.config.Name,
        State: t.exit ? "exited" : "running",
        StartedAt: new Date(t.startedAt).toISOString(),
        CompletedAt: null,
        ExitResult: t.exit,
        DriverAttributes: {},
      };
    },
    // As fast as it is pulled: the host's credit is all that holds it back.
    async *taskStats(
      _id: string,
      _ms: number,
      signal: AbortSignal,
    ): AsyncGenerator<TaskResourceUsage> {
      while (!signal.aborted) {
        yield {
          ResourceUsage: { MemoryStats: null, CpuStats: null },
          Timestamp: Date.now(),
          Pids: null,
        };
      }
    },
    taskEvents: (): AsyncIterable<TaskEvent> => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }),
    }),
  };
}

export default createDriver;
