/**
 * The docker driver: runs each task in a Docker container through the Docker Engine API on
 * the daemon's unix socket (Deno's `fetch` through a unix-socket HTTP client), as Nomad's docker
 * driver does. Its Worker can reach the socket and the allocation directory (to append the
 * tasks' output to their log staging files) and nothing else.
 *
 * Containers belong to dockerd, not to the agent: a task's handle holds its container's ID,
 * and `recoverTask` re-attaches to that container (never creating another), re-following its
 * exit and its logs from where the last agent stopped (`_logs.ts`). `waitTask` resolves when
 * Docker's wait returns; a container that dockerd no longer knows (removed out of band) ends
 * with an error, and a daemon that stops answering is waited for. `destroyTask` removes the
 * container with its anonymous volumes (`gc.container`) and releases its image, which is
 * removed `gc.image_delay` after its last task (`_image.ts`).
 *
 * @module
 */
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
import { DockerApi, DockerApiError } from "./_api.ts";
import {
  CONFIG_SCHEMA,
  decodePluginConfig,
  decodeTaskConfig,
  DOCKER_NAME,
  type DockerPluginConfig,
  TASK_SCHEMA,
} from "./_config.ts";
import { buildContainer, driverNetwork } from "./_container.ts";
import { DockerFingerprinter } from "./_fingerprint.ts";
import { DanglingReaper } from "./_reconcile.ts";
import { ImageCoordinator } from "./_image.ts";
import { LogCopier } from "./_logs.ts";
import { createAndStart, execIn, ignoring, type Inspect, statsOf, watchExit } from "./_ops.ts";
import {
  checkHandle,
  type DockerDriverState,
  DockerTask,
  HANDLE_VERSION,
  isoTime,
} from "./_task.ts";

const PING_EVERY_MS = 5_000;
const FULL_FINGERPRINT_EVERY_MS = 30_000;
const EXIT_GRACE_MS = 15_000;

/** The docker driver. */
export class DockerDriver implements Driver {
  readonly #cfg: DockerPluginConfig;
  readonly #log: DriverConfig["logger"];
  readonly #api: DockerApi;
  readonly #fp: DockerFingerprinter;
  readonly #images: ImageCoordinator;
  readonly #logDir: string;
  readonly #tasks = new Map<string, DockerTask>();
  readonly #starting = new Set<string>();
  readonly #events = new TaskEventBroadcaster();
  readonly #reaper: DanglingReaper;
  #wake = new AbortController();
  #mhz = 0;

