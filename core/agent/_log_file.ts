/**
 * `log_file`: the agent's log lines also written to a file, rotated as Nomad rotates it. The
 * active file is the configured name (`nomad.log` when the path names only a directory); at
 * rotation it is renamed `<name>-<unix nanoseconds>.<ext>` and a new one opened. Rotation
 * happens on the first write after `log_rotate_duration` (default 24 h) since the file was
 * created, or once it holds `log_rotate_bytes` (0: no limit); `log_rotate_max_files` keeps that
 * many rotated files (0: all).
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";
import { parseDuration } from "../structs/duration.ts";

/** The `log_*` settings of the agent configuration. */
export interface LogFileSettings {
  /** `log_file`: a file path, or a directory ending in `/`. */
  path: string;
  /** `log_rotate_duration`, Go text; empty for 24 h. */
  rotateDuration: string;
  /** `log_rotate_bytes`; 0 for no size limit. */
  rotateBytes: number;
  /** `log_rotate_max_files`; 0 to keep every rotated file. */
  maxFiles: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** An open, rotating log file. Writes are synchronous, so lines stay in order. */
export class LogFile {
  readonly #dir: string;
  readonly #name: string;
  readonly #durationMs: number;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #now: () => number;
  #file: Deno.FsFile | null = null;
  #bytes = 0;
  #createdAt = 0;
  readonly #encoder = new TextEncoder();

  private constructor(s: LogFileSettings, now: () => number) {
    const isDir = s.path.endsWith("/");
    this.#dir = isDir ? s.path : dirname(s.path);
    this.#name = isDir || basename(s.path) === "" ? "nomad.log" : basename(s.path);
    this.#durationMs = s.rotateDuration === "" ? DAY_MS : parseDuration(s.rotateDuration) / 1e6;
    this.#maxBytes = s.rotateBytes;
    this.#maxFiles = s.maxFiles;
    this.#now = now;
  }

  /**
   * Opens (appending to) the log file.
   *
   * @throws {Error} naming the setting when the duration is not Go text or the file cannot be
   * opened.
   */
  static open(settings: LogFileSettings, now: () => number = Date.now): LogFile {
    let file: LogFile;
    try {
      file = new LogFile(settings, now);
    } catch (err) {
      throw new Error(
        `Failed to parse log rotation duration: ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      Deno.mkdirSync(file.#dir, { recursive: true });
      file.#openNew();
    } catch (err) {
      throw new Error(
        `Cannot open log_file ${JSON.stringify(settings.path)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return file;
  }

  /** The active file's path. */
  get path(): string {
    return join(this.#dir, this.#name);
  }

  #openNew(): void {
    this.#file = Deno.openSync(this.path, { create: true, append: true });
    const stat = this.#file.statSync();
    this.#bytes = stat.size;
    this.#createdAt = stat.birthtime?.getTime() ?? this.#now();
    if (stat.size === 0) this.#createdAt = this.#now();
  }

  /** The name a file rotated at `ns` gets (`nomad-<ns>.log`). */
  #rotatedName(stamp: string): string {
    const ext = extname(this.#name) || ".log";
    const stem = this.#name.endsWith(ext) ? this.#name.slice(0, -ext.length) : this.#name;
    return `${stem}-${stamp}${ext}`;
  }

  #rotateIfDue(): void {
    const full = this.#maxBytes > 0 && this.#bytes >= this.#maxBytes;
    if (!full && this.#now() - this.#createdAt < this.#durationMs) return;
    this.#file?.close();
    const ns = BigInt(this.#now()) * 1_000_000n;
    Deno.renameSync(this.path, join(this.#dir, this.#rotatedName(String(ns))));
    this.#prune();
    this.#openNew();
  }

  #prune(): void {
    if (this.#maxFiles === 0) return;
    const ext = extname(this.#name) || ".log";
    const prefix = this.#rotatedName("").slice(0, -ext.length);
    const rotated: string[] = [];
    for (const e of Deno.readDirSync(this.#dir)) {
      if (e.isFile && e.name.startsWith(prefix) && e.name.endsWith(ext)) rotated.push(e.name);
    }
    rotated.sort();
    for (const name of rotated.slice(0, Math.max(0, rotated.length - this.#maxFiles))) {
      Deno.removeSync(join(this.#dir, name));
    }
  }

  /** Appends one line (a newline is added). A failed write is reported once, not thrown. */
  write(line: string): void {
    if (this.#file === null) return;
    try {
      this.#rotateIfDue();
      const bytes = this.#encoder.encode(`${line}\n`);
      let off = 0;
      while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
      this.#bytes += bytes.length;
    } catch (err) {
      console.error(`nomad-ts: writing log_file ${this.path} failed: ${(err as Error).message}`);
      this.close();
    }
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}
