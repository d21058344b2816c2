/**
 * Read access to an allocation's directory for the file system API (`alloc fs`,
 * `/v1/client/fs/*`): list, stat, read at an offset, and stream a file (following it as it
 * grows), in Nomad's shapes ({@linkcode AllocFileInfo}, {@linkcode StreamFrame}).
 *
 * Every path is relative to the allocation directory (a leading `/` means its root). A path
 * that leaves the directory — through `..` or through a symlink pointing outside — is refused
 * with {@linkcode PathEscapesAllocDirError}; reading anything under a task's `secrets/` or
 * `private/` directory is refused with {@linkcode SecretFileError}.
 *
 * @module
 */
import { basename, join, normalize, relative, sep } from "node:path";
import { detectContentType, goFileMode } from "./_file_info.ts";
import { sleep } from "../structs/sleep.ts";

/** A file or directory of an allocation (Nomad's `AllocFileInfo`). */
export interface AllocFileInfo {
  /** The base name. */
  Name: string;
  /** Whether it is a directory. */
  IsDir: boolean;
  /** Size in bytes. */
  Size: number;
  /** Go's `FileMode.String()`, e.g. `-rw-r--r--`. */
  FileMode: string;
  /** Last modification, RFC 3339. */
  ModTime: string;
  /** The sniffed content type (`stat` only). */
  ContentType?: string;
}

/** A chunk of a streamed file (Nomad's `StreamFrame`). */
export interface StreamFrame {
  /** The file's path relative to the allocation directory. */
  File: string;
  /** The offset just past `Data`. */
  Offset: number;
  /** The bytes read. */
  Data: Uint8Array;
  /** `"file deleted"` or `"file truncated"` when that happened to the file. */
  FileEvent?: string;
}

/** A path given to the file system API leaves the allocation directory. */
export class PathEscapesAllocDirError extends Error {
  override readonly name = "PathEscapesAllocDirError";
  /** The path that was asked for. */
  readonly path: string;
  constructor(path: string) {
    super(`Path escapes the alloc directory: "${path}" must stay inside the allocation`);
    this.path = path;
  }
}

/** A read of a task's `secrets/` or `private/` directory through the file system API. */
export class SecretFileError extends Error {
  override readonly name = "SecretFileError";
  /** The path that was asked for. */
  readonly path: string;
  constructor(path: string, kind: "secret" | "private") {
    super(`Reading ${kind} file prohibited: ${path}`);
    this.path = path;
  }
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function realPathOfExisting(path: string): Promise<string> {
  const rest: string[] = [];
  let cur = path;
  for (;;) {
    try {
      const real = await Deno.realPath(cur);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      const parent = normalize(join(cur, ".."));
      if (parent === cur) return path;
      rest.push(cur.slice(parent.length).replace(/^\/+/, ""));
      cur = parent;
    }
  }
}

/**
 * Joins a user path to `root`, refusing one that leaves it: lexically (`..`) or through a
 * symlink whose target is outside `root` (the existing part of the path is resolved with
 * `realpath`). Returns the joined path (not the resolved one).
 *
 * @throws {PathEscapesAllocDirError}
 * @example
 * ```ts
 * await safeJoin("/data/alloc/1234", "alloc/logs"); // "/data/alloc/1234/alloc/logs"
 * await safeJoin("/data/alloc/1234", "../5678");    // throws
 * ```
 */
export async function safeJoin(root: string, userPath: string): Promise<string> {
  const full = join(root, "/", userPath);
  const rel = relative(root, full);
  if (rel === ".." || rel.startsWith(`..${sep}`)) throw new PathEscapesAllocDirError(userPath);
  const realRoot = await realPathOfExisting(root);
  const real = await realPathOfExisting(full);
  if (!inside(realRoot, real)) throw new PathEscapesAllocDirError(userPath);
  return full;
}

function modTime(info: Deno.FileInfo): string {
  return (info.mtime ?? new Date(0)).toISOString();
}

function fileInfo(name: string, info: Deno.FileInfo): AllocFileInfo {
  return {
    Name: name,
    IsDir: info.isDirectory,
    Size: info.size,
    FileMode: goFileMode(info.mode ?? 0),
    ModTime: modTime(info),
  };
}

async function readHead(path: string): Promise<Uint8Array> {
  const f = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(512);
    const n = await f.read(buf);
    return buf.subarray(0, n ?? 0);
  } finally {
    f.close();
  }
}

/** Options of {@linkcode AllocFS.stream}. */
export interface StreamOptions {
  /** Bytes from the start (`origin: "start"`) or back from the end (`"end"`). */
  offset?: number;
  /** Where `offset` counts from; default `"start"`. */
  origin?: "start" | "end";
  /** Keep reading as the file grows, until `signal` aborts or the file is deleted. */
  follow?: boolean;
  /** Stop after this many bytes (0: no limit). */
  limit?: number;
  /** Ends the stream. */
  signal?: AbortSignal;
  /** How often to look for new data while following; default 250 ms. */
  pollIntervalMs?: number;
  /** Largest `Data` of one frame; default 64 KiB. */
  frameSize?: number;
}

