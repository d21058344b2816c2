/**
 * Calls to etcd's JSON gateway over `fetch`, with failover between endpoints, a bounded time per
 * attempt, optional TLS, and errors that name the endpoint and carry etcd's message.
 *
 * Failover: an attempt that fails moves on to the next endpoint, and the endpoint that answered
 * is tried first next time; rounds over the endpoints go on for `failoverMs` while they are
 * down or without a leader (an election). A write is retried elsewhere only when etcd surely
 * did not apply it (the connection was refused, or etcd said "no leader"); otherwise the error
 * says `uncertain` and the caller decides (see `EtcdLogBackend`, which reads back what it
 * wrote). Note that Deno's HTTP client itself may send a request again on a new connection
 * when the pooled one it used closes before the answer: a write must tolerate being applied
 * twice (the log's transactions do: a repeat finds its own records and counts as done).
 *
 * @module
 */
import { EtcdError, EtcdUnavailableError, GrpcCode, isRetryable } from "./errors.ts";
import type { RawError } from "./_wire.ts";
import { sleep } from "../../structs/sleep.ts";

/** TLS to etcd: PEM text of the CA certificates to trust, and a client certificate and key. */
export interface EtcdTls {
  readonly caCerts?: readonly string[];
  readonly cert?: string;
  readonly key?: string;
}

/** Options of the transport (and of `EtcdClient`). */
export interface TransportOptions {
  /** etcd's client URLs, e.g. `["http://127.0.0.1:2379"]`; tried in order, then failed over. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls;
  /** The longest one attempt of a call may take, per endpoint. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * How long a call keeps trying the endpoints again while none answers or has a leader (an
   * etcd member restarting, a leader election). Default 10000 ms; 0: one try of each.
   */
  readonly failoverMs?: number;
  /**
   * Ask etcd to refuse a request at once when the member has no leader (gRPC metadata
   * `hasleader`), instead of waiting for its own timeout. Default true.
   */
  readonly requireLeader?: boolean;
}

/** How one call is made. */
export interface CallOptions {
  /** Safe to repeat (a read, or a write that can be applied twice). */
  readonly idempotent: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the per-attempt timeout; `Infinity` for calls that block (campaign). */
  readonly timeoutMs?: number | undefined;
  /** Only this endpoint (no failover). */
  readonly endpoint?: string | undefined;
}

/** An open stream: the endpoint that serves it and its JSON messages. */
export interface OpenStream {
  readonly endpoint: string;
  readonly messages: AsyncIterable<unknown>;
}

/** Says why a fetch failed, and whether the request may have reached etcd. */
function describe(err: unknown): { detail: string; sent: boolean } {
  const text = String((err as Error)?.cause ?? err).replace(/^\w*Error: /, "");
  if (/Connection refused|os error 111/i.test(text)) {
    return { detail: "connection refused", sent: false };
  }
  const detail = text.replace(/^error sending request for url \([^)]*\): /, "").split("\n")[0] ??
    text;
  const tls = /certificate|UnknownIssuer|fatal alert|handshake|tls/i.test(text);
  return {
    detail: tls ? `${detail} (a TLS failure: check ca_file, cert_file and key_file)` : detail,
    // A failure to connect (DNS, TCP, TLS handshake) happens before the request is sent.
    sent: !(tls || /\(Connect\)|dns error/i.test(text)),
  };
}

/**
 * Parses `http(s)://host:port` endpoints (a bare `host:port` is `http://host:port`, as for
 * etcdctl); throws a TypeError naming a bad one.
 */
export function parseEndpoints(endpoints: readonly string[]): string[] {
  if (endpoints.length === 0) {
    throw new TypeError("Cannot connect to etcd: 'endpoints' is empty; give at least one URL");
  }
  return endpoints.map((e) => {
    let url: URL;
    try {
      url = new URL(e.includes("://") ? e : `http://${e}`);
    } catch {
      throw new TypeError(`Cannot connect to etcd: endpoint "${e}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(
        `Cannot connect to etcd: endpoint "${e}" must start with http:// or https://`,
      );
    }
    return `${url.protocol}//${url.host}`;
  });
}

