/**
 * The task driver contract: what a driver implements and what the client calls, modelled on
 * Nomad's `plugins/drivers.DriverPlugin` with TypeScript shapes (promises, `AsyncIterable`,
 * `AbortSignal`). A driver is an ordinary module whose default export is a {@linkcode DriverFactory};
 * the plugin host runs it in a Worker with only the permissions its manifest declares, and hands
 * the client a `DriverClient` that implements the same {@linkcode Driver} interface.
 *
 * Every value that crosses the contract is plain, structured-cloneable data (no class instances,
 * no functions), because it crosses a Worker boundary; a {@linkcode TaskHandle} is also
 * JSON-serializable, because the client persists it.
 *
 * A third party writes a driver against this file alone:
 *
 * @example
 * ```ts
 * import type { Driver, DriverConfig } from "./sdk.ts";
 * export default function createDriver(config: DriverConfig): Driver { ... }
 * ```
 *
 * @module
 */
import type { AllocatedPortMapping, AllocatedTaskResources } from "../core/structs/alloc.ts";
import type { ConfigSchema } from "./config_schema.ts";

export * from "./config_schema.ts";
/** Durations in nanoseconds, as task and plugin configs carry them. */
export { HOUR, MINUTE, SECOND } from "../core/structs/duration.ts";
/** Go's `strconv.ParseBool`, for client options such as `driver.raw_exec.enable`. */
export { parseGoBool } from "../core/structs/go_bool.ts";
export * from "./driver_kit.ts";
export * from "./errors.ts";
export type { PluginManifest } from "./manifest.ts";

/** The plugin API version every driver in this repository speaks (Nomad's `ApiVersion010`). */
export const DRIVER_API_VERSION = "v0.1.0";

/** The `ExitResult.Err` a driver reports when it shut down under a running task. */
export const ERR_PLUGIN_SHUTDOWN = "plugin is shut down";

/** Who a plugin is (Nomad's `PluginInfoResponse`). */
export interface PluginInfo {
  /** Always `"driver"` for a task driver. */
  Type: "driver";
  /** The contract versions it speaks, e.g. `["v0.1.0"]`. */
  PluginApiVersions: string[];
  /** Its own version. */
  PluginVersion: string;
  /** The name jobs use in `driver = "..."`. */
  Name: string;
}

/** How a driver isolates a task's file system. */
export type FSIsolation = "none" | "chroot" | "image";
/** The network modes a driver can put a task in. */
export type NetIsolationMode = "host" | "group" | "task" | "none";

/** What optional features a driver supports (Nomad's `drivers.Capabilities`). */
export interface Capabilities {
  /** It can deliver signals (`signalTask`). */
  SendSignals: boolean;
  /** It can run commands in a task's context (`execTask`, script checks). */
  Exec: boolean;
  /** Its file system isolation. */
  FSIsolation: FSIsolation;
  /** The network isolation modes it supports. */
  NetIsolationModes: NetIsolationMode[];
  /** It must create the network namespace itself. */
  MustInitiateNetwork: boolean;
  /** Whether it honours task `volume_mount`s: `"all"` or `"none"`. */
  MountConfigs: "all" | "none";
}

/** A driver's health as fingerprinted. The scheduler places only on `healthy` drivers. */
export type HealthState = "undetected" | "unhealthy" | "healthy";

/** One fingerprint: node attributes the driver contributes and its health. */
export interface Fingerprint {
  /** Node attributes, e.g. `{ "driver.raw_exec": true }`. */
  Attributes: Record<string, string | number | boolean>;
  /** Its health. */
  Health: HealthState;
  /** Why, for humans (`"Healthy"`, `"disabled"`, `"plugin crashed: ..."`). */
  HealthDescription: string;
}

/** The directories of one task inside its allocation directory. */
export interface TaskDirPaths {
  /** `<alloc dir>/<task>`: the task's working directory. */
  Dir: string;
  /** `<task dir>/local`. */
  LocalDir: string;
  /** `<task dir>/secrets`. */
  SecretsDir: string;
  /** `<task dir>/tmp`. */
  TmpDir: string;
  /** `<alloc dir>/alloc`, shared by the group's tasks. */
  SharedAllocDir: string;
  /** `<alloc dir>/alloc/logs`. */
  LogDir: string;
}

/** A volume or host path mounted into a task. */
export interface MountConfig {
  /** Path inside the task. */
  TaskPath: string;
  /** Path on the host. */
  HostPath: string;
  /** Mounted read-only. */
  Readonly: boolean;
  /** Mount propagation (`private`, `host-to-task`, `bidirectional`). */
  PropagationMode: string;
}

/** What the client gives a task (Nomad's `drivers.Resources`). */
export interface TaskResources {
  /** CPU, memory, networks and devices given to the task. */
  NomadResources: AllocatedTaskResources | null;
  /** The ports allocated to the task's group. */
  Ports: AllocatedPortMapping[] | null;
}

