/**
 * One raw_exec task as the driver tracks it: its config, the executor directory and pids from
 * its handle, and its exit once the executor records one.
 *
 * @module
 */
import type { ExitResult, TaskConfig, TaskStatus } from "../../plugins/sdk.ts";
import type { ExecutorExit, ProcessId } from "./_protocol.ts";

/** raw_exec's `DriverState` (handle version 1). */
export interface RawExecDriverState {
  /** The executor directory (`<task dir>/.executor`). */
  ExecDir: string;
  /** The executor process. */
  Executor: ProcessId;
  /** The task's process. */
  Task: ProcessId | null;
  /** When the task started, in Unix milliseconds. */
  StartedAt: number;
}

/** A task the driver started or recovered. */
export class RawExecTask {
  /** The task's config. */
  readonly config: TaskConfig;
  /** Its handle's driver state. */
  readonly state: RawExecDriverState;
  /** Resolves with the exit result when the task has ended. */
  readonly done: Promise<ExitResult>;
  /** Whether a liveness check of the executor is under way. */
  checking = false;
  #exit: ExitResult | null = null;
  #completedAt: number | null = null;
  #resolve!: (exit: ExitResult) => void;

  constructor(config: TaskConfig, state: RawExecDriverState) {
    this.config = config;
    this.state = state;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Whether the task is still running. */
  get running(): boolean {
    return this.#exit === null;
  }

  /** Records the exit (the first one wins). */
  finish(exit: ExecutorExit): void {
    if (this.#exit !== null) return;
    this.#exit = {
      ExitCode: exit.ExitCode,
      Signal: exit.Signal,
      OOMKilled: exit.OOMKilled,
      Err: exit.Err,
    };
    this.#completedAt = exit.completedAt;
    this.#resolve({ ...this.#exit });
  }

  /** The task's status. */
  status(): TaskStatus {
    const attrs: Record<string, string> = { executor_pid: String(this.state.Executor.pid) };
    if (this.state.Task) attrs.pid = String(this.state.Task.pid);
    return {
      ID: this.config.ID,
      Name: this.config.Name,
      State: this.#exit === null ? "running" : "exited",
      StartedAt: new Date(this.state.StartedAt).toISOString(),
      CompletedAt: this.#completedAt === null ? null : new Date(this.#completedAt).toISOString(),
      ExitResult: this.#exit === null ? null : { ...this.#exit },
      DriverAttributes: attrs,
    };
  }
}
