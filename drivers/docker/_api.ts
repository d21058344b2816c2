/**
 * A small typed client of the Docker Engine API over its unix socket, on npm `docker-modem`
 * (the HTTP layer `dockerode` uses): JSON calls, streamed responses, and errors that carry the
 * HTTP status. Everything the driver asks of dockerd goes through {@linkcode DockerApi}.
 *
 * @module
 */
import Modem from "docker-modem";
import type { Readable } from "node:stream";

/** A call dockerd answered with an error status, or could not be made at all. */
export class DockerApiError extends Error {
  override readonly name = "DockerApiError";
  /** The HTTP status, or 0 when dockerd could not be reached. */
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
  /** Whether the daemon could not be reached (socket missing, refused, reset). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** Options of one call. */
export interface CallOptions {
  /** Query parameters. */
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A registry auth config, sent base64 in `X-Registry-Auth`. */
  auth?: Record<string, string>;
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Gives up after this long (default 60 s; 0 means never). */
  timeoutMs?: number;
}

interface DialOptions {
  path: string;
  method: string;
  options?: Record<string, unknown>;
  statusCodes: Record<number, boolean | string>;
  isStream?: boolean;
  authconfig?: Record<string, string>;
  abortSignal?: AbortSignal;
}

interface ModemLike {
  dial(opts: DialOptions, cb: (err: unknown, data: unknown) => void): void;
}

type ModemCtor = new (opts: { socketPath: string }) => ModemLike;

const OK: Record<number, boolean> = { 200: true, 201: true, 204: true, 304: true };
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Parses a Docker endpoint (`unix:///var/run/docker.sock`) into a socket path.
 *
 * @throws {TypeError} For endpoints other than `unix://` ones.
 */
export function socketPathOf(endpoint: string): string {
  if (endpoint.startsWith("unix://")) return endpoint.slice("unix://".length);
  if (endpoint.startsWith("/")) return endpoint;
  throw new TypeError(
    `docker endpoint "${endpoint}" is not supported: use a unix socket ("unix:///var/run/docker.sock")`,
  );
}

/** Docker Engine API calls over one unix socket. */
export class DockerApi {
  readonly #modem: ModemLike;
  /** The socket path. */
  readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.#modem = new (Modem as unknown as ModemCtor)({ socketPath });
  }

  /** A JSON call; resolves with the parsed body (`null` for none). */
  call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    return this.#dial(method, path, opts, false) as Promise<T>;
  }

  /** A call whose response body is a stream (logs, pulls, exec output, long waits). */
  stream(method: string, path: string, opts: CallOptions = {}): Promise<Readable> {
    return this.#dial(method, path, { timeoutMs: 0, ...opts }, true) as Promise<Readable>;
  }

  #dial(method: string, path: string, opts: CallOptions, isStream: boolean): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signals = [opts.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined]
      .filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) query[k] = String(v);
    }
    const options: Record<string, unknown> = { _query: query };
    // Without a body docker-modem would send the options themselves; `{}` is sent as none.
    options._body = opts.body ?? {};
    const dial: DialOptions = {
      path: `${path}?`,
      method,
      options,
      statusCodes: OK,
      isStream,
    };
    if (opts.auth) dial.authconfig = opts.auth;
    if (signal) dial.abortSignal = signal;
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      this.#modem.dial(dial, (err, data) => {
        if (err) reject(toApiError(method, path, err));
        else resolve(data);
      });
    });
  }
}

function toApiError(method: string, path: string, err: unknown): DockerApiError {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  const status = typeof e.statusCode === "number" ? e.statusCode : 0;
  const detail = e.json?.message ?? e.message ?? String(err);
  const text = status === 0
    ? `cannot reach the Docker daemon (${method} ${path}): ${detail}`
    : `Docker ${method} ${path} failed (HTTP ${status}): ${
      detail.replace(/^\(HTTP code \d+\) \S+ - /, "").trim()
    }`;
  return new DockerApiError(text, status, { cause: err });
}

/** One frame of a multiplexed stream: 1 stdout, 2 stderr. */
export interface Frame {
  /** 1 for stdout, 2 for stderr. */
  stream: 1 | 2;
  /** The frame's bytes. */
  data: Uint8Array;
}

/**
 * Splits Docker's multiplexed stream (8-byte headers: stream type, 3 zero bytes, big-endian
 * length) into frames, chunk by chunk.
 */
export class Demuxer {
  #buf = new Uint8Array(0);

  /** Takes the next chunk; returns the frames it completes. */
  push(chunk: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    const frames: Frame[] = [];
    let off = 0;
    while (joined.length - off >= 8) {
      const size = new DataView(joined.buffer, off, 8).getUint32(4);
      if (joined.length - off - 8 < size) break;
      frames.push({
        stream: joined[off] === 2 ? 2 : 1,
        data: joined.slice(off + 8, off + 8 + size),
      });
      off += 8 + size;
    }
    this.#buf = joined.slice(off);
    return frames;
  }
}

/** The frames of a whole multiplexed stream. */
export async function* demux(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  const d = new Demuxer();
  for await (const chunk of stream) yield* d.push(chunk);
}
