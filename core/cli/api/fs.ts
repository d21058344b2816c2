/**
 * The file system of allocations, as the node's client serves it (`/v1/client/fs/...`):
 * listing and stat of paths in the allocation directory, reading files whole or from an offset,
 * and streaming files and task logs as JSON frames ({@link StreamFrame}) or, for logs, as plain
 * text (`plain=true`).
 *
 * A followed stream that breaks off (the connection to the agent is lost) is opened again
 * where it stopped, a few times, before the error reaches the caller; a stream the agent ends
 * (the task finished, or the agent closed it) simply ends.
 *
 * @example
 * ```ts
 * const frames = await client.allocFS.logs(allocID, { task: "redis", type: "stdout", follow: true });
 * for await (const frame of frames) await Deno.stdout.write(frame.Data);
 * ```
 *
 * @module
 */
import type { ApiClient, QueryOptions } from "./client.ts";
import { RequestError } from "./errors.ts";
import { decodeFrames, StreamInterruptedError } from "./_frames.ts";
import type { AllocFileInfo, StreamFrame } from "./types.ts";
import { sleep } from "../../structs/sleep.ts";

export { FrameDecodeError, StreamInterruptedError } from "./_frames.ts";

const esc = encodeURIComponent;

/** Where a stream starts: `offset` bytes after the start or before the end. */
export type Origin = "start" | "end";

/** How a followed stream that breaks off is opened again. */
export interface ReconnectOptions {
  /** Tries in a row before giving up; a frame received resets the count. Default 5. */
  readonly attempts?: number;
  /** Milliseconds before each try. Default 500. */
  readonly delay?: number;
}

/** Options of {@link AllocFS.stream}. */
export interface StreamOptions extends QueryOptions {
  /** Default `start`. */
  readonly origin?: Origin;
  /** Bytes from the origin. Default 0. */
  readonly offset?: number;
  /** Keep waiting for more data at the end of the file (the default for files). */
  readonly follow?: boolean;
  /** Reopening a followed stream that breaks off; `false` to give up at once. */
  readonly reconnect?: ReconnectOptions | false;
}

/** Options of {@link AllocFS.logs} and {@link AllocFS.logsPlain}. */
export interface LogsOptions extends StreamOptions {
  /** The task whose logs to read. */
  readonly task: string;
  /** `stdout` or `stderr`. */
  readonly type: "stdout" | "stderr";
}

/** Options of {@link AllocFS.readAt}. */
export interface ReadAtOptions extends QueryOptions {
  /** The first byte to read. */
  readonly offset: number;
  /** How many bytes to read; -1 (the default) for the rest of the file. */
  readonly limit?: number;
}

