/**
 * One raw_exec task as the driver tracks it: its config, the executor directory and pids from
 * its handle, and its exit once one is recorded.
 *
 * @module
 */
import type { ExitResult, TaskConfig, TaskStatus } from "../../plugins/sdk.ts";
import type { TaskHandle } from "../../plugins/sdk.ts";
import { type ExecutorExit, executorFiles, type ProcessId, readPids } from "./_executor.ts";

/** raw_exec's `DriverState` (handle version 2: a `/bin/sh` executor). */
export interface RawExecDriverState {
  /** The executor directory (`<task dir>/.executor`). */
  ExecDir: string;
  /** The boot ID when the task started: pids of another boot name other processes. */
  BootID: string;
  /** The executor process. */
  Executor: ProcessId;
  /** The task's process, leader of its own session and process group. */
  Task: ProcessId;
  /** When the task started, in Unix milliseconds. */
  StartedAt: number;
}

/** A task the driver started or recovered. */
export class RawExecTask {
  /** The task's config. */
  readonly config: TaskConfig;
  /** Its handle's driver state. */
  readonly state: RawExecDriverState;
  /** The task's environment (for `execTask`). */
  readonly env: Record<string, string>;
  /** The task's working directory (for `execTask`). */
  readonly cwd: string;
  /** Resolves with the exit result when the task has ended. */
  readonly done: Promise<ExitResult>;
  /** Whether this Worker started the executor (so it learns of its exit without polling). */
  child = false;
  /** Whether a stop is under way: once the task exits, what is left of its group is killed. */
  stopping = false;
  /** Whether a check of the executor is under way. */
  checking = false;
  #exit: ExitResult | null = null;
  #completedAt: number | null = null;
  #resolve!: (exit: ExitResult) => void;

  constructor(
    config: TaskConfig,
    state: RawExecDriverState,
    exec: { env: Record<string, string>; cwd: string },
  ) {
    this.config = config;
    this.state = state;
    this.env = exec.env;
    this.cwd = exec.cwd;
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
    // The exit file's time comes from the kernel's coarse clock: never before the start.
    this.#completedAt = Math.max(exit.completedAt, this.state.StartedAt);
    this.#resolve({ ...this.#exit });
  }

  /** The task's status. */
  status(): TaskStatus {
    return {
      ID: this.config.ID,
      Name: this.config.Name,
      State: this.#exit === null ? "running" : "exited",
      StartedAt: new Date(this.state.StartedAt).toISOString(),
      CompletedAt: this.#completedAt === null ? null : new Date(this.#completedAt).toISOString(),
      ExitResult: this.#exit === null ? null : { ...this.#exit },
      DriverAttributes: {
        executor_pid: String(this.state.Executor.pid),
        pid: String(this.state.Task.pid),
      },
    };
  }
}

function same(a: ProcessId | null, b: ProcessId | null): boolean {
  return a?.pid === b?.pid && a?.startTicks === b?.startTicks;
}

/**
 * The driver state of `handle`, checked against the executor directory it names: the same boot,
 * executor and task, so that recovery re-attaches only to what this handle started.
 *
 * @throws {Error} `failed to reattach to executor of task ...`, saying why.
 */
export function checkHandle(handle: TaskHandle, version: number): RawExecDriverState {
  const fail = (why: string) =>
    new Error(`failed to reattach to executor of task "${handle.Config.ID}": ${why}`);
  if (handle.Version !== version) {
    throw fail(`handle version ${handle.Version} is not ${version}`);
  }
  const ds = handle.DriverState as RawExecDriverState | null;
  if (
    ds === null || typeof ds.ExecDir !== "string" || typeof ds.BootID !== "string" ||
    typeof ds.Executor?.pid !== "number" || typeof ds.Task?.pid !== "number"
  ) {
    throw fail("the handle holds no raw_exec driver state");
  }
  const pids = readPids(ds.ExecDir);
  const file = executorFiles(ds.ExecDir).pids;
  if (pids.executor === null) throw fail(`no executor state at ${file}`);
  if (pids.boot !== ds.BootID || !same(pids.executor, ds.Executor) || !same(pids.task, ds.Task)) {
    throw fail(`${file} belongs to another executor (pid ${pids.executor.pid}) than the handle's`);
  }
  return ds;
}
