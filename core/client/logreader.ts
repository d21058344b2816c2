/**
 * Reading a task's logs across its rotated files, for `alloc logs` and
 * `/v1/client/fs/logs`: from the start or back from the end by a byte offset, optionally
 * following new output across rotations, in Nomad's frames.
 *
 * @module
 */
import type { StreamFrame } from "./alloc_fs.ts";
import { sleep } from "../structs/sleep.ts";
import { listLogFiles, type LogFile, type LogType } from "./logrotate.ts";

/** No log file exists for the task and type (Nomad answers 404). */
export class LogNotFoundError extends Error {
  override readonly name = "LogNotFoundError";
  /** The task. */
  readonly task: string;
  /** `stdout` or `stderr`. */
  readonly logType: string;
  constructor(task: string, logType: string) {
    super(
      `log entry for task ${JSON.stringify(task)} and log type ${
        JSON.stringify(logType)
      } not found`,
    );
    this.task = task;
    this.logType = logType;
  }
}

/** Options of {@linkcode readTaskLogs}. */
export interface ReadLogsOptions {
  /** Where `offset` counts from: `"start"` (default) or `"end"` (bytes back from the end). */
  origin?: "start" | "end";
  /** Bytes from the origin, across files. */
  offset?: number;
  /** Keep streaming new output (across rotations) until `signal` aborts. */
  follow?: boolean;
  /** Ends a followed stream. */
  signal?: AbortSignal;
  /** How often to look for new output while following; default 250 ms. */
  pollIntervalMs?: number;
  /** Largest `Data` of one frame; default 64 KiB. */
  frameSize?: number;
}

/**
 * Picks the file and offset to start from (Nomad's `findClosest`): the first file whose index
 * is at least `desiredIdx` (else the last), then moves across files while the offset is past
 * its end (forward) or before its start (backward, for negative offsets).
 */
export function findClosest(
  files: readonly LogFile[],
  desiredIdx: number,
  desiredOffset: number,
): { file: LogFile; offset: number } {
  let i = files.findIndex((f) => f.index >= desiredIdx);
  if (i < 0) i = files.length - 1;
  let offset = desiredOffset;
  for (;;) {
    const size = files[i]!.size;
    if (offset === 0) break;
    if (offset < 0) {
      if (size + offset >= 0) {
        offset = size + offset;
        break;
      }
      if (i === 0) {
        offset = 0;
        break;
      }
      offset = size + offset;
      i--;
    } else {
      if (offset <= size) break;
      if (i === files.length - 1) {
        offset = size;
        break;
      }
      offset -= size;
      i++;
    }
  }
  return { file: files[i]!, offset };
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return null;
  }
}

/**
 * Streams a task's log of one type. Without `follow` it ends at the end of the newest file
 * that existed when it started; with `follow` it waits for more output and moves on to the
 * next file when the task's log rotates.
 *
 * @throws {LogNotFoundError} when the task has no log file of that type.
 * @example
 * ```ts
 * for await (const f of readTaskLogs(allocDir.logDir, "web", "stdout", { origin: "end", offset: 1024 })) {
 *   await Deno.stdout.write(f.Data);
 * }
 * ```
 */
export async function* readTaskLogs(
  logDir: string,
  task: string,
  type: LogType,
  opts: ReadLogsOptions = {},
): AsyncGenerator<StreamFrame> {
  const follow = opts.follow ?? false;
  const poll = opts.pollIntervalMs ?? 250;
  const frameSize = opts.frameSize ?? 64 * 1024;
  let nextIdx = opts.origin === "end" ? Infinity : 0;
  let offset = opts.origin === "end" ? -(opts.offset ?? 0) : opts.offset ?? 0;
  let maxIndex = Infinity;
  const buf = new Uint8Array(frameSize);
  for (;;) {
    const files = await listLogFiles(logDir, task, type);
    if (files.length === 0) throw new LogNotFoundError(task, type);
    if (!follow && maxIndex === Infinity) maxIndex = files.at(-1)!.index;
    const start = findClosest(files, nextIdx, offset);
    const idx = start.file.index;
    if (!follow && idx > maxIndex) return;
    const rel = `alloc/logs/${start.file.name}`;
    let f: Deno.FsFile;
    try {
      f = await Deno.open(start.file.path, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // rotated out meanwhile
      throw err;
    }
    let pos = start.offset;
    let lastRound = false;
    try {
      await f.seek(pos, Deno.SeekMode.Start);
      for (;;) {
        if (opts.signal?.aborted) return;
        const n = await f.read(buf);
        if (n !== null && n > 0) {
          pos += n;
          yield { File: rel, Offset: pos, Data: buf.slice(0, n) };
          continue;
        }
        if (!follow || lastRound) break;
        await sleep(poll, opts.signal);
        if (opts.signal?.aborted) return;
        const size = await sizeOf(start.file.path);
        if (size === null) {
          yield { File: rel, Offset: pos, Data: new Uint8Array(), FileEvent: "file deleted" };
          break;
        }
        if (size < pos) {
          pos = 0;
          await f.seek(0, Deno.SeekMode.Start);
          yield { File: rel, Offset: 0, Data: new Uint8Array(), FileEvent: "file truncated" };
          continue;
        }
        const later = (await listLogFiles(logDir, task, type)).some((x) => x.index > idx);
        if (later) lastRound = true; // read what is left once more, then move on
      }
    } finally {
      f.close();
    }
    if (!follow && idx >= maxIndex) return;
    nextIdx = idx + 1;
    offset = 0;
  }
}