/** The HTTP side of the client. */
export class Transport {
  readonly endpoints: readonly string[];
  readonly #timeoutMs: number;
  readonly #failoverMs: number;
  readonly #headers: Record<string, string>;
  readonly #http: Deno.HttpClient | undefined;
  readonly #closed = new AbortController();
  #preferred = 0;

  constructor(opts: TransportOptions) {
    this.endpoints = parseEndpoints(opts.endpoints);
    this.#timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.#failoverMs = opts.failoverMs ?? 10_000;
    this.#headers = { "content-type": "application/json" };
    if (opts.requireLeader ?? true) this.#headers["grpc-metadata-hasleader"] = "true";
    const tls = opts.tls;
    if (tls && (tls.caCerts?.length || tls.cert || tls.key)) {
      if (!tls.cert !== !tls.key) {
        throw new TypeError("Cannot connect to etcd: give both a client certificate and its key");
      }
      this.#http = Deno.createHttpClient({
        ...(tls.caCerts?.length ? { caCerts: [...tls.caCerts] } : {}),
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      });
    }
  }

  /** The endpoints to try, the preferred one first. */
  #order(only?: string): string[] {
    if (only !== undefined) return [only];
    const n = this.endpoints.length;
    return Array.from({ length: n }, (_, i) => this.endpoints[(this.#preferred + i) % n] as string);
  }

  /** After a failure: the next call starts with the next endpoint. */
  #avoid(endpoint: string): void {
    if (this.endpoints[this.#preferred] === endpoint) {
      this.#preferred = (this.#preferred + 1) % this.endpoints.length;
    }
  }

  #prefer(endpoint: string): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.#preferred = i;
  }

  /**
   * Makes a unary call (`path` like `/v3/kv/range`), failing over between endpoints, in rounds
   * until `failoverMs` passed while they are unreachable or have no leader (an election).
   */
  async call<T>(path: string, body: unknown, opts: CallOptions): Promise<T> {
    const payload = JSON.stringify(body);
    const started = Date.now();
    const deadline = started + (opts.endpoint === undefined ? this.#failoverMs : 0);
    let pause = 50;
    let rounds = 0;
    while (true) {
      const errors: EtcdError[] = [];
      rounds++;
      for (const endpoint of this.#order(opts.endpoint)) {
        try {
          const res = await this.#fetch(endpoint, path, payload, opts, async (r) => await r.json());
          this.#prefer(endpoint);
          return res as T;
        } catch (err) {
          if (!(err instanceof EtcdError)) throw err;
          errors.push(err);
          this.#avoid(endpoint);
          const retry = opts.idempotent
            ? err.code === 0 || isTransient(err.code)
            : isRetryable(err);
          if (!retry) throw err;
        }
      }
      if (Date.now() + pause >= deadline) {
        if (errors.length === 1 && rounds === 1) throw errors[0];
        const took = rounds > 1 ? ` for ${((Date.now() - started) / 1000).toFixed(1)} s` : "";
        throw new EtcdUnavailableError(verb(path), errors, took);
      }
      await sleep(pause, opts.signal);
      if (opts.signal?.aborted) throw opts.signal.reason;
      pause = Math.min(pause * 2, 1000);
    }
  }

  /**
   * Opens a streaming call (watch, observe): fails over until one endpoint answers, then
   * yields its JSON messages (`result` unwrapped; an `error` message throws) until the stream
   * ends or `signal` aborts.
   */
  async stream(path: string, body: unknown, signal: AbortSignal): Promise<OpenStream> {
    const errors: EtcdError[] = [];
    const payload = JSON.stringify(body);
    for (const endpoint of this.#order()) {
      try {
        const res = await this.#fetch(
          endpoint,
          path,
          payload,
          // The timeout covers the response headers only: the timer stops when they arrive.
          { idempotent: true, signal, timeoutMs: this.#timeoutMs },
          (r) => Promise.resolve(r),
        );
        this.#prefer(endpoint);
        return { endpoint, messages: messages(endpoint, path, res, signal) };
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        errors.push(err);
        this.#avoid(endpoint);
      }
    }
    if (errors.length === 1) throw errors[0];
    throw new EtcdUnavailableError(verb(path), errors);
  }

  async #fetch<T>(
    endpoint: string,
    path: string,
    payload: string,
    opts: CallOptions,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const timeout = new AbortController();
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => timeout.abort(), timeoutMs)
      : undefined;
    const signals = [timeout.signal, this.#closed.signal];
    if (opts.signal) signals.push(opts.signal);
    const signal = AbortSignal.any(signals);
    try {
      const res = await fetch(`${endpoint}${path}`, {
        method: "POST",
        headers: this.#headers,
        body: payload,
        signal,
        ...(this.#http ? { client: this.#http } : {}),
      });
      if (!res.ok) throw await refusal(endpoint, path, res);
      return await read(res);
    } catch (err) {
      if (err instanceof EtcdError) throw err;
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (this.#closed.signal.aborted) {
        throw new EtcdError(`Cannot ${verb(path)}: the etcd client is closed`, { endpoint });
      }
      if (timeout.signal.aborted) {
        throw new EtcdError(
          `etcd at ${endpoint} did not answer ${verb(path)} within ${timeoutMs} ms`,
          { endpoint, uncertain: !opts.idempotent, cause: err },
        );
      }
      const { detail, sent } = describe(err);
      throw new EtcdError(`etcd at ${endpoint} did not answer ${verb(path)}: ${detail}`, {
        endpoint,
        uncertain: sent && !opts.idempotent,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborted once the transport is closed. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** Aborts open streams and releases the HTTP client. */
  close(): void {
    this.#closed.abort();
    this.#http?.close();
  }
}

/** Whether a gRPC code may be a passing condition (another endpoint may do better). */
function isTransient(code: number): boolean {
  // etcd says "no leader", "leader changed", "request timed out" with Unavailable; Unknown is
  // what the election service uses for "not leader": not worth repeating.
  return code === GrpcCode.Unavailable || code === GrpcCode.DeadlineExceeded;
}

/** "range" for `/v3/kv/range`, "election campaign" for `/v3/election/campaign`. */
function verb(path: string): string {
  const parts = path.split("/").filter((p) => p && p !== "v3" && p !== "kv");
  return parts.join(" ");
}

/** The error of a refused call. */
async function refusal(endpoint: string, path: string, res: Response): Promise<EtcdError> {
  const text = await res.text();
  let body: RawError = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not the gateway's JSON: report the status and text.
  }
  return errorOf(endpoint, path, body, `HTTP ${res.status} ${text.slice(0, 200)}`);
}

/** An `EtcdError` from the gateway's error body. */
export function errorOf(endpoint: string, path: string, body: RawError, fallback: string) {
  const message = body.message || body.error || fallback;
  const code = body.code ?? GrpcCode.Unknown;
  const uncertain = isTransient(code) && !/no leader|not capable|too many requests/i.test(message);
  return new EtcdError(`etcd at ${endpoint} refused ${verb(path)}: ${message}`, {
    endpoint,
    code,
    uncertain,
  });
}

/** The JSON messages of a stream, one a line. */
async function* messages(
  endpoint: string,
  path: string,
  res: Response,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  const body = res.body;
  if (!body) return;
  const decoder = new TextDecoder();
  let rest = "";
  const reader = body.getReader();
  try {
    while (true) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal.aborted) return;
        throw new EtcdError(`etcd at ${endpoint} dropped the ${verb(path)} stream: ${err}`, {
          endpoint,
          cause: err,
        });
      }
      if (chunk.done) return;
      const lines = (rest + decoder.decode(chunk.value, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() === "") continue;
        const msg = JSON.parse(line) as {
          result?: unknown;
          error?: RawError & { grpc_code?: number };
        };
        if (msg.error) {
          const e = msg.error;
          throw errorOf(endpoint, path, { ...e, code: e.code ?? e.grpc_code ?? 2 }, "stream error");
        }
        yield msg.result ?? msg;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