/** The allocation file system endpoints (`client.allocFS`). */
export class AllocFS {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  /** `GET /v1/client/fs/ls/:alloc?path=`: the entries of a directory. */
  async list(allocID: string, path: string, q: QueryOptions = {}): Promise<AllocFileInfo[]> {
    const res = await this.#c.query<AllocFileInfo[] | null>(
      `/v1/client/fs/ls/${esc(allocID)}`,
      withParams(q, { path }),
    );
    return res ?? [];
  }

  /** `GET /v1/client/fs/stat/:alloc?path=`: one file or directory. */
  stat(allocID: string, path: string, q: QueryOptions = {}): Promise<AllocFileInfo> {
    return this.#c.query<AllocFileInfo>(
      `/v1/client/fs/stat/${esc(allocID)}`,
      withParams(q, { path }),
    );
  }

  /** `GET /v1/client/fs/cat/:alloc?path=`: the whole file, as it arrives. */
  cat(allocID: string, path: string, q: QueryOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#c.rawQuery(`/v1/client/fs/cat/${esc(allocID)}`, withParams(q, { path }));
  }

  /** `GET /v1/client/fs/readat/:alloc?path=&offset=&limit=`: part of a file. */
  readAt(allocID: string, path: string, opts: ReadAtOptions): Promise<ReadableStream<Uint8Array>> {
    const { offset, limit = -1, ...q } = opts;
    return this.#c.rawQuery(
      `/v1/client/fs/readat/${esc(allocID)}`,
      withParams(q, { path, offset: String(offset), limit: String(limit) }),
    );
  }

  /**
   * `GET /v1/client/fs/stream/:alloc?path=&origin=&offset=&follow=`: a file as frames. Errors
   * opening the stream are thrown here; the frames then arrive until the file's stream ends or
   * `opts.signal` aborts.
   */
  async stream(
    allocID: string,
    path: string,
    opts: StreamOptions = {},
  ): Promise<AsyncIterable<StreamFrame>> {
    const { origin = "start", offset = 0, follow = true, reconnect, ...q } = opts;
    const open = (o: Origin, off: number) =>
      this.#c.rawQuery(
        `/v1/client/fs/stream/${esc(allocID)}`,
        withParams(q, { path, origin: o, offset: String(off), follow: String(follow) }),
      );
    const first = await open(origin, offset);
    // A file's frames carry the offset in that one file: resume exactly after the last one.
    const resume = (last: StreamFrame | undefined): [Origin, number] =>
      last ? ["start", last.Offset] : [origin, offset];
    return followFrames(first, open, resume, { follow, reconnect, signal: q.signal });
  }

  /**
   * `GET /v1/client/fs/logs/:alloc?task=&type=&origin=&offset=&follow=`: a task's log as
   * frames, across the rotated log files. Errors opening the stream are thrown here.
   */
  async logs(allocID: string, opts: LogsOptions): Promise<AsyncIterable<StreamFrame>> {
    const { task, type, origin = "start", offset = 0, follow = false, reconnect, ...q } = opts;
    const open = (o: Origin, off: number) =>
      this.#c.rawQuery(
        `/v1/client/fs/logs/${esc(allocID)}`,
        withParams(q, { task, type, origin: o, offset: String(off), follow: String(follow) }),
      );
    const first = await open(origin, offset);
    let received = 0;
    // Log offsets count from the first log file kept, so only a stream that started from the
    // start knows its place; one that started from the end goes on from the current end.
    const resume = (last: StreamFrame | undefined): [Origin, number] => {
      if (!last) return [origin, offset];
      return origin === "start" ? ["start", offset + received] : ["end", 0];
    };
    const counted = followFrames(first, open, resume, { follow, reconnect, signal: q.signal });
    return {
      async *[Symbol.asyncIterator]() {
        for await (const frame of counted) {
          received += frame.Data.length;
          yield frame;
        }
      },
    };
  }

  /**
   * `GET /v1/client/fs/logs/:alloc?...&plain=true`: a task's log as plain bytes, without
   * frames (and without reconnecting).
   */
  logsPlain(allocID: string, opts: LogsOptions): Promise<ReadableStream<Uint8Array>> {
    const { task, type, origin = "start", offset = 0, follow = false, reconnect: _, ...q } = opts;
    return this.#c.rawQuery(
      `/v1/client/fs/logs/${esc(allocID)}`,
      withParams(q, {
        task,
        type,
        origin,
        offset: String(offset),
        follow: String(follow),
        plain: "true",
      }),
    );
  }
}

function withParams(q: QueryOptions, params: Record<string, string>): QueryOptions {
  return { ...q, params: { ...q.params, ...params } };
}

/**
 * The frames of `first`, then, while following, of the streams reopened after it breaks off.
 * Only a lost connection is retried; an HTTP error on reopening, undecodable frames and the
 * last failed try reach the caller.
 */
async function* followFrames(
  first: ReadableStream<Uint8Array>,
  open: (origin: Origin, offset: number) => Promise<ReadableStream<Uint8Array>>,
  resume: (last: StreamFrame | undefined) => [Origin, number],
  opts: {
    follow: boolean;
    reconnect: ReconnectOptions | false | undefined;
    signal: AbortSignal | undefined;
  },
): AsyncGenerator<StreamFrame> {
  const { signal } = opts;
  const policy = opts.reconnect === false ? { attempts: 0 } : opts.reconnect ?? {};
  const attempts = opts.follow ? policy.attempts ?? 5 : 0;
  const delay = policy.delay ?? 500;
  let body = first;
  let last: StreamFrame | undefined;
  let failures = 0;
  for (;;) {
    let lost: unknown;
    try {
      for await (const frame of decodeFrames(body, signal)) {
        failures = 0;
        last = frame;
        yield frame;
      }
      return;
    } catch (err) {
      if (signal?.aborted) return;
      if (!(err instanceof StreamInterruptedError)) throw err;
      lost = err;
    }
    for (;;) {
      if (failures >= attempts) throw lost;
      failures++;
      await sleep(delay, signal);
      if (signal?.aborted) return;
      try {
        body = await open(...resume(last));
        break;
      } catch (err) {
        if (signal?.aborted) return;
        if (!(err instanceof RequestError)) throw err;
        lost = err;
      }
    }
  }
}
