/**
 * The files through which the raw_exec driver and a task's executor talk. Both sides import this
 * module; the executor runs it with `deno run --no-config`, so it imports only `node:` modules.
 *
 * An executor directory (`<task dir>/.executor/`) holds:
 * - `spec.json` — what to run, written by the driver before it starts the executor;
 * - `state.json` — pids, start times, heartbeat and, once the task ends, its exit; written by the
 *   executor only, always whole (write to a temporary file, then rename);
 * - `ctl/<id>.json` — a request from the driver; the executor answers in `res/<id>.json`;
 * - `executor.out` — the executor's own output, for diagnosing it.
 *
 * Files, not sockets: the driver's Worker may read and write under the allocation directory but
 * holds no network permission, and Deno grants unix sockets by exact path only.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The layout version of `spec.json` and `state.json`. */
export const PROTOCOL_VERSION = 1;

/** What the executor runs. */
export interface ExecutorSpec {
  /** The layout version. */
  version: number;
  /** The task's ID. */
  taskId: string;
  /** The command (a path, or a name looked up in the task dir and `PATH`). */
  command: string;
  /** Its arguments. */
  args: string[];
  /** The complete environment of the task. */
  env: Record<string, string>;
  /** The working directory. */
  cwd: string;
  /** The task directory (for looking up relative commands). */
  taskDir: string;
  /** Where stdout is appended. */
  stdoutPath: string;
  /** Where stderr is appended. */
  stderrPath: string;
  /** The user to run as, or "". */
  user: string;
  /** How often the executor rewrites `state.json` to show it is alive. */
  heartbeatMs: number;
}

/** A process and its start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
export interface ProcessId {
  /** The pid. */
  pid: number;
  /** Its start time; together with the pid it names one process, even after pid reuse. */
  startTicks: number;
}

/** How the task ended, as the executor recorded it. */
export interface ExecutorExit {
  /** The exit code, `128 + signal` when a signal killed it. */
  ExitCode: number;
  /** The signal number, or 0. */
  Signal: number;
  /** Always false: raw_exec has no memory limit to be killed for. */
  OOMKilled: boolean;
  /** Why the executor could not run or watch the task, or `null`. */
  Err: string | null;
  /** When, in Unix milliseconds. */
  completedAt: number;
}

/** What the executor writes to `state.json`. */
export interface ExecutorState {
  /** The layout version. */
  version: number;
  /** The task's ID. */
  taskId: string;
  /** The executor process. */
  executor: ProcessId;
  /** The task's process, once started. */
  task: ProcessId | null;
  /** When the task started, in Unix milliseconds. */
  startedAt: number;
  /** Why the command could not be started, or `null`. */
  startError: string | null;
  /** How the task ended, once it has. */
  exit: ExecutorExit | null;
  /** The executor's last sign of life, in Unix milliseconds. */
  heartbeatAt: number;
}

/** A request to the executor. */
export type ControlRequest =
  | { id: string; op: "status" }
  | { id: string; op: "stop"; signal: string; timeoutMs: number }
  | { id: string; op: "signal"; signal: string }
  | { id: string; op: "kill" }
  | { id: string; op: "stats" }
  | { id: string; op: "exec"; command: string; args: string[]; timeoutMs: number };

/** The executor's answer. */
export type ControlResponse =
  | { id: string; ok: true; value: unknown }
  | { id: string; ok: false; error: string };

/** What `status` answers: fresh from `/proc`. */
export interface StatusValue {
  /** The executor. */
  executor: ProcessId;
  /** The task's process and whether it is alive. */
  task: (ProcessId & { alive: boolean }) | null;
  /** The exit, if recorded. */
  exit: ExecutorExit | null;
}

/** What `exec` answers. */
export interface ExecValue {
  /** Stdout, base64. */
  stdout: string;
  /** Stderr, base64. */
  stderr: string;
  /** The exit code. */
  exitCode: number;
  /** The signal number, or 0. */
  signal: number;
}

/** The paths of an executor directory. */
export function executorPaths(dir: string) {
  return {
    dir,
    spec: join(dir, "spec.json"),
    state: join(dir, "state.json"),
    ctl: join(dir, "ctl"),
    res: join(dir, "res"),
    out: join(dir, "executor.out"),
  };
}

/** Writes JSON whole: readers see the old file or the new one, never half of one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${Deno.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

/** Reads a JSON file, or `null` when it does not exist (yet). */
export function readJson<T>(path: string): T | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return null;
    throw err;
  }
  return JSON.parse(text) as T;
}
