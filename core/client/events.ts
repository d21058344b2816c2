/**
 * Task events and task states as Nomad's client records them: the event types, the
 * constructors that fill both the `Details` map and the deprecated top-level fields, the
 * human-readable `DisplayMessage` (`"Task started by client"`, `"Exit Code: 0"`, ...), and the
 * pure transitions of a {@linkcode TaskState} (pending → running → dead, `Failed`, `Restarts`,
 * `StartedAt`, `FinishedAt`).
 *
 * Times: a {@linkcode TaskEvent}'s `Time` is Unix nanoseconds; a state's times are RFC 3339.
 * Every function here is pure: it returns new objects and never mutates its arguments.
 *
 * @module
 */
import type { TaskEvent, TaskState } from "../structs/alloc.ts";
import { TaskEventSpec, TaskStateSpec } from "../structs/alloc.ts";
import { formatDuration } from "../structs/duration.ts";
import { zero, ZERO_TIME } from "../structs/schema.ts";

/** Nomad's task event types (the `Type` of a {@linkcode TaskEvent}). */
export const TaskEventType = {
  SetupFailure: "Setup Failure",
  DriverFailure: "Driver Failure",
  Received: "Received",
  FailedValidation: "Failed Validation",
  Started: "Started",
  Pausing: "Pausing",
  Terminated: "Terminated",
  Killing: "Killing",
  Killed: "Killed",
  Restarting: "Restarting",
  NotRestarting: "Not Restarting",
  RestartSignal: "Restart Signaled",
  Signaling: "Signaling",
  DownloadingArtifacts: "Downloading Artifacts",
  ArtifactDownloadFailed: "Failed Artifact Download",
  BuildingTaskDir: "Building Task Directory",
  Setup: "Task Setup",
  DiskExceeded: "Disk Resources Exceeded",
  SiblingFailed: "Sibling Task Failed",
  DriverMessage: "Driver",
  LeaderDead: "Leader Task Dead",
  MainDead: "Main Tasks Dead",
  HookFailed: "Task hook failed",
  HookMessage: "Task hook message",
  RestoreFailed: "Failed Restoring Task",
  PluginUnhealthy: "Plugin became unhealthy",
  PluginHealthy: "Plugin became healthy",
  ClientReconnected: "Reconnected",
  WaitingShuttingDownDelay: "Waiting for shutdown delay",
  SkippingShutdownDelay: "Skipping shutdown delay",
  Running: "Running",
} as const;

/** The three states of a task. */
export const TaskStateName = { Pending: "pending", Running: "running", Dead: "dead" } as const;
/** One of the three states of a task. */
export type TaskStateName = typeof TaskStateName[keyof typeof TaskStateName];

/** How many events a task state keeps (Nomad's `defaultMaxEvents`). */
export const DEFAULT_MAX_EVENTS = 10;

/** The restart reason that Nomad leaves out of a `Restarting` event's display message. */
export const REASON_WITHIN_POLICY = "Restart within policy";

/** What an event carries besides its type; each field fills its `Details` key too. */
export interface TaskEventFields {
  /** `Message` and `Details.message`. */
  message?: string;
  /** Overrides the computed `DisplayMessage`. */
  displayMessage?: string;
  /** Marks the task failed when the event is appended (`Details.fails_task`). */
  failsTask?: boolean;
  /** `Details.restart_reason`. */
  restartReason?: string;
  /** `Details.setup_error`. */
  setupError?: string;
  /** `Details.driver_error`. */
  driverError?: string;
  /** `Details.exit_code`. */
  exitCode?: number;
  /** `Details.signal`. */
  signal?: number;
  /** A signal name for `Details.signal` (Nomad's `SetSignalText`). */
  signalText?: string;
  /** `Details.exit_message` (also `Message`). */
  exitMessage?: string;
  /** Whether the kernel's OOM killer ended the task (`Details.oom_killed`). */
  oomKilled?: boolean;
  /** Nanoseconds; with {@linkcode maxKillTimeout} the smaller of the two (`Details.kill_timeout`). */
  killTimeout?: number;
  /** The client's `max_kill_timeout` in nanoseconds. */
  maxKillTimeout?: number;
  /** `Details.kill_error`. */
  killError?: string;
  /** `Details.kill_reason`. */
  killReason?: string;
  /** Nanoseconds before the restart (`Details.start_delay`). */
  startDelay?: number;
  /** `Details.download_error`. */
  downloadError?: string;
  /** `Details.validation_error`. */
  validationError?: string;
  /** Bytes (`Details.disk_limit`). */
  diskLimit?: number;
  /** `Details.failed_sibling`. */
  failedSibling?: string;
  /** `Details.task_signal_reason`. */
  taskSignalReason?: string;
  /** `Details.task_signal`. */
  taskSignal?: string;
  /** `Details.driver_message`. */
  driverMessage?: string;
}

