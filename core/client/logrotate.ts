/**
 * Rotated task log files, as Nomad's logmon writes them: `alloc/logs/<task>.stdout.<n>` and
 * `<task>.stderr.<n>`. The highest index is the file being written; when it reaches
 * `max_file_size` the writer moves to the next index and removes the oldest files beyond
 * `max_files`. A new writer (after an agent restart) continues the highest existing index.
 *
 * When a file is nearly full the writer prefers to end it at a line break: a line that would
 * cross the limit starts the next file, unless that would leave more than
 * {@linkcode LINE_SCAN_LIMIT} bytes unused (then the line is split).
 *
 * @module
 */
import { join } from "node:path";

/** How far before the size limit the rotator looks for a line break (Nomad's 32 KiB). */
export const LINE_SCAN_LIMIT = 32 * 1024;

/** The two streams of a task. */
export type LogType = "stdout" | "stderr";

/** One rotated log file. */
export interface LogFile {
  /** Its index (`web.stdout.3` → 3). */
  index: number;
  /** Its base name. */
  name: string;
  /** Its full path. */
  path: string;
  /** Its size in bytes. */
  size: number;
}

/** The name of a task's rotated log file: `<task>.<type>.<index>`. */
export function logFileName(task: string, type: LogType, index: number): string {
  return `${task}.${type}.${index}`;
}

/**
 * A task's log files of one type in `logDir`, by ascending index. Names that do not end in a
 * number are ignored.
 */
export function listLogFiles(
  logDir: string,
  task: string,
  type: LogType,
): Promise<LogFile[]> {
  return listByBase(logDir, `${task}.${type}`);
}

async function listByBase(dir: string, base: string): Promise<LogFile[]> {
  const prefix = `${base}.`;
  const out: LogFile[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  for (const e of entries) {
    if (!e.name.startsWith(prefix)) continue;
    const idx = e.name.slice(prefix.length);
    if (!/^\d+$/.test(idx)) continue;
    const path = join(dir, e.name);
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) continue;
      out.push({ index: Number(idx), name: e.name, path, size: info.size });
    } catch {
      // Removed meanwhile.
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Limits of a {@linkcode LogRotator}. */
export interface RotatorLimits {
  /** Files kept, at least 1. */
  maxFiles: number;
  /** Bytes per file, at least 1. */
  maxFileSize: number;
}

/** Writes one stream of a task into rotated files. Not safe for concurrent `write` calls. */
export class LogRotator {
  readonly #dir: string;
  readonly #base: string;
  readonly #limits: RotatorLimits;
  #index: number;
  #file: Deno.FsFile;
  #written: number;
  #closed = false;

  private constructor(
    dir: string,
    base: string,
    limits: RotatorLimits,
    index: number,
    file: Deno.FsFile,
    written: number,
  ) {
    this.#dir = dir;
    this.#base = base;
    this.#limits = limits;
    this.#index = index;
    this.#file = file;
    this.#written = written;
  }

  /**
   * Opens the rotator for `<base>.<n>` files in `dir` (e.g. base `web.stdout`), appending to
   * the highest existing index (0 when there is none).
   *
   * @throws {RangeError} when a limit is below 1.
   */
  static async open(dir: string, base: string, limits: RotatorLimits): Promise<LogRotator> {
    if (!(limits.maxFiles >= 1) || !(limits.maxFileSize >= 1)) {
      throw new RangeError(
        `Cannot rotate logs "${base}": max_files and max_file_size must be >= 1 ` +
          `(got ${limits.maxFiles} and ${limits.maxFileSize})`,
      );
    }
    await Deno.mkdir(dir, { recursive: true });
    const files = await listByBase(dir, base);
    const index = files.at(-1)?.index ?? 0;
    const file = await Deno.open(join(dir, `${base}.${index}`), {
      create: true,
      append: true,
      mode: 0o644,
    });
    const written = (await file.stat()).size;
    return new LogRotator(dir, base, limits, index, file, written);
  }

  /** The index of the file being written. */
  get index(): number {
    return this.#index;
  }

  /** The path of the file being written. */
  get path(): string {
    return join(this.#dir, `${this.#base}.${this.#index}`);
  }

  /** Appends `data`, rotating as files fill up. */
  async write(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error(`Cannot write to log "${this.#base}": the rotator is closed`);
    const max = this.#limits.maxFileSize;
    let rest = data;
    while (rest.length > 0) {
      if (this.#written >= max) await this.#rotate();
      const room = max - this.#written;
      if (rest.length <= room) {
        await this.#append(rest);
        return;
      }
      let cut = room;
      const nl = rest.subarray(0, room).lastIndexOf(0x0a);
      if (nl >= 0 && room - (nl + 1) <= LINE_SCAN_LIMIT) cut = nl + 1;
      else if (nl < 0 && this.#written > 0 && room <= LINE_SCAN_LIMIT) cut = 0;
      if (cut > 0) await this.#append(rest.subarray(0, cut));
      rest = rest.subarray(cut);
      await this.#rotate();
    }
  }

  async #append(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) off += await this.#file.write(chunk.subarray(off));
    this.#written += chunk.length;
  }

  async #rotate(): Promise<void> {
    this.#file.close();
    let next = this.#index;
    for (;;) {
      next++;
      try {
        const info = await Deno.stat(join(this.#dir, `${this.#base}.${next}`));
        if (info.isDirectory || info.size >= this.#limits.maxFileSize) continue;
      } catch {
        // Free.
      }
      break;
    }
    this.#index = next;
    this.#file = await Deno.open(this.path, { create: true, append: true, mode: 0o644 });
    this.#written = (await this.#file.stat()).size;
    await this.#purge();
  }

  async #purge(): Promise<void> {
    const files = await listByBase(this.#dir, this.#base);
    const excess = files.length - this.#limits.maxFiles;
    for (const f of files.slice(0, Math.max(0, excess))) {
      if (f.index === this.#index) continue;
      await Deno.remove(f.path).catch(() => {});
    }
  }

  /** Closes the current file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}
