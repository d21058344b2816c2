/**
 * The errors of the driver contract. A driver throws the first four; the plugin host throws the
 * last three when the driver's Worker misbehaves. Every class keeps its `name` and structured
 * fields across the Worker boundary (see `serializeError` / `deserializeError`).
 *
 * @module
 */
import { ValidationError } from "../core/structs/errors.ts";

/** A driver was asked about a task it does not know (never started, not recovered, destroyed). */
export class TaskNotFoundError extends Error {
  override readonly name = "TaskNotFoundError";
  /** The task ID that was asked for. */
  readonly taskId: string;
  constructor(taskId: string, options?: ErrorOptions) {
    super(
      `task not found for given id "${taskId}": start or recover the task on this driver first`,
      options,
    );
    this.taskId = taskId;
  }
}

/**
 * A driver or task configuration does not match its schema; `problems` lists every problem,
 * each naming the option and what it must be. Shaped like `ValidationError`.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Every problem found. */
  readonly problems: readonly string[];
  /** The first line, without the problems (`Invalid raw_exec task config`). */
  readonly summary: string;
  constructor(summary: string, problems: readonly string[], options?: ErrorOptions) {
    super(
      problems.length === 0
        ? summary
        : `${summary}:\n${problems.map((p) => `  * ${p}`).join("\n")}`,
      options,
    );
    this.summary = summary;
    this.problems = problems;
  }
}

/**
 * A task failed to start; `recoverable` tells the client whether restarting it may help
 * (Nomad's `structs.NewRecoverableError`).
 */
export class RecoverableError extends Error {
  override readonly name = "RecoverableError";
  /** Whether the client may retry (restart policy) rather than fail the task at once. */
  readonly recoverable: boolean;
  constructor(message: string, recoverable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.recoverable = recoverable;
  }
}

/** The driver does not implement an optional operation (`signalTask`, `execTask`). */
export class NotSupportedError extends Error {
  override readonly name = "NotSupportedError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A call into a plugin did not answer before its deadline; the plugin itself may be fine. */
export class PluginTimeoutError extends Error {
  override readonly name = "PluginTimeoutError";
  /** The plugin's name. */
  readonly plugin: string;
  /** The method that timed out. */
  readonly method: string;
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(plugin: string, method: string, timeoutMs: number) {
    super(
      `plugin "${plugin}" did not answer ${method}() within ${timeoutMs} ms; ` +
        "the driver may be hung: check its log or raise the host's call timeout",
    );
    this.plugin = plugin;
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/** The plugin's Worker crashed, exited or stopped answering; the host restarts it. */
export class PluginCrashedError extends Error {
  override readonly name = "PluginCrashedError";
  /** The plugin's name. */
  readonly plugin: string;
  constructor(plugin: string, reason: string, options?: ErrorOptions) {
    super(`plugin "${plugin}" crashed: ${reason}`, options);
    this.plugin = plugin;
  }
}

/** A plugin could not be loaded: bad manifest, module not found, factory threw. */
export class PluginLoadError extends Error {
  override readonly name = "PluginLoadError";
  /** The plugin's name (or the manifest's path when the name is unknown). */
  readonly plugin: string;
  constructor(plugin: string, message: string, options?: ErrorOptions) {
    super(`Cannot load plugin "${plugin}": ${message}`, options);
    this.plugin = plugin;
  }
}

/** An error as it crosses the Worker boundary: plain data, structured-cloneable. */
export interface SerializedError {
  /** The class name (`TaskNotFoundError`, `TypeError`, ...). */
  name: string;
  /** The message. */
  message: string;
  /** `RecoverableError.recoverable`. */
  recoverable?: boolean;
  /** `ConfigError.problems`, without the summary. */
  problems?: string[];
  /** `ConfigError`'s summary line. */
  summary?: string;
  /** `TaskNotFoundError.taskId`. */
  taskId?: string;
  /** The stack in the Worker, for logs. */
  stack?: string;
}

/** Turns anything thrown into plain data that `deserializeError` rebuilds. */
export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const out: SerializedError = { name: err.name, message: err.message };
  if (err.stack !== undefined) out.stack = err.stack;
  if (err instanceof RecoverableError) out.recoverable = err.recoverable;
  if (err instanceof TaskNotFoundError) out.taskId = err.taskId;
  if (err instanceof ConfigError) {
    out.problems = [...err.problems];
    out.summary = err.summary;
  } else if (err instanceof ValidationError) {
    out.problems = [...err.problems];
    out.summary = err.message.split(":\n")[0] ?? err.message;
  }
  return out;
}

/** Rebuilds an error sent by `serializeError`, as the same class when it is one of ours. */
export function deserializeError(data: SerializedError): Error {
  let err: Error;
  switch (data.name) {
    case "TaskNotFoundError":
      err = new TaskNotFoundError(data.taskId ?? "");
      err.message = data.message;
      break;
    case "ConfigError":
      err = new ConfigError(data.summary ?? data.message, data.problems ?? []);
      break;
    case "ValidationError":
      err = new ValidationError(data.summary ?? data.message, data.problems ?? []);
      break;
    case "RecoverableError":
      err = new RecoverableError(data.message, data.recoverable ?? false);
      break;
    case "NotSupportedError":
      err = new NotSupportedError(data.message);
      break;
    case "TypeError":
      err = new TypeError(data.message);
      break;
    case "RangeError":
      err = new RangeError(data.message);
      break;
    default: {
      // Deno's own errors (NotCapable, NotFound, PermissionDenied, ...) keep their class.
      const denoClass =
        (Deno.errors as unknown as Record<string, (new (m: string) => Error) | undefined>)[
          data.name
        ];
      err = denoClass ? new denoClass(data.message) : new Error(data.message);
      if (err.name !== data.name) Object.defineProperty(err, "name", { value: data.name });
    }
  }
  if (data.stack !== undefined) err.stack = data.stack;
  return err;
}
