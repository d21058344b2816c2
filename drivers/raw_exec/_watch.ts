/**
 * How the driver learns that a task ended, and what it does when an executor died without
 * recording an exit.
 *
 * - An executor this Worker started is its child: its exit is known at once.
 * - An executor of a recovered task is not: every second, one read of `/proc` tells which of
 *   them ended (gone, or a zombie), and only those have their `exit` file read.
 * - An executor that is gone with no `exit` recorded (killed with SIGKILL, say) left its task
 *   unsupervised: the driver kills the task's process group, waits until it is dead (a zombie
 *   counts as dead), and records an exit that says so (or, when the task had already ended and
 *   sits unreaped, the status the kernel still holds).
 *
 * @module
 */
import { existsSync, rmSync } from "node:fs";
import { sleep } from "../../plugins/sdk.ts";
import { type ExecutorExit, type ProcessId, readExit, readPids, writeExit } from "./_executor.ts";
import { isRunning, type ProcReader, zombieExit } from "./_procfs.ts";
import { type Signaller, signalNumber } from "./_sh.ts";
import type { RawExecTask } from "./_task.ts";

const SIGKILL = signalNumber("SIGKILL");

/** The `Err` of a task killed because its executor died. */
const ERR_EXECUTOR_DIED_KILLED =
  "the task's executor died; the task was killed so that it is not left unsupervised";

/** What the watcher and the reaper need. */
export interface WatchDeps {
  /** Reads `/proc`. */
  procs: ProcReader;
  /** Sends signals. */
  signals: Signaller;
}

/**
 * Kills what is left of process group `task` (its pid) unless the pid now names another
 * process: while any process of the group lives, Linux does not hand its id to a new process.
 */
export async function killGroup(task: ProcessId, deps: WatchDeps): Promise<void> {
  const procs = await deps.procs.stats([task.pid]);
  const now = procs.get(task.pid);
  if (now !== undefined && now.startTicks !== task.startTicks) return;
  await deps.signals.send(-task.pid, SIGKILL);
}

/**
 * Ends the task of an executor that died without recording an exit: kills its process group,
 * waits up to 5 s for its process to die, then records the exit in `dir` and returns it.
 *
 * @throws {Error} When the task's process is still running after SIGKILL.
 */
export async function reapOrphan(
  dir: string,
  task: ProcessId | null,
  deps: WatchDeps,
): Promise<ExecutorExit> {
  const late = readExit(dir);
  if (late !== null) return late;
  const exit: ExecutorExit = {
    ExitCode: -1,
    Signal: 0,
    OOMKilled: false,
    Err: "the task's executor died, so the task's exit code is unknown",
    completedAt: Date.now(),
  };
  if (task !== null) {
    let procs = await deps.procs.stats([task.pid]);
    const zombie = zombieExit(procs, task);
    const wasRunning = isRunning(procs, task);
    await killGroup(task, deps);
    const deadline = Date.now() + 5_000;
    while (isRunning(procs, task)) {
      if (Date.now() > deadline) {
        throw new Error(`cannot kill process ${task.pid}, left running by its dead executor`);
      }
      await sleep(20);
      procs = await deps.procs.stats([task.pid]);
    }
    if (wasRunning) {
      Object.assign(exit, {
        ExitCode: 128 + SIGKILL,
        Signal: SIGKILL,
        Err: ERR_EXECUTOR_DIED_KILLED,
      });
    } else if (zombie !== null) {
      Object.assign(exit, { ExitCode: zombie.code, Signal: zombie.signal, Err: null });
    }
  }
  if (existsSync(dir)) writeExit(dir, exit);
  return exit;
}

/**
 * Clears what an earlier start of task `id` left in `dir` before it starts again: refuses while
 * that start's executor runs, and kills the task a dead executor left behind, so that a task
 * never runs twice. Pids of an earlier boot are ignored: those processes are gone.
 *
 * @throws {Error} When the earlier executor still runs.
 */
