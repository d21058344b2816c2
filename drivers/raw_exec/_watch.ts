/**
 * How the driver learns that a task ended: its executor records the exit in `state.json`. When
 * the executor stops heartbeating (or its process exited without recording an exit), the driver
 * asks it directly; when it does not answer, the reaper kills the orphaned task and records an
 * exit that says so.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { reapExecutor, request } from "./_executor_client.ts";
import { executorPaths, type ExecutorState, readJson, type StatusValue } from "./_protocol.ts";
import type { RawExecTask } from "./_task.ts";

/**
 * - `"poll"`: read the state file; ask the executor only when its heartbeat is stale.
 * - `"confirm"`: ask the executor (its process exited, or a request to it failed).
 * - `"reap"`: it is known not to answer; run the reaper.
 */
export type CheckMode = "poll" | "confirm" | "reap";

/** What `checkTask` needs from the driver. */
export interface CheckDeps {
  /** The Deno executable, for the reaper. */
  deno: string;
  /** A heartbeat older than this is stale. */
  staleMs: number;
  /** Told when the reaper ended a task, with the reason it recorded. */
  onReaped: (reason: string) => void;
  /** Told when the check itself failed. */
  onError: (err: Error) => void;
}

/** Checks whether `task` has ended, and records its exit when it has. One check at a time. */
export async function checkTask(
  task: RawExecTask,
  mode: CheckMode,
  deps: CheckDeps,
): Promise<void> {
  if (!task.running || task.checking) return;
  task.checking = true;
  try {
    const paths = executorPaths(task.state.ExecDir);
    let state = readJson<ExecutorState>(paths.state);
    if (state?.exit) return task.finish(state.exit);
    if (mode === "poll" && state !== null && Date.now() - state.heartbeatAt < deps.staleMs) return;
    if (mode !== "reap") {
      try {
        const status = await request(task.state.ExecDir, { op: "status" }, 3_000) as StatusValue;
        if (status.exit) task.finish(status.exit);
        return;
      } catch {
        // No answer: the executor is gone (or frozen); let the reaper decide.
      }
    }
    if (!existsSync(paths.dir)) {
      const Err = "the executor directory was removed";
      return task.finish({
        ExitCode: -1,
        Signal: 0,
        OOMKilled: false,
        Err,
        completedAt: Date.now(),
      });
    }
    await reapExecutor(deps.deno, task.state.ExecDir);
    state = readJson<ExecutorState>(paths.state);
    if (state?.exit) {
      deps.onReaped(state.exit.Err ?? "executor died");
      task.finish(state.exit);
    }
  } catch (err) {
    deps.onError(err as Error);
  } finally {
    task.checking = false;
  }
}
