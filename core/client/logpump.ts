/**
 * How a task's output reaches its rotated log files.
 *
 * Nomad hands a driver two FIFOs and runs `logmon`, a separate process that outlives the
 * agent, to copy them into rotated files. nomad-ts keeps the driver contract simple and the
 * task independent of the agent: the driver appends the task's stdout and stderr to two plain
 * **staging files** in the logs directory, `.<task>.stdout.buf` and `.<task>.stderr.buf`
 * (hidden, so `alloc logs` never lists them), and a {@linkcode TaskLogPump} in the agent
 * copies what is new into `<task>.stdout.<n>` through a {@linkcode LogRotator}.
 *
 * - The task never blocks on the agent and never gets `SIGPIPE`: while the agent is down its
 *   output accumulates in the staging file, and the next agent's pump copies it on start.
 * - The pump's read position is saved after each copy in `.<task>.stdout.pos`, so a restarted
 *   agent continues where the last one stopped (a crash between a copy and the save repeats
 *   at most that one copy; nothing is lost).
 * - Disk use is bounded: once the copied part of a staging file exceeds `reclaimBytes`, the
 *   pump frees it with `fallocate --punch-hole` (the file keeps its length, its start becomes
 *   a hole, the writer's offsets stay valid). Where punching holes is not supported, the pump
 *   truncates a fully copied staging file instead: output written between the last read and
 *   the truncation (a few microseconds) would be lost, the same window as logrotate's
 *   `copytruncate`.
 *
 * @module
 */
import { join } from "node:path";
import { LogRotator, type LogType } from "./logrotate.ts";
import { sleep } from "../structs/sleep.ts";

/** Where a driver writes a task's output. */
export interface TaskLogPaths {
  /** The staging file for stdout (give it to the driver as `StdoutPath`). */
  stdoutPath: string;
  /** The staging file for stderr (`StderrPath`). */
  stderrPath: string;
}

/** The staging files of a task in a logs directory. */
export function taskLogPaths(logDir: string, task: string): TaskLogPaths {
  return {
    stdoutPath: join(logDir, `.${task}.stdout.buf`),
    stderrPath: join(logDir, `.${task}.stderr.buf`),
  };
}

/** How to free the copied part of a staging file. */
export type ReclaimMode = "punch-hole" | "truncate";

/** Options of {@linkcode TaskLogPump.start}. */
export interface LogPumpOptions {
  /** The allocation's `alloc/logs` directory. */
  logDir: string;
  /** The task's name. */
  task: string;
  /** The task's `logs { max_files }`. */
  maxFiles: number;
  /** The task's `logs { max_file_size }` in megabytes. */
  maxFileSizeMB: number;
  /** How often to look for new output; default 200 ms. */
  pollIntervalMs?: number;
  /** Free a staging file's copied part past this many bytes; default 1 MiB. */
  reclaimBytes?: number;
  /** Default: punch holes, falling back to truncation where that fails. */
  reclaim?: ReclaimMode;
  /** Called with errors of the background loop (it keeps going). */
  onError?: (err: Error) => void;
}

const CHUNK = 64 * 1024;
const BLOCK = 4096;

