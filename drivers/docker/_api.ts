/**
 * A small typed client of the Docker Engine API over its unix socket, on Deno's own `fetch`
 * with a `Deno.createHttpClient` whose transport is the socket: JSON calls, streamed responses
 * (web `ReadableStream`s, read with `_streams.ts`), and errors that carry the HTTP status.
 * Everything the driver asks of dockerd goes through {@linkcode DockerApi}.
 *
 * Deno checks three permissions for a request through the socket: `read` and `write` on the
 * socket's path, `net` on `unix:<path>`, and `net` on the URL's host, which the request never
 * reaches: the URLs use `DOCKER_API_HOST` (`manifest.ts`), a name in the reserved `.invalid`
 * domain that no resolver answers, so that grant opens nothing.
 *
 * @module
 */
import { DOCKER_API_HOST } from "./manifest.ts";

/** A call dockerd answered with an error status, or could not be made at all. */
export class DockerApiError extends Error {
  override readonly name = "DockerApiError";
  /** The HTTP status, or 0 when dockerd could not be reached. */
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
  /** Whether the daemon could not be reached (socket missing, refused, reset, no answer). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** Options of one call. */
export interface CallOptions {
  /** Query parameters (`undefined` ones are left out). */
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A registry auth config, sent base64url-encoded in `X-Registry-Auth`. */
  auth?: Record<string, string | undefined>;
  /** Aborts the call (and a streamed body); the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Gives up after this long, body included (default 60 s for {@linkcode DockerApi.call}, never
   * for {@linkcode DockerApi.stream}; 0 means never).
   */
  timeoutMs?: number;
}

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

/** The `X-Registry-Auth` header's value: the config's JSON, base64url with padding. */
export function registryAuthHeader(auth: Record<string, string | undefined>): string {
  const bytes = new TextEncoder().encode(JSON.stringify(auth));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

/** Docker Engine API calls over one unix socket. Close it (or dispose of it) when done. */
export class DockerApi {
  #client: Deno.HttpClient | null = null;
  #closed = false;
  /** The socket path. */
  readonly socketPath: string;

  /** Connects on the first call: a socket the Worker may not use fails each call, not this. */
  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  /** A call; resolves with the parsed JSON body (a text body as it is, `null` for none). */
  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = timeoutMs > 0 ? new AbortController() : undefined;
    const timer = timeout &&
      setTimeout(() => timeout.abort(timedOut(method, path, timeoutMs)), timeoutMs);
    try {
      const res = await this.#fetch(method, path, opts, timeout?.signal);
      const text = await res.text().catch((err) => {
        throw this.#failure(method, path, err, opts.signal, timeout?.signal);
      });
      if (text === "") return null as T;
      // JSON when dockerd says so (`/_ping` answers `OK` as text/plain).
      const json = res.headers.get("content-type")?.includes("json") ?? false;
      return (json ? JSON.parse(text) : text) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A call whose response body is a stream (logs, pulls, exec output, stats). Cancel the
   * stream, or abort `opts.signal`, to end it early; reading it after an abort rejects.
   */
  async stream(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const timeoutMs = opts.timeoutMs ?? 0;
    const res = await this.#fetch(
      method,
      path,
      opts,
      timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
    );
    return res.body ?? ReadableStream.from<Uint8Array>([]);
  }

  /** Closes the connections to dockerd; calls made afterwards fail. */
  close(): void {
    this.#closed = true;
    this.#client?.close();
    this.#client = null;
  }

  /** Closes it (`using api = new DockerApi(path)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The HTTP client on the socket (Deno checks `read` and `write` on it here). */
  #connect(): Deno.HttpClient {
    if (this.#closed) throw new Error("the Docker API client is closed");
    return this.#client ??= Deno.createHttpClient({
      proxy: { transport: "unix", path: this.socketPath },
      http2: false,
    });
  }

  async #fetch(
    method: string,
    path: string,
    opts: CallOptions,
    timeout: AbortSignal | undefined,
  ): Promise<Response> {
    const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const headers = new Headers();
    if (opts.body !== undefined) headers.set("content-type", "application/json");
    if (opts.auth) headers.set("x-registry-auth", registryAuthHeader(opts.auth));
    let res: Response;
    try {
      const init: RequestInit & { client: Deno.HttpClient } = {
        method,
        headers,
        client: this.#connect(),
      };
      if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
      if (signal) init.signal = signal;
      res = await fetch(urlOf(path, opts.query), init);
    } catch (err) {
      throw this.#failure(method, path, err, opts.signal, timeout);
    }
    if (res.ok || res.status === 304) return res;
    const body = await res.text().catch(() => "");
    let detail = body.trim() || res.statusText;
    try {
      const message = (JSON.parse(body) as { message?: unknown }).message;
      if (typeof message === "string") detail = message;
    } catch {
      // Not JSON: the text as it is.
    }
    throw new DockerApiError(
      `Docker ${method} ${path} failed (HTTP ${res.status}): ${detail}`,
      res.status,
    );
  }

  /** What a request that got no answer rejects with. */
  #failure(
    method: string,
    path: string,
    err: unknown,
    caller: AbortSignal | undefined,
    timeout: AbortSignal | undefined,
  ): unknown {
    if (caller?.aborted) return caller.reason;
    if (timeout?.aborted) {
      const reason = timeout.reason;
      return reason instanceof DockerApiError ? reason : timedOut(method, path, 0, reason);
    }
    if (err instanceof Deno.errors.NotCapable) {
      return new DockerApiError(
        `the docker driver may not use the socket ${this.socketPath}: ${err.message} (give it a ` +
          `manifest that grants this socket: dockerManifestFor("${this.socketPath}"))`,
        0,
        { cause: err },
      );
    }
    const detail = err instanceof Error ? err.message : String(err);
    return new DockerApiError(
      `cannot reach the Docker daemon at ${this.socketPath} (${method} ${path}): ${detail}`,
      0,
      { cause: err },
    );
  }
}

function urlOf(path: string, query: CallOptions["query"] = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.size > 0 ? `?${params}` : "";
  return `http://${DOCKER_API_HOST}${path}${qs}`;
}

function timedOut(method: string, path: string, ms: number, cause?: unknown): DockerApiError {
  const after = ms > 0 ? ` within ${ms / 1000} s` : "";
  return new DockerApiError(
    `the Docker daemon did not answer ${method} ${path}${after}`,
    0,
    cause === undefined ? undefined : { cause },
  );
}
