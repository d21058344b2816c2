/**
 * The messages between the plugin host and a driver's Worker. Requests carry an `id`; a unary
 * call gets one `ok`/`err`, a stream gets `item`s then one `end`. Streams are credit-based: the
 * Worker sends an item only while it holds credit, and the host grants more as its consumer
 * reads (backpressure). `cancel` aborts the `AbortSignal` the driver got for that call and ends a
 * stream. `ping`/`pong` let the host notice a Worker that exited or hangs.
 *
 * @module
 */
import type { SerializedError } from "./errors.ts";
import type { Capabilities, ConfigSchema, PluginInfo } from "./sdk.ts";

/** Driver methods answered once. */
export type UnaryMethod =
  | "startTask"
  | "recoverTask"
  | "waitTask"
  | "stopTask"
  | "destroyTask"
  | "inspectTask"
  | "signalTask"
  | "execTask"
  | "shutdown";

/** Driver methods that return an `AsyncIterable`. */
export type StreamMethod = "fingerprint" | "taskStats" | "taskEvents";

/** Where each method takes its `AbortSignal` (the host sends `null` there). */
export const SIGNAL_ARG: Partial<Record<UnaryMethod | StreamMethod, number>> = {
  waitTask: 1,
  fingerprint: 0,
  taskStats: 2,
  taskEvents: 0,
};

/** What the Worker reports about its driver once the factory returned. */
export interface DriverMeta {
  /** `pluginInfo()`. */
  info: PluginInfo;
  /** `configSchema()`. */
  configSchema: ConfigSchema;
  /** `taskConfigSchema()`. */
  taskConfigSchema: ConfigSchema;
  /** `capabilities()`. */
  capabilities: Capabilities;
  /** Which optional methods exist. */
  has: { signalTask: boolean; execTask: boolean; shutdown: boolean };
}

/** The part of `DriverConfig` that crosses the boundary (the logger is rebuilt inside). */
export interface WireDriverConfig {
  /** `DriverConfig.name`. */
  name: string;
  /** `DriverConfig.plugin`. */
  plugin: Record<string, unknown>;
  /** `DriverConfig.options`. */
  options: Record<string, string>;
  /** `DriverConfig.paths`. */
  paths: { deno: string; dataDir: string; allocDir: string; pluginDir: string };
}

/** Host to Worker. */
export type HostMessage =
  | { t: "init"; config: WireDriverConfig }
  | { t: "call"; id: number; method: UnaryMethod; args: unknown[] }
  | { t: "stream"; id: number; method: StreamMethod; args: unknown[]; credit: number }
  | { t: "credit"; id: number; n: number }
  | { t: "cancel"; id: number }
  | { t: "ping"; id: number };

/** A log record from the driver. */
export interface LogMessage {
  /** Marks a log record. */
  t: "log";
  /** Its level. */
  level: "trace" | "debug" | "info" | "warn" | "error";
  /** Its message. */
  message: string;
  /** Structured fields. */
  fields?: Record<string, unknown>;
}

/** Worker to host. */
export type WorkerMessage =
  | { t: "ready"; meta: DriverMeta }
  | { t: "init_error"; error: SerializedError }
  | { t: "ok"; id: number; value: unknown }
  | { t: "err"; id: number; error: SerializedError }
  | { t: "item"; id: number; value: unknown }
  | { t: "end"; id: number; error?: SerializedError }
  | { t: "pong"; id: number }
  | LogMessage;

/** The credit a stream starts with, and the batch in which the host grants more. */
export const STREAM_WINDOW = 16;
