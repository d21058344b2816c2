/**
 * One mock task: no process, only timers inside the driver's Worker. It writes its output,
 * "runs" for `run_for`, and ends with the configured exit code, signal and error. Its state is
 * plain data (`MockTaskState`) so a recovered task carries on where the persisted one was:
 * the remaining `run_for`, and the output repeats not yet written.
 *
 * @module
 */
import {
  ERR_PLUGIN_SHUTDOWN,
  type ExitResult,
  sleep,
  type TaskConfig,
  type TaskStatus,
} from "../../plugins/sdk.ts";

/** What a mock task (or its `exec_command`) does; durations in nanoseconds. */
export interface MockCommand {
  /** How long it runs. */
  RunFor: number;
  /** Its exit code. */
  ExitCode: number;
  /** The signal it reports having died of. */
  ExitSignal: number;
  /** The error it reports, or "". */
  ExitErrMsg: string;
  /** The error `signalTask` returns, or "". */
  SignalErr: string;
  /** Written to stdout at start. */
  StdoutString: string;
  /** How many more times it is written. */
  StdoutRepeat: number;
  /** The pause between writes. */
  StdoutRepeatDur: number;
  /** Written to stderr at start. */
  StderrString: string;
  /** How many more times it is written. */
  StderrRepeat: number;
  /** The pause between writes. */
  StderrRepeatDur: number;
}

/** The mock driver's `DriverState` (handle version 1); durations in nanoseconds. */
export interface MockTaskState {
  /** When the task started, in Unix milliseconds. */
  StartedAt: number;
  /** What the task does. */
  Command: MockCommand;
  /** What `exec_command` does, if set. */
  ExecCommand: MockCommand | null;
  /** When the "plugin" exits under the task (0: never). */
  PluginExitAfter: number;
  /** How long the task ignores a stop. */
  KillAfter: number;
}

const NS_PER_MS = 1_000_000;

/** A running (or finished) mock task. */
export class MockTask {
  /** The task's config. */
  readonly config: TaskConfig;
  /** Its persisted state. */
  readonly state: MockTaskState;
  /** Resolves with the exit result when the task ends. */
  readonly done: Promise<ExitResult>;
  #exit: ExitResult | null = null;
  #completedAt: number | null = null;
  #kill = new AbortController();

  /**
   * Starts (or, for a recovered task, resumes) the task.
   *
   * @param recovered Whether the task was started before: skips output already written.
   */
  constructor(config: TaskConfig, state: MockTaskState, recovered: boolean) {
    this.config = config;
    this.state = state;
    this.done = this.#run(recovered).then((exit) => {
      this.#exit = exit;
      this.#completedAt = Date.now();
      return exit;
    });
  }

  /** Whether the task is still running. */
  get running(): boolean {
    return this.#exit === null;
  }

  /** Ends the task now (the configured exit result is still reported, as Nomad's mock does). */
  kill(): void {
    this.#kill.abort();
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
      DriverAttributes: {},
    };
  }

  async #run(recovered: boolean): Promise<ExitResult> {
    const c = this.state.Command;
    const elapsedMs = recovered ? Date.now() - this.state.StartedAt : 0;
    const kill = this.#kill.signal;
    const plugin = new AbortController();
    let pluginTimer: ReturnType<typeof setTimeout> | undefined;
    const pluginExit = new Promise<"plugin">((resolve) => {
      if (this.state.PluginExitAfter <= 0) return;
      pluginTimer = setTimeout(() => {
        plugin.abort();
        resolve("plugin");
      }, Math.max(0, this.state.PluginExitAfter / NS_PER_MS - elapsedMs));
    });
    const stop = AbortSignal.any([kill, plugin.signal]);
    const outputs = Promise.all([
      writeOutput(
        this.config.StdoutPath,
        c.StdoutString,
        c.StdoutRepeat,
        c.StdoutRepeatDur,
        elapsedMs,
        recovered,
        stop,
      ),
      writeOutput(
        this.config.StderrPath,
        c.StderrString,
        c.StderrRepeat,
        c.StderrRepeatDur,
        elapsedMs,
        recovered,
        stop,
      ),
    ]);
    const runFor = sleep(c.RunFor / NS_PER_MS - elapsedMs, stop);
    try {
      const outcome = await Promise.race([
        Promise.all([runFor, outputs]).then(() => "ended" as const),
        pluginExit,
      ]);
      if (outcome === "plugin") {
        return { ExitCode: 0, Signal: 0, OOMKilled: false, Err: ERR_PLUGIN_SHUTDOWN };
      }
    } catch (err) {
      return { ExitCode: 0, Signal: 0, OOMKilled: false, Err: (err as Error).message };
    } finally {
      clearTimeout(pluginTimer);
    }
    return {
      ExitCode: c.ExitCode,
      Signal: c.ExitSignal,
      OOMKilled: false,
      Err: c.ExitErrMsg === "" ? null : c.ExitErrMsg,
    };
  }
}

/**
 * Writes `text` once at the start and `repeat` more times `everyNs` apart, skipping the writes a
 * recovered task already made before `elapsedMs`. Stops early when `stop` aborts.
 */
async function writeOutput(
  path: string,
  text: string,
  repeat: number,
  everyNs: number,
  elapsedMs: number,
  recovered: boolean,
  stop: AbortSignal,
): Promise<void> {
  if (text === "" || path === "") return;
  const everyMs = everyNs / NS_PER_MS;
  let written = 0;
  if (recovered) {
    written = everyMs > 0 ? Math.min(repeat + 1, 1 + Math.floor(elapsedMs / everyMs)) : repeat + 1;
  } else {
    await append(path, text);
    written = 1;
  }
  while (written <= repeat) {
    const due = written * everyMs - elapsedMs;
    if (!await sleep(due, stop)) return;
    elapsedMs = written * everyMs;
    await append(path, text);
    written++;
  }
}

async function append(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text, { append: true, create: true });
  } catch (err) {
    throw new Error(`failed to write to ${path}: ${(err as Error).message}`, { cause: err });
  }
}