async function punchHole(path: string, length: number): Promise<boolean> {
  try {
    const out = await new Deno.Command("fallocate", {
      args: ["--punch-hole", "--offset", "0", "--length", String(length), path],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

class StreamPump {
  readonly staging: string;
  readonly posFile: string;
  readonly rotator: LogRotator;
  reclaim: ReclaimMode;
  pos: number;
  punched = 0;

  constructor(staging: string, rotator: LogRotator, reclaim: ReclaimMode, pos: number) {
    this.staging = staging;
    this.posFile = staging.replace(/\.buf$/, ".pos");
    this.rotator = rotator;
    this.reclaim = reclaim;
    this.pos = pos;
  }

  async savePos(): Promise<void> {
    const tmp = `${this.posFile}.tmp`;
    await Deno.writeTextFile(tmp, String(this.pos));
    await Deno.rename(tmp, this.posFile);
  }

  /** Copies what is new; returns the bytes copied. */
  async pump(reclaimBytes: number): Promise<number> {
    const f = await Deno.open(this.staging, { read: true, write: true });
    let copied = 0;
    try {
      const size = (await f.stat()).size;
      if (size < this.pos) this.pos = this.punched = 0; // replaced or truncated by someone
      await f.seek(this.pos, Deno.SeekMode.Start);
      const buf = new Uint8Array(CHUNK);
      for (;;) {
        const n = await f.read(buf);
        if (n === null || n === 0) break;
        await this.rotator.write(buf.subarray(0, n));
        this.pos += n;
        copied += n;
      }
      if (copied > 0) await this.savePos();
      if (this.pos - this.punched >= reclaimBytes) await this.#reclaim(f);
    } finally {
      f.close();
    }
    return copied;
  }

  async #reclaim(f: Deno.FsFile): Promise<void> {
    if (this.reclaim === "punch-hole") {
      const length = Math.floor(this.pos / BLOCK) * BLOCK;
      if (length > this.punched && await punchHole(this.staging, length)) {
        this.punched = length;
        return;
      }
      this.reclaim = "truncate";
    }
    // Only a fully copied file is truncated; reads and truncation are back to back.
    const buf = new Uint8Array(1);
    f.seekSync(this.pos, Deno.SeekMode.Start);
    if (f.readSync(buf) !== null) return;
    f.truncateSync(0);
    this.pos = this.punched = 0;
    await this.savePos();
  }
}

async function readPos(path: string): Promise<number> {
  try {
    const n = Number((await Deno.readTextFile(path)).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Copies one task's staging files into its rotated log files, in the background. */
export class TaskLogPump {
  /** The staging files to give the driver. */
  readonly paths: TaskLogPaths;
  readonly #streams: StreamPump[];
  readonly #opts: LogPumpOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #busy: Promise<number> = Promise.resolve(0);

  private constructor(paths: TaskLogPaths, streams: StreamPump[], opts: LogPumpOptions) {
    this.paths = paths;
    this.#streams = streams;
    this.#opts = opts;
  }

  /**
   * Creates the staging files if needed, opens the rotators (continuing the highest existing
   * index), copies what accumulated while no pump ran, and starts polling.
   */
  static async start(opts: LogPumpOptions): Promise<TaskLogPump> {
    const paths = taskLogPaths(opts.logDir, opts.task);
    await Deno.mkdir(opts.logDir, { recursive: true });
    const limits = {
      maxFiles: opts.maxFiles,
      maxFileSize: Math.round(opts.maxFileSizeMB * 1024 * 1024),
    };
    const streams: StreamPump[] = [];
    const pairs: [LogType, string][] = [["stdout", paths.stdoutPath], ["stderr", paths.stderrPath]];
    for (const [type, staging] of pairs) {
      (await Deno.open(staging, { create: true, append: true, mode: 0o644 })).close();
      const rotator = await LogRotator.open(opts.logDir, `${opts.task}.${type}`, limits);
      const pos = await readPos(staging.replace(/\.buf$/, ".pos"));
      streams.push(new StreamPump(staging, rotator, opts.reclaim ?? "punch-hole", pos));
    }
    const pump = new TaskLogPump(paths, streams, opts);
    await pump.flush();
    pump.#loop = pump.#run();
    return pump;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await sleep(this.#opts.pollIntervalMs ?? 200, signal);
      if (signal.aborted) break;
      try {
        await this.flush();
      } catch (err) {
        this.#opts.onError?.(err as Error);
      }
    }
  }

  /** Copies everything the task wrote so far; returns the bytes copied. */
  flush(): Promise<number> {
    const run = async () => {
      let total = 0;
      for (const s of this.#streams) total += await s.pump(this.#opts.reclaimBytes ?? 1 << 20);
      return total;
    };
    this.#busy = this.#busy.then(run, run);
    return this.#busy;
  }

  /** How each stream frees its staging file now (`truncate` after a failed hole punch). */
  get reclaimModes(): Record<LogType, ReclaimMode> {
    return { stdout: this.#streams[0]!.reclaim, stderr: this.#streams[1]!.reclaim };
  }

  /**
   * Stops polling and, unless `drain` is false, copies what is left first. Call it when the
   * task has exited (drain) or the agent shuts down (either: the next pump continues).
   */
  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    await this.#loop;
    if (opts.drain ?? true) await this.flush();
    else await this.#busy.catch(() => 0);
    for (const s of this.#streams) s.rotator.close();
  }
}
