/**
 * Killing a task as Nomad's task runner does: first its `shutdown_delay` (skipped when the
 * allocation's desired transition says `NoShutdownDelay`), then the driver's `stopTask` with the
 * task's `kill_signal` and `kill_timeout` (capped by the client's `max_kill_timeout`), retried a
 * few times with backoff, then the wait for its exit.
 *
 * @module
 */
import type { Allocation, TaskEvent } from "../structs/alloc.ts";
import { formatDuration } from "../structs/duration.ts";
import type { Task } from "../structs/task.ts";
import type { DriverClient } from "../../plugins/host.ts";
import { type ExitResult, TaskNotFoundError } from "../../plugins/sdk.ts";
import { errorMessage } from "./_common.ts";
import { sleep } from "../structs/sleep.ts";
import { newTaskEvent, TaskEventType as T } from "./events.ts";
import { DEFAULT_KILL_TIMEOUT } from "./_task_setup.ts";

/** How many times `stopTask` is tried. */
const KILL_ATTEMPTS = 3;
/** The first pause between tries, in ms (quadruples each time). */
const KILL_BACKOFF_MS = 500;

/** What {@linkcode killTask} needs. */
export interface KillTaskOptions {
  /** The task's driver (`null` when it is not loaded: nothing can be done). */
  driver: DriverClient | null;
  /** The task's ID in the driver. */
  taskId: string;
  task: Task;
  alloc: Allocation;
  /** The client's `max_kill_timeout` in nanoseconds. */
  maxKillTimeout: number;
  /** The agent is shutting down: stop waiting. */
  shutdown: AbortSignal;
  /** Records a shutdown-delay event (the task goes back to pending, as in Nomad). */
  emit: (event: TaskEvent) => Promise<void>;
  /** Tells the restart tracker the task was killed. */
  onKilled: () => void;
}

/** How a kill went. */
export interface KillResult {
  /** The task's exit, `null` when unknown, `"shutdown"` when the agent shut down meanwhile. */
  exit: ExitResult | null | "shutdown";
  /** Why the driver could not stop the task, if it could not. */
  killError: string | null;
}

/** The task's kill timeout in nanoseconds, capped by the client's. */
export function effectiveKillTimeout(task: Task, maxKillTimeout: number): number {
  return Math.min(task.KillTimeout ?? DEFAULT_KILL_TIMEOUT, maxKillTimeout);
}

async function waitExit(
  driver: DriverClient,
  taskId: string,
  signal: AbortSignal,
): Promise<ExitResult | null | "shutdown"> {
  try {
    return await driver.waitTask(taskId, signal);
  } catch {
    return signal.aborted ? "shutdown" : null;
  }
}

/** Kills a running task; see the module doc. */
export async function killTask(o: KillTaskOptions): Promise<KillResult> {
  const { driver, taskId } = o;
  const delay = o.task.ShutdownDelay;
  if (delay > 0 && driver !== null) {
    const skip = o.alloc.DesiredTransition.NoShutdownDelay === true;
    const text = formatDuration(delay);
    await o.emit(
      skip
        ? newTaskEvent(T.SkippingShutdownDelay, {
          displayMessage: `Skipping shutdown_delay of ${text} before killing the task.`,
        })
        : newTaskEvent(T.WaitingShuttingDownDelay, {
          displayMessage: `Waiting for shutdown_delay of ${text} before killing the task.`,
        }),
    );
    if (!skip) {
      const ctl = new AbortController();
      const stop = AbortSignal.any([ctl.signal, o.shutdown]);
      const exited = await Promise.race([
        waitExit(driver, taskId, stop),
        sleep(delay / 1_000_000, stop).then(() => undefined),
      ]);
      ctl.abort();
      if (o.shutdown.aborted) return { exit: "shutdown", killError: null };
      if (exited !== undefined && exited !== null) return { exit: exited, killError: null };
    }
  }
  o.onKilled();
  if (driver === null) return { exit: null, killError: "the task's driver is not loaded" };
  const timeoutMs = effectiveKillTimeout(o.task, o.maxKillTimeout) / 1_000_000;
  let killError: string | null = null;
  for (let i = 0; i < KILL_ATTEMPTS; i++) {
    try {
      await driver.stopTask(taskId, timeoutMs, o.task.KillSignal);
      killError = null;
      break;
    } catch (err) {
      if (err instanceof TaskNotFoundError) return { exit: null, killError: null };
      killError = errorMessage(err);
      if (o.shutdown.aborted) return { exit: "shutdown", killError };
      await sleep(KILL_BACKOFF_MS * 4 ** i, o.shutdown);
    }
  }
  return { exit: await waitExit(driver, taskId, o.shutdown), killError };
}