/** The file system API over one allocation directory. */
export class AllocFS {
  /** The allocation directory (`<alloc dir>/<alloc id>`). */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Resolves a user path inside the allocation; see {@linkcode safeJoin}. */
  resolve(path: string): Promise<string> {
    return safeJoin(this.root, path);
  }

  /** Lists a directory (entries are not followed when they are symlinks). */
  async list(path: string): Promise<AllocFileInfo[]> {
    const dir = await this.resolve(path);
    const out: AllocFileInfo[] = [];
    for await (const entry of Deno.readDir(dir)) {
      out.push(fileInfo(entry.name, await Deno.lstat(join(dir, entry.name))));
    }
    return out.sort((a, b) => a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);
  }

  /** Describes a file or directory, with its content type. */
  async stat(path: string): Promise<AllocFileInfo> {
    const full = await this.resolve(path);
    const info = await Deno.stat(full);
    const out = fileInfo(basename(full), info);
    let type = "application/octet-stream";
    if (info.isFile && info.size > 0) {
      try {
        type = detectContentType(await readHead(full));
      } catch {
        // Unreadable: keep the default, as Nomad does.
      }
    }
    if (full.endsWith(".json")) type = "application/json";
    out.ContentType = type;
    return out;
  }

  /** Resolves a path for reading, refusing secrets and private files (also through symlinks). */
  async #readable(path: string): Promise<string> {
    const full = await this.resolve(path);
    const realRoot = await realPathOfExisting(this.root);
    const seen = [full, await realPathOfExisting(full)].map((p) => p.toLowerCase());
    for await (const entry of Deno.readDir(this.root)) {
      if (!entry.isDirectory || entry.name === "alloc") continue;
      for (const kind of ["secrets", "private"] as const) {
        for (const base of [this.root, realRoot]) {
          const dir = join(base, entry.name, kind).toLowerCase();
          if (seen.some((p) => p === dir || p.startsWith(dir + sep))) {
            throw new SecretFileError(path, kind === "secrets" ? "secret" : "private");
          }
        }
      }
    }
    return full;
  }

  /** Reads up to `limit` bytes (0: to the end) from `offset`. */
  async readAt(path: string, offset = 0, limit = 0): Promise<Uint8Array> {
    const full = await this.#readable(path);
    const f = await Deno.open(full, { read: true });
    try {
      const size = (await f.stat()).size;
      const start = Math.min(Math.max(0, offset), size);
      const n = limit > 0 ? Math.min(limit, size - start) : size - start;
      await f.seek(start, Deno.SeekMode.Start);
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const r = await f.read(buf.subarray(got));
        if (r === null) break;
        got += r;
      }
      return buf.subarray(0, got);
    } finally {
      f.close();
    }
  }

  /** Reads a whole file. */
  cat(path: string): Promise<Uint8Array> {
    return this.readAt(path, 0, 0);
  }

  /**
   * Streams a file from an offset; with `follow`, keeps reading as it grows, starts over
   * (with a `"file truncated"` frame) when it shrinks, and ends with a `"file deleted"` frame
   * when it is removed.
   */
  async *stream(path: string, opts: StreamOptions = {}): AsyncGenerator<StreamFrame> {
    const full = await this.#readable(path);
    const rel = relative(this.root, full);
    const frameSize = opts.frameSize ?? 64 * 1024;
    const poll = opts.pollIntervalMs ?? 250;
    let f = await Deno.open(full, { read: true });
    try {
      const size = (await f.stat()).size;
      const off = Math.max(0, opts.offset ?? 0);
      let pos = opts.origin === "end" ? Math.max(0, size - off) : Math.min(off, size);
      let left = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
      let event: string | undefined;
      await f.seek(pos, Deno.SeekMode.Start);
      const buf = new Uint8Array(frameSize);
      while (!opts.signal?.aborted && left > 0) {
        const n = await f.read(buf.subarray(0, Math.min(frameSize, left)));
        if (n !== null && n > 0) {
          pos += n;
          left -= n;
          yield {
            File: rel,
            Offset: pos,
            Data: buf.slice(0, n),
            ...(event ? { FileEvent: event } : {}),
          };
          event = undefined;
          continue;
        }
        if (!opts.follow) return;
        await sleep(poll, opts.signal);
        let now: Deno.FileInfo;
        try {
          now = await Deno.stat(full);
        } catch {
          yield { File: rel, Offset: pos, Data: new Uint8Array(), FileEvent: "file deleted" };
          return;
        }
        if (now.size < pos) {
          f.close();
          f = await Deno.open(full, { read: true });
          pos = 0;
          event = "file truncated";
          yield { File: rel, Offset: 0, Data: new Uint8Array(), FileEvent: event };
          event = undefined;
        }
      }
    } finally {
      f.close();
    }
  }
}