  /** @throws {ConfigError} When the plugin config does not match its schema. */
  constructor(config: DriverConfig) {
    this.#cfg = decodePluginConfig(config);
    this.#log = config.logger;
    this.#api = new DockerApi(this.#cfg.socketPath);
    this.#fp = new DockerFingerprinter(this.#api, this.#cfg);
    this.#logDir = join(config.paths.dataDir, "logs");
    this.#images = new ImageCoordinator(this.#api, {
      gc: this.#cfg.gc.image,
      delayMs: this.#cfg.gc.image_delay / 1e6,
      activityTimeoutMs: this.#cfg.pull_activity_timeout / 1e6,
      warn: (message, fields) => this.#log.log("warn", message, fields),
    });
    const dangling = this.#cfg.gc.dangling_containers;
    this.#reaper = new DanglingReaper({
      api: this.#api,
      allocDir: config.paths.allocDir,
      tracked: (id) => [...this.#tasks.values()].some((t) => t.state.ContainerID === id),
      periodMs: (dangling?.period ?? 5 * 60e9) / 1e6,
      graceMs: (dangling?.creation_grace ?? 5 * 60e9) / 1e6,
      dryRun: dangling?.dry_run ?? false,
      log: (message, fields) => this.#log.log("info", message, fields),
    });
    if (dangling?.enabled ?? true) this.#reaper.start();
    void Deno.readTextFile("/proc/cpuinfo").then((t) => {
      this.#mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(t)?.[1] ?? 0);
    }, () => {});
  }

  pluginInfo(): PluginInfo {
    return driverPluginInfo(DOCKER_NAME);
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
      FSIsolation: "image",
      NetIsolationModes: ["host", "group", "task"],
      MustInitiateNetwork: true,
      MountConfigs: "all",
    };
  }

  async *fingerprint(signal: AbortSignal): AsyncGenerator<Fingerprint> {
    let last: Fingerprint | null = null;
    let fullAt = 0;
    do {
      let fp: Fingerprint;
      if (!(await this.#fp.ping())) fp = this.#fp.down();
      else if (last?.Health !== "healthy" || Date.now() - fullAt >= FULL_FINGERPRINT_EVERY_MS) {
        fp = await this.#fp.full();
        fullAt = Date.now();
      } else fp = last;
      if (fp.Health !== last?.Health && last !== null) {
        this.#log.log("info", "docker daemon health changed", { health: fp.Health });
      }
      last = fp;
      yield fp;
      this.#wake = new AbortController();
    } while (
      await sleep(PING_EVERY_MS, AbortSignal.any([signal, this.#wake.signal])) || !signal.aborted
    );
  }

  async startTask(config: TaskConfig): Promise<StartTaskResult> {
    const id = config.ID;
    if (this.#tasks.has(id) || this.#starting.has(id)) {
      throw new Error(`task with ID "${id}" already started`);
    }
    const cfg = decodeTaskConfig(config);
    this.#starting.add(id);
    let image: { id: string } | null = null;
    try {
      const pullMs = (cfg.image_pull_timeout ?? this.#cfg.image_pull_timeout) / 1e6;
      image = await this.#images.ensure(id, cfg, pullMs, (m, a) => this.#emit(config, m, a));
      const spec = buildContainer(config, {
        cfg,
        plugin: this.#cfg,
        image: cfg.image,
        mhzPerCore: this.#mhz,
      });
      const container = await createAndStart(
        this.#api,
        config.AllocID,
        spec.name,
        spec.body,
        cfg.container_exists_attempts ?? this.#cfg.container_exists_attempts,
      );
      const ds: DockerDriverState = {
        ContainerID: container.Id,
        ImageID: image.id,
        Image: cfg.image,
        Tty: cfg.tty,
        PortMap: spec.portMap,
      };
      this.#track(config, ds, container);
      this.#emit(config, `Started container ${container.Id.slice(0, 12)}`);
      return {
        handle: {
          Version: HANDLE_VERSION,
          Config: config,
          State: "running",
          DriverState: { ...ds },
        },
        network: driverNetwork(container, cfg, spec.portMap),
      };
    } catch (err) {
      if (image) this.#images.release(image.id, id);
      if (err instanceof DockerApiError && err.unreachable) this.#wake.abort();
      throw err;
    } finally {
      this.#starting.delete(id);
    }
  }

  async recoverTask(handle: TaskHandle): Promise<void> {
    const id = handle.Config.ID;
    if (this.#tasks.has(id)) return;
    const ds = checkHandle(handle);
    let container: Inspect;
    try {
      container = await this.#api.call<Inspect>("GET", `/containers/${ds.ContainerID}/json`);
    } catch (err) {
      throw new Error(
        `failed to inspect container ${ds.ContainerID} of task "${id}": ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (ds.ImageID) this.#images.adopt(ds.ImageID, id);
    this.#track(handle.Config, ds, container);
  }

  #track(config: TaskConfig, ds: DockerDriverState, container: Inspect): DockerTask {
    const task = new DockerTask(config, ds, isoTime(container.State.StartedAt));
    this.#tasks.set(config.ID, task);
    if (!this.#cfg.disable_log_collection) {
      task.logs = new LogCopier({
        api: this.#api,
        containerId: ds.ContainerID,
        tty: ds.Tty,
        stdoutPath: config.StdoutPath,
        stderrPath: config.StderrPath,
        stateDir: this.#logDir,
        onError: (err) =>
          this.#log.log("warn", "cannot copy container logs", {
            task_id: config.ID,
            error: err.message,
          }),
      });
    }
    void this.#watch(task);
    return task;
  }

  async #watch(task: DockerTask): Promise<void> {
    const exit = await watchExit(this.#api, task, () => this.#wake.abort());
    if (exit?.OOMKilled) {
      this.#log.log("error", "OOM Killed", {
        container_id: task.state.ContainerID,
        task_id: task.config.ID,
      });
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
    const cid = task.state.ContainerID;
    if (signal === "") {
      const t = Math.ceil(timeoutMs / 1000);
      await this.#api.call("POST", `/containers/${cid}/stop`, {
        query: { t },
        timeoutMs: timeoutMs + 30_000,
      })
        .catch(ignoring(304, 404));
    } else {
      await this.#api.call("POST", `/containers/${cid}/kill`, { query: { signal } }).catch(
        ignoring(404, 409),
      );
      if (!(await this.#ended(task, timeoutMs))) {
        await this.#api.call("POST", `/containers/${cid}/stop`, { query: { t: 0 } }).catch(
          ignoring(304, 404),
        );
      }
    }
    if (!(await this.#ended(task, EXIT_GRACE_MS))) {
      throw new Error(
        `task "${taskId}" (container ${cid}) did not exit within ${timeoutMs + EXIT_GRACE_MS} ms`,
      );
    }
  }

  async destroyTask(taskId: string, force: boolean): Promise<void> {
    const task = this.#get(taskId);
    const cid = task.state.ContainerID;
    if (task.running) {
      if (!force) {
        throw new Error(`cannot destroy running task "${taskId}": stop it first or force`);
      }
      await this.#api.call("POST", `/containers/${cid}/kill`, { query: { signal: "SIGKILL" } })
        .catch(ignoring(404, 409));
      await this.#ended(task, EXIT_GRACE_MS);
    }
    task.watch.abort();
    await task.logs?.stop();
    if (this.#cfg.gc.container) {
      await this.#api.call("DELETE", `/containers/${cid}`, { query: { force: true, v: true } })
        .catch(ignoring(404, 409));
    }
    await LogCopier.forget(this.#logDir, cid);
    if (task.state.ImageID) this.#images.release(task.state.ImageID, taskId);
    this.#tasks.delete(taskId);
  }

  async inspectTask(taskId: string): Promise<TaskStatus> {
    await Promise.resolve();
    return this.#get(taskId).status();
  }

  taskStats(
    taskId: string,
    intervalMs: number,
    signal: AbortSignal,
  ): AsyncIterable<TaskResourceUsage> {
    const task = this.#get(taskId);
    return statsOf(this.#api, task, intervalMs, signal, () => this.#mhz);
  }

  taskEvents(signal: AbortSignal): AsyncIterable<TaskEvent> {
    return this.#events.subscribe(signal);
  }

  async signalTask(taskId: string, signal: string): Promise<void> {
    const task = this.#get(taskId);
    try {
      await this.#api.call("POST", `/containers/${task.state.ContainerID}/kill`, {
        query: { signal },
      });
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 409) {
        throw new Error(`cannot signal task "${taskId}": it is not running`);
      }
      throw err;
    }
  }

  async execTask(taskId: string, command: string[], timeoutMs: number): Promise<ExecTaskResult> {
    const task = this.#get(taskId);
    if (command.length === 0) throw new TypeError("error cmd must have at least one value");
    return await execIn(this.#api, task.state.ContainerID, command, timeoutMs);
  }

  async shutdown(): Promise<void> {
    this.#reaper.stop();
    this.#images.close();
    for (const task of this.#tasks.values()) task.watch.abort();
    await Promise.all([...this.#tasks.values()].map((t) => t.logs?.stop()));
    this.#api.close();
  }

  /** Waits up to `ms` for `task` to exit. */
  async #ended(task: DockerTask, ms: number): Promise<boolean> {
    if (!task.running) return true;
    const ac = new AbortController();
    await Promise.race([task.done, sleep(ms, ac.signal)]);
    ac.abort();
    return !task.running;
  }

  #get(taskId: string): DockerTask {
    return lookupTask(this.#tasks, taskId);
  }

  #emit(config: TaskConfig, message: string, annotations: Record<string, string> = {}): void {
    this.#events.emitFor(config, message, annotations);
  }
}

/** The docker driver's factory (the module's default export). */
export default function createDockerDriver(config: DriverConfig): Driver {
  return new DockerDriver(config);
}