/** Everything a driver needs to start one task (Nomad's `drivers.TaskConfig`). */
export interface TaskConfig {
  /** Unique per task instance: `<alloc id>/<task name>/<random>`. */
  ID: string;
  /** The job's name. */
  JobName: string;
  /** The job's ID. */
  JobID: string;
  /** The task group's name. */
  TaskGroupName: string;
  /** The task's name. */
  Name: string;
  /** The job's namespace. */
  Namespace: string;
  /** The node's ID. */
  NodeID: string;
  /** The task's environment, already interpolated (`NOMAD_*`, `env {}`). */
  Env: Record<string, string>;
  /** Resources given to the task. */
  Resources: TaskResources | null;
  /** Mounts the driver should make (when `Capabilities.MountConfigs` is `"all"`). */
  Mounts: MountConfig[];
  /** The user to run as (`user = "..."`); empty means the agent's user. */
  User: string;
  /** The allocation directory. */
  AllocDir: string;
  /** The task's directories. */
  TaskDir: TaskDirPaths;
  /** Where the task's stdout goes (a file the driver appends to; the client rotates it). */
  StdoutPath: string;
  /** Where the task's stderr goes. */
  StderrPath: string;
  /** The allocation's ID. */
  AllocID: string;
  /** The task's `config { ... }` block as JSON; the driver decodes it with its task schema. */
  rawConfig: Record<string, unknown>;
}

/** Where a task is in its life, as a driver sees it. */
export type TaskState = "unknown" | "running" | "exited";

/** Plain JSON, the only thing allowed in a handle's `DriverState`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * What `startTask` returns and the client persists, so that after an agent restart
 * `recoverTask(handle)` can re-attach to the running task. `DriverState` is the driver's own
 * opaque state; `Version` tells the driver how to read it.
 */
export interface TaskHandle {
  /** The version of `DriverState`'s layout. */
  Version: number;
  /** The config the task was started with. */
  Config: TaskConfig;
  /** The state when the handle was made. */
  State: TaskState;
  /**
   * The driver's own state (pids, container IDs, ...). It must survive `JSON.stringify` and
   * `JSON.parse` unchanged (plain objects, arrays, strings, finite numbers, booleans, null):
   * the client persists it as JSON.
   */
  DriverState: unknown;
}

/** Network details a driver created for a task (Nomad's `DriverNetwork`). */
export interface DriverNetwork {
  /** Port label to the port inside the task's network. */
  PortMap: Record<string, number>;
  /** The task's IP address. */
  IP: string;
  /** Whether services should advertise `IP` rather than the host's. */
  AutoAdvertise: boolean;
}

/** What `startTask` returns. */
export interface StartTaskResult {
  /** The handle to persist. */
  handle: TaskHandle;
  /** The network the driver made, if any. */
  network?: DriverNetwork;
}

/** How a task ended (Nomad's `ExitResult`). */
export interface ExitResult {
  /** The exit code; `128 + signal` when a signal killed it. */
  ExitCode: number;
  /** The signal that killed it, or 0. */
  Signal: number;
  /** Whether the kernel's OOM killer ended it. */
  OOMKilled: boolean;
  /** Why the driver could not run or watch the task, or `null`. */
  Err: string | null;
}

/** Whether a task ended well: exit code 0, no signal, no error. */
export function exitSuccessful(r: ExitResult): boolean {
  return r.ExitCode === 0 && r.Signal === 0 && r.Err === null;
}

/** A task as a driver sees it now (Nomad's `TaskStatus`). */
export interface TaskStatus {
  /** The task's ID. */
  ID: string;
  /** The task's name. */
  Name: string;
  /** Its state. */
  State: TaskState;
  /** When it started (RFC 3339). */
  StartedAt: string;
  /** When it ended (RFC 3339), or `null` while it runs. */
  CompletedAt: string | null;
  /** How it ended, or `null` while it runs. */
  ExitResult: ExitResult | null;
  /** Driver-specific details (pid, container ID, ...). */
  DriverAttributes: Record<string, string>;
}

/** Memory used by a task, in bytes (Nomad's `MemoryStats`). */
export interface MemoryStats {
  /** Resident set size. */
  RSS: number;
  /** Page cache. */
  Cache: number;
  /** Swap used. */
  Swap: number;
  /** Total usage (cgroups). */
  Usage: number;
  /** Peak usage (cgroups). */
  MaxUsage: number;
  /** Which of the fields above were measured. */
  Measured: string[];
}

/** CPU used by a task (Nomad's `CpuStats`); modes and `Percent` are percent of one core. */
export interface CpuStats {
  /** Percent in kernel mode. */
  SystemMode: number;
  /** Percent in user mode. */
  UserMode: number;
  /** CPU used in MHz (percent of one core times its clock). */
  TotalTicks: number;
  /** Throttled periods (cgroups). */
  ThrottledPeriods: number;
  /** Throttled time (cgroups). */
  ThrottledTime: number;
  /** Total percent. */
  Percent: number;
  /** Which of the fields above were measured. */
  Measured: string[];
}