export async function clearPrevious(id: string, dir: string, deps: WatchDeps): Promise<void> {
  const { boot, executor, task } = readPids(dir);
  const thisBoot = boot !== null && boot === await deps.procs.bootId();
  if (thisBoot && executor !== null && readExit(dir) === null) {
    const procs = await deps.procs.stats([executor.pid]);
    if (isRunning(procs, executor)) {
      throw new Error(
        `task "${id}" already has a running executor (pid ${executor.pid}); ` +
          "recover it with its handle instead of starting it again",
      );
    }
    await reapOrphan(dir, task, deps);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** What the watcher tells the driver. */
export interface WatchEvents {
  /** A task's executor died and the watcher ended the task. */
  onReaped(task: RawExecTask, exit: ExecutorExit): void;
  /** A check failed (it is retried on the next round). */
  onError(task: RawExecTask, err: Error): void;
}

/** Watches the driver's running tasks; see the module doc. */
export class TaskWatcher {
  #deps: WatchDeps & WatchEvents;
  #tasks: () => Iterable<RawExecTask>;
  #timer: ReturnType<typeof setInterval>;

  /**
   * @param tasks The driver's tasks (read each round).
   * @param opts How often to look up the executors of recovered tasks in `/proc`.
   */
  constructor(
    tasks: () => Iterable<RawExecTask>,
    deps: WatchDeps & WatchEvents,
    opts: { pollMs: number },
  ) {
    this.#tasks = tasks;
    this.#deps = deps;
    this.#timer = setInterval(() => void this.#round(), opts.pollMs);
  }

  /** Watches a task whose executor is this Worker's child `child`. */
  watchChild(task: RawExecTask, child: Deno.ChildProcess): void {
    task.child = true;
    void child.status.then(() => this.check(task, true));
  }

  /**
   * Records `task`'s exit if its executor recorded one; when the executor is known to be gone
   * and recorded none, reaps the orphan.
   */
  async check(task: RawExecTask, executorGone: boolean): Promise<void> {
    if (!task.running || task.checking) return;
    task.checking = true;
    try {
      const exit = readExit(task.state.ExecDir);
      if (exit !== null) return task.finish(exit);
      if (!executorGone) return;
      if (!existsSync(task.state.ExecDir)) {
        return task.finish({
          ExitCode: -1,
          Signal: 0,
          OOMKilled: false,
          Err: "the executor directory was removed",
          completedAt: Date.now(),
        });
      }
      const reaped = await reapOrphan(task.state.ExecDir, task.state.Task, this.#deps);
      this.#deps.onReaped(task, reaped);
      task.finish(reaped);
    } catch (err) {
      this.#deps.onError(task, err as Error);
    } finally {
      task.checking = false;
    }
  }

  /**
   * Settles a task just recovered from its handle: its recorded exit; an exit that says the
   * machine restarted (the pids of an earlier boot name other processes now); or, when its
   * executor is gone without one, the orphan reaped. A running task is left to the polling.
   */
  async recovered(task: RawExecTask): Promise<void> {
    const dir = task.state.ExecDir;
    const exit = readExit(dir);
    if (exit !== null) return task.finish(exit);
    if (await this.#deps.procs.bootId() !== task.state.BootID) {
      const lost: ExecutorExit = {
        ExitCode: -1,
        Signal: 0,
        OOMKilled: false,
        Err: "the machine restarted while the task ran, so its exit code is unknown",
        completedAt: Date.now(),
      };
      writeExit(dir, lost);
      return task.finish(lost);
    }
    const procs = await this.#deps.procs.stats([task.state.Executor.pid]);
    if (!isRunning(procs, task.state.Executor)) await this.check(task, true);
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.#timer);
  }

  async #round(): Promise<void> {
    const polled = [...this.#tasks()].filter((t) => t.running && !t.child && !t.checking);
    if (polled.length === 0) return;
    try {
      // One read of /proc for all: only a task whose executor ended has an exit to read.
      const procs = await this.#deps.procs.stats(polled.map((t) => t.state.Executor.pid));
      for (const task of polled) {
        if (!isRunning(procs, task.state.Executor)) void this.check(task, true);
      }
    } catch (err) {
      for (const task of polled) this.#deps.onError(task, err as Error);
    }
  }
}
