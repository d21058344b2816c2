/**
 * What a task runner keeps about its task — its state (with events), the driver's handle, the
 * restart tracker — and how it writes them: every change goes to the client's state database
 * (one record per task) and is announced to the alloc runner.
 *
 * @module
 */
import type { TaskEvent, TaskState } from "../structs/alloc.ts";
import type { Task } from "../structs/task.ts";
import type { ExitResult, TaskHandle } from "../../plugins/sdk.ts";
import { errorMessage } from "./_common.ts";
import type { PersistedTask } from "./_state_db.ts";
import type { TaskRunnerEnv } from "./_task_env.ts";
import {
  appendTaskEvent,
  newTaskEvent,
  newTaskState,
  TaskEventType as T,
  type TaskStateName,
  updateTaskState,
} from "./events.ts";
import { RestartTracker } from "./restarts.ts";

/** The `Terminated` event of an exit. */
export function terminatedEvent(exit: ExitResult): TaskEvent {
  return newTaskEvent(T.Terminated, {
    exitCode: exit.ExitCode,
    signal: exit.Signal,
    oomKilled: exit.OOMKilled,
    ...(exit.Err ? { exitMessage: exit.Err } : {}),
  });
}

/** A task's persisted facts. */
export class TaskRecord {
  /** The task's state as reported. */
  state: TaskState;
  /** The driver's handle while the task has a process. */
  handle: TaskHandle | null;
  /** The network the driver made. */
  network: PersistedTask["network"];
  /** Whether the run loop ended for good. */
  runComplete: boolean;
  /** Whether `Task Setup` was announced (once per task, as Nomad's task dir hook). */
  announced: boolean;
  /** The restart tracker. */
  readonly tracker: RestartTracker;
  readonly #env: TaskRunnerEnv;
  readonly #allocId: string;
  readonly #name: string;
  #quiet = false;

  constructor(
    env: TaskRunnerEnv,
    allocId: string,
    jobType: string,
    task: Task,
    persisted: PersistedTask | null,
  ) {
    this.#env = env;
    this.#allocId = allocId;
    this.#name = task.Name;
    this.tracker = new RestartTracker(task.RestartPolicy, jobType, task.Lifecycle, {
      clock: env.clock,
    });
    if (persisted?.restart) this.tracker.restore(persisted.restart);
    this.state = persisted?.state ?? newTaskState();
    this.handle = persisted?.handle ?? null;
    this.network = persisted?.network ?? null;
    this.runComplete = persisted?.runComplete ?? false;
    this.announced = (this.state.Events ?? []).some((e) => e.Type === T.Setup);
    if (persisted === null) {
      const now = env.clock.now() * 1_000_000;
      this.state = appendTaskEvent(this.state, newTaskEvent(T.Received, {}, now));
    }
  }

  /** Stops logging write failures (the agent is going away). */
  quiet(): void {
    this.#quiet = true;
  }

  /** Writes the record; failures are logged (the next write carries the state). */
  persist(): Promise<void> {
    const rec: PersistedTask = {
      handle: this.handle,
      network: this.network,
      state: this.state,
      restart: this.tracker.snapshot(),
      runComplete: this.runComplete,
    };
    return this.#env.db.putTask(this.#allocId, this.#name, rec).catch((err) => {
      if (this.#quiet) return;
      this.#env.logger.error("failed to persist task state", {
        alloc_id: this.#allocId,
        task: this.#name,
        error: errorMessage(err),
      });
    });
  }

  /** Appends an event (and moves the state when `to` is given), writes, announces. */
  update(event: TaskEvent | null, to?: TaskStateName): Promise<void> {
    if (to !== undefined) {
      this.state = updateTaskState(this.state, to, {
        ...(event ? { event } : {}),
        now: this.#env.clock.now(),
      });
    } else if (event) {
      this.state = appendTaskEvent(this.state, event);
    }
    const written = this.persist();
    this.#env.onStateChange(this.#name);
    return written;
  }

  /**
   * Records that the persisted handle could not be re-attached (the task is gone): a `Failed
   * Restoring Task` event, and an exit the restart policy then decides about.
   */
  async restoreFailed(why: string): Promise<void> {
    this.handle = null;
    if (this.state.State === "running") this.state = { ...this.state, State: "pending" };
    await this.update(newTaskEvent(T.RestoreFailed, { message: why }));
    this.tracker.setExitResult({
      ExitCode: 0,
      Signal: 0,
      OOMKilled: false,
      Err: `failed to restore task: ${why}`,
    });
  }

  /**
   * Nomad's `shouldRestart`: asks the tracker what to do about what it recorded and records
   * the matching event — `Killed`, `Not Restarting` (failing the task), nothing for a task
   * that is done, or `Restarting` (back to pending). Resolves with the delay before the restart
   * in nanoseconds, or `null` when the task is not restarted.
   */
  async shouldRestart(killError: string | null): Promise<number | null> {
    const d = this.tracker.decide();
    switch (d.state) {
      case T.Killed:
        await this.update(newTaskEvent(T.Killed, killError ? { killError } : {}));
        return null;
      case T.NotRestarting:
        await this.update(
          newTaskEvent(T.NotRestarting, { restartReason: d.reason, failsTask: true }),
          "dead",
        );
        return null;
      case T.Terminated:
        return null;
      default:
        await this.update(
          newTaskEvent(T.Restarting, { startDelay: d.delay, restartReason: d.reason }),
          "pending",
        );
        return d.delay;
    }
  }

  /**
   * For a task recorded running without a handle (it exited just before a crash, and the
   * restart policy was not applied yet): records the exit of its last `Terminated` event with
   * the tracker. Returns whether there was one.
   */
  exitFromEvents(): boolean {
    const last = (this.state.Events ?? []).at(-1);
    if (last?.Type !== T.Terminated) return false;
    this.tracker.setExitResult({
      ExitCode: last.ExitCode,
      Signal: last.Signal,
      OOMKilled: last.Details?.oom_killed === "true",
      Err: last.Message || null,
    });
    return true;
  }
}