/** The current time in Unix nanoseconds, as the rest of nomad-ts computes it. */
export function nowNanos(nowMs: number = Date.now()): number {
  return nowMs * 1_000_000;
}

/**
 * Makes a task event with Nomad's fields, details and display message.
 *
 * @param type One of {@linkcode TaskEventType}.
 * @param fields What the event carries.
 * @param time Unix nanoseconds; default now.
 * @example
 * ```ts
 * newTaskEvent(TaskEventType.Terminated, { exitCode: 1 }).DisplayMessage; // "Exit Code: 1"
 * ```
 */
export function newTaskEvent(
  type: string,
  fields: TaskEventFields = {},
  time: number = nowNanos(),
): TaskEvent {
  const e: TaskEvent = { ...zero(TaskEventSpec), Type: type, Time: time, Details: {} };
  const d = e.Details as Record<string, string>;
  const f = fields;
  if (f.message !== undefined) (e.Message = f.message), (d.message = f.message);
  if (f.failsTask) (e.FailsTask = true), (d.fails_task = "true");
  if (f.setupError) (e.SetupError = f.setupError), (d.setup_error = f.setupError);
  if (f.driverError) (e.DriverError = f.driverError), (d.driver_error = f.driverError);
  if (f.exitCode !== undefined) (e.ExitCode = f.exitCode), (d.exit_code = String(f.exitCode));
  if (f.signal !== undefined) (e.Signal = f.signal), (d.signal = String(f.signal));
  if (f.signalText !== undefined) d.signal = f.signalText;
  if (f.oomKilled !== undefined) d.oom_killed = String(f.oomKilled);
  if (f.exitMessage) (e.Message = f.exitMessage), (d.exit_message = f.exitMessage);
  if (f.killTimeout !== undefined) {
    const actual = f.maxKillTimeout === undefined
      ? f.killTimeout
      : Math.min(f.killTimeout, f.maxKillTimeout);
    e.KillTimeout = actual;
    d.kill_timeout = formatDuration(actual);
  }
  if (f.killError) (e.KillError = f.killError), (d.kill_error = f.killError);
  if (f.killReason !== undefined) (e.KillReason = f.killReason), (d.kill_reason = f.killReason);
  if (f.startDelay !== undefined) {
    e.StartDelay = f.startDelay;
    d.start_delay = String(f.startDelay);
  }
  if (f.restartReason !== undefined) {
    e.RestartReason = f.restartReason;
    d.restart_reason = f.restartReason;
  }
  if (f.downloadError) (e.DownloadError = f.downloadError), (d.download_error = f.downloadError);
  if (f.validationError) {
    e.ValidationError = f.validationError;
    d.validation_error = f.validationError;
  }
  if (f.diskLimit !== undefined) (e.DiskLimit = f.diskLimit), (d.disk_limit = String(f.diskLimit));
  if (f.failedSibling !== undefined) {
    e.FailedSibling = f.failedSibling;
    d.failed_sibling = f.failedSibling;
  }
  if (f.taskSignalReason !== undefined) {
    e.TaskSignalReason = f.taskSignalReason;
    d.task_signal_reason = f.taskSignalReason;
  }
  if (f.taskSignal !== undefined) (e.TaskSignal = f.taskSignal), (d.task_signal = f.taskSignal);
  if (f.driverMessage !== undefined) {
    e.DriverMessage = f.driverMessage;
    d.driver_message = f.driverMessage;
  }
  e.DisplayMessage = f.displayMessage ?? displayMessage(e);
  return e;
}