/** Resource usage of a task or one of its processes. */
export interface ResourceUsage {
  /** Memory, or `null` when not measured. */
  MemoryStats: MemoryStats | null;
  /** CPU, or `null` when not measured. */
  CpuStats: CpuStats | null;
}

/** One sample of a task's resource usage (Nomad's `TaskResourceUsage`). */
export interface TaskResourceUsage {
  /** The whole task. */
  ResourceUsage: ResourceUsage;
  /** When it was sampled, in Unix nanoseconds. */
  Timestamp: number;
  /** Per process ID, when the driver measures processes. */
  Pids: Record<string, ResourceUsage> | null;
}

/** Something a driver wants shown in a task's event list (Nomad's `drivers.TaskEvent`). */
export interface TaskEvent {
  /** The task's ID. */
  TaskID: string;
  /** The task's name. */
  TaskName: string;
  /** The allocation's ID. */
  AllocID: string;
  /** When (RFC 3339). */
  Timestamp: string;
  /** What happened. */
  Message: string;
  /** Details. */
  Annotations: Record<string, string>;
}

/** What `execTask` returns. */
export interface ExecTaskResult {
  /** The command's stdout. */
  Stdout: Uint8Array;
  /** The command's stderr. */
  Stderr: Uint8Array;
  /** How it ended. */
  ExitResult: ExitResult;
}

/** A log line from a driver, forwarded to the agent's log by the host. */
export interface DriverLogger {
  /** Logs at a level with structured fields. */
  log(
    level: "trace" | "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ): void;
}

/** What a driver's factory receives. */
export interface DriverConfig {
  /** The plugin's name from its manifest. */
  name: string;
  /** The `plugin "<name>" { config { ... } }` block as JSON, not yet decoded. */
  plugin: Record<string, unknown>;
  /** The client's `options` map (`"driver.raw_exec.enable" = "1"`). */
  options: Record<string, string>;
  /** Paths the host resolved (the same as the manifest's `${...}` variables). */
  paths: {
    /** The Deno executable running the agent (`${deno}`). */
    deno: string;
    /** A directory this plugin owns for its own state (`${data_dir}`). */
    dataDir: string;
    /** The client's allocation directory (`${alloc_dir}`). */
    allocDir: string;
    /** The directory holding the driver's entry module (`${plugin_dir}`). */
    pluginDir: string;
  };
  /** Logs to the agent. */
  logger: DriverLogger;
}

/**
 * A task driver (Nomad's `DriverPlugin`). Methods may be called concurrently; task IDs are
 * `TaskConfig.ID`. Unknown task IDs reject with `TaskNotFoundError`.
 */
export interface Driver {
  /** Who the driver is. */
  pluginInfo(): PluginInfo;
  /** The schema of its plugin config (already applied by the factory). */
  configSchema(): ConfigSchema;
  /** The schema of a task's `config` block. */
  taskConfigSchema(): ConfigSchema;
  /** What it supports. */
  capabilities(): Capabilities;
  /** Fingerprints now, then whenever something changes or periodically, until `signal` aborts. */
  fingerprint(signal: AbortSignal): AsyncIterable<Fingerprint>;
  /** Starts a task. Rejects with `ConfigError` for a bad task config, `RecoverableError` to ask for a retry. */
  startTask(config: TaskConfig): Promise<StartTaskResult>;
  /** Re-attaches to a task from its persisted handle, never starting it again. */
  recoverTask(handle: TaskHandle): Promise<void>;
  /** Resolves when the task exits (at once if it already has), or rejects when `signal` aborts. */
  waitTask(taskId: string, signal: AbortSignal): Promise<ExitResult>;
  /** Sends `signal` (empty: the driver's default), waits `timeoutMs`, then kills; resolves once it has exited. */
  stopTask(taskId: string, timeoutMs: number, signal: string): Promise<void>;
  /** Forgets a task and frees what it held; a running task is refused unless `force`, which kills it. */
  destroyTask(taskId: string, force: boolean): Promise<void>;
  /** The task's status now. */
  inspectTask(taskId: string): Promise<TaskStatus>;
  /** Samples usage every `intervalMs` until `signal` aborts or the task exits. */
  taskStats(
    taskId: string,
    intervalMs: number,
    signal: AbortSignal,
  ): AsyncIterable<TaskResourceUsage>;
  /** Events for all tasks, from now until `signal` aborts. */
  taskEvents(signal: AbortSignal): AsyncIterable<TaskEvent>;
  /** Delivers a signal (`"SIGHUP"`) to the task. */
  signalTask?(taskId: string, signal: string): Promise<void>;
  /** Runs a command in the task's context and waits up to `timeoutMs` for it. */
  execTask?(taskId: string, command: string[], timeoutMs: number): Promise<ExecTaskResult>;
  /** Called before the plugin is unloaded; tasks keep running. */
  shutdown?(): Promise<void>;
}

/** A driver module's default export: validates its plugin config and builds the driver. */
export type DriverFactory = (config: DriverConfig) => Driver | Promise<Driver>;