/** The human-readable description Nomad computes for an event (`PopulateEventDisplayMessage`). */
export function displayMessage(e: TaskEvent): string {
  const T = TaskEventType;
  switch (e.Type) {
    case T.Setup:
      return e.Message;
    case T.Started:
      return "Task started by client";
    case T.Received:
      return "Task received by client";
    case T.FailedValidation:
      return e.ValidationError || "Validation of task failed";
    case T.SetupFailure:
      return e.SetupError || "Task setup failed";
    case T.DriverFailure:
      return e.DriverError || "Failed to start task";
    case T.DownloadingArtifacts:
      return "Client is downloading artifacts";
    case T.ArtifactDownloadFailed:
      return e.DownloadError || "Failed to download artifacts";
    case T.Killing:
      if (e.KillReason) return e.KillReason;
      if (e.KillTimeout !== 0) {
        return `Sent interrupt. Waiting ${formatDuration(e.KillTimeout)} before force killing`;
      }
      return "Sent interrupt";
    case T.Killed:
      return e.KillError || "Task successfully killed";
    case T.Terminated: {
      const parts = [`Exit Code: ${e.ExitCode}`];
      if (e.Signal !== 0) parts.push(`Signal: ${e.Signal}`);
      if (e.Message) parts.push(`Exit Message: ${JSON.stringify(e.Message)}`);
      return parts.join(", ");
    }
    case T.Restarting: {
      const inText = `Task restarting in ${formatDuration(e.StartDelay)}`;
      return e.RestartReason && e.RestartReason !== REASON_WITHIN_POLICY
        ? `${e.RestartReason} - ${inText}`
        : inText;
    }
    case T.NotRestarting:
      return e.RestartReason || "Task exceeded restart policy";
    case T.SiblingFailed:
      return e.FailedSibling
        ? `Task's sibling ${JSON.stringify(e.FailedSibling)} failed`
        : "Task's sibling failed";
    case T.Signaling: {
      const sig = e.TaskSignal;
      const reason = e.TaskSignalReason;
      if (!sig && !reason) return "Task being sent a signal";
      if (!sig) return reason;
      return reason ? `Task being sent signal ${sig}: ${reason}` : `Task being sent signal ${sig}`;
    }
    case T.RestartSignal:
      return e.RestartReason || "Task signaled to restart";
    case T.DriverMessage:
      return e.DriverMessage;
    case T.LeaderDead:
      return "Leader Task in Group dead";
    case T.MainDead:
      return "Main tasks in the group died";
    case T.ClientReconnected:
      return "Client reconnected";
    default:
      return e.Message;
  }
}

/** A fresh task state: pending, no events (Nomad's `NewTaskState`). */
export function newTaskState(): TaskState {
  return { ...zero(TaskStateSpec), State: TaskStateName.Pending };
}

/**
 * Formats Unix milliseconds as Go marshals a UTC `time.Time`: RFC 3339 with the fraction's
 * trailing zeros dropped (`2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.25Z`).
 */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}

/**
 * Appends an event to a task state, as the task runner does: a `FailsTask` event marks the
 * task failed; a `Restarting` event counts a restart and sets `LastRestart`; the oldest
 * events drop off past `maxEvents`.
 */
export function appendTaskEvent(
  state: TaskState,
  event: TaskEvent,
  maxEvents: number = DEFAULT_MAX_EVENTS,
): TaskState {
  const next: TaskState = { ...state };
  if (event.FailsTask) next.Failed = true;
  if (event.Type === TaskEventType.Restarting) {
    next.Restarts = state.Restarts + 1;
    next.LastRestart = rfc3339(Math.floor(event.Time / 1_000_000));
  }
  const events = [...(state.Events ?? []), event];
  next.Events = events.length > maxEvents ? events.slice(events.length - maxEvents) : events;
  return next;
}

/** Options of {@linkcode updateTaskState}. */
export interface UpdateTaskStateOptions {
  /** An event to append first. */
  event?: TaskEvent;
  /** The current time in Unix milliseconds; default `Date.now()`. */
  now?: number;
  /** How many events to keep. */
  maxEvents?: number;
}

/**
 * Moves a task to `pending`, `running` or `dead`, appending `event` first when given. Entering
 * `running` from another state sets `StartedAt`; entering `dead` sets `FinishedAt` once.
 *
 * @example
 * ```ts
 * let s = newTaskState();
 * s = updateTaskState(s, "running", { event: newTaskEvent(TaskEventType.Started) });
 * ```
 */
export function updateTaskState(
  state: TaskState,
  to: TaskStateName,
  opts: UpdateTaskStateOptions = {},
): TaskState {
  const next = opts.event ? appendTaskEvent(state, opts.event, opts.maxEvents) : { ...state };
  const now = opts.now ?? Date.now();
  const from = state.State;
  next.State = to;
  if (to === TaskStateName.Running && from !== TaskStateName.Running) {
    next.StartedAt = rfc3339(now);
  }
  if (to === TaskStateName.Dead && next.FinishedAt === ZERO_TIME) {
    next.FinishedAt = rfc3339(now);
  }
  return next;
}

/** Whether a task finished successfully: dead and not failed. */
export function taskSuccessful(state: TaskState): boolean {
  return state.State === TaskStateName.Dead && !state.Failed;
}
