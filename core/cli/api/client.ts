/**
 * The nomad-ts HTTP API client: what Nomad's Go `api` package is to its CLI. It speaks
 * Nomad's conventions — `X-Nomad-Token`, `?region=` and `?namespace=` from the
 * {@link ClientConfig}, blocking queries (`?index=&wait=`, `X-Nomad-Index`), 200 or an
 * {@link UnexpectedResponseError} carrying Nomad's text — and groups the endpoints by resource
 * (`client.jobs.info("web")`, `client.evaluations.allocations(id)`, ...).
 *
 * @example
 * ```ts
 * const client = await ApiClient.create(envClientConfig(Deno.env.toObject()));
 * try {
 *   const jobs = await client.jobs.list();
 * } finally {
 *   client.close();
 * }
 * ```
 *
 * @module
 */
import type { ClientConfig } from "../meta.ts";
import { describeRequestFailure, RequestError, UnexpectedResponseError } from "./errors.ts";
import {
  fetchTransport,
  loadTlsMaterial,
  nodeTlsTransport,
  type Transport,
  type TransportResponse,
} from "./_transport.ts";
import { Jobs } from "./jobs.ts";
import { Deployments, Evaluations, Nodes } from "./resources.ts";
import { Allocations } from "./allocations.ts";
import { AllocFS } from "./fs.ts";
import { Agent, Operator, Search, Status, System } from "./cluster.ts";

/** Options of a read (`GET`, or `PUT` for searches), as Go's `api.QueryOptions`. */
export interface QueryOptions {
  /** Overrides the client's region. */
  readonly region?: string;
  /** Overrides the client's namespace (`*` for all, on list endpoints). */
  readonly namespace?: string;
  /** Overrides the client's token. */
  readonly token?: string;
  /** Let any server answer, not only the leader. */
  readonly stale?: boolean;
  /** Only objects whose ID starts with this. */
  readonly prefix?: string;
  /** A filter expression (go-bexpr). */
  readonly filter?: string;
  readonly perPage?: number;
  readonly nextToken?: string;
  readonly reverse?: boolean;
  /** Blocking query: wait until the state index is past this one. */
  readonly waitIndex?: number;
  /** Blocking query: wait at most this long, in nanoseconds. */
  readonly waitTime?: number;
  /** More query parameters (`{ job: "web" }`). */
  readonly params?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Receives the response's metadata (index, next page token, ...). */
  readonly onMeta?: (meta: QueryMeta) => void;
}

/** Options of a write (`PUT`, `POST`, `DELETE`), as Go's `api.WriteOptions`. */
export interface WriteOptions {
  readonly region?: string;
  readonly namespace?: string;
  readonly token?: string;
  readonly idempotencyToken?: string;
  readonly signal?: AbortSignal;
}

/** What the response headers of a read say. */
export interface QueryMeta {
  /** `X-Nomad-Index`: the state index the answer reflects; the next blocking query's index. */
  readonly lastIndex: number;
  /** `X-Nomad-LastContact`, in milliseconds. */
  readonly lastContact: number;
  /** `X-Nomad-KnownLeader`. */
  readonly knownLeader: boolean;
  /** `X-Nomad-NextToken`: where the next page starts; `""` on the last page. */
  readonly nextToken: string;
  /** How long the request took, in milliseconds. */
  readonly requestTime: number;
}

type Method = "GET" | "PUT" | "POST" | "DELETE";

/** A client of one Nomad agent's HTTP API. */
export class ApiClient {
  readonly #config: ClientConfig;
  readonly #url: URL;
  readonly #transport: Transport;
  #region: string;
  #namespace: string;

  /** Job endpoints (`/v1/jobs`, `/v1/job/:id/...`). */
  readonly jobs: Jobs = new Jobs(this);
  /** Evaluation endpoints. */
  readonly evaluations: Evaluations = new Evaluations(this);
  /** Allocation endpoints. */
  readonly allocations: Allocations = new Allocations(this);
  /** The files and logs of allocations, answered by the node's client (`/v1/client/fs/...`). */
  readonly allocFS: AllocFS = new AllocFS(this);
  /** Node endpoints. */
  readonly nodes: Nodes = new Nodes(this);
  /** Deployment endpoints. */
  readonly deployments: Deployments = new Deployments(this);
  /** Agent endpoints (`/v1/agent/self`, `/v1/agent/members`). */
  readonly agent: Agent = new Agent(this);
  /** Leader and peers (`/v1/status/...`). */
  readonly status: Status = new Status(this);
  /** Operator endpoints (scheduler configuration). */
  readonly operator: Operator = new Operator(this);
  /** System endpoints (garbage collection). */
  readonly system: System = new System(this);
  /** Prefix search (`/v1/search`). */
  readonly search: Search = new Search(this);

  /**
   * A client for `config`, reading its TLS files. Prefer this to the constructor.
   *
   * @throws {Error} `invalid address ...` for an address that is not a URL; a TLS file that
   * cannot be read.
   */
  static async create(config: ClientConfig, opts: { transport?: Transport } = {}) {
    const url = parseAddress(config.address);
    if (opts.transport) return new ApiClient(config, opts.transport);
    const material = await loadTlsMaterial(config.tls);
    const tlsTricks = config.tls.insecure || config.tls.serverName !== "";
    const transport = url.protocol === "https:" && tlsTricks
      ? nodeTlsTransport(material, config.tls)
      : fetchTransport(material, url.protocol === "unix:" ? url.pathname : undefined);
    return new ApiClient(config, transport);
  }

  /** A client that sends its requests through `transport`. */
  constructor(config: ClientConfig, transport: Transport) {
    this.#config = config;
    this.#url = parseAddress(config.address);
    this.#transport = transport;
    this.#region = config.region;
    this.#namespace = config.namespace;
  }

  /** The agent's address, as configured (`http://127.0.0.1:4646`). */
  get address(): string {
    return this.#config.address;
  }

  /** The region requests go to when they do not name one (`""`: the agent's). */
  get region(): string {
    return this.#region;
  }

  /** Sends later requests to `region`, as a job's own region does for `job run`. */
  setRegion(region: string): void {
    this.#region = region;
  }

  /** The namespace of requests that do not name one (`""`: `default`). */
  get namespace(): string {
    return this.#namespace;
  }

  /** Sends later requests to `namespace`. */
  setNamespace(namespace: string): void {
    this.#namespace = namespace;
  }

  /** Releases the client's connections. */
  close(): void {
    this.#transport.close();
  }

  /**
   * Reads `path` and decodes the JSON answer.
   *
   * @throws {UnexpectedResponseError} For any status but 200.
   * @throws {RequestError} When the agent cannot be reached.
   */
  async query<T>(path: string, q: QueryOptions = {}): Promise<T> {
    const started = performance.now();
    const res = await this.#send("GET", path, undefined, q);
    q.onMeta?.(queryMeta(res, performance.now() - started));
    return await decode<T>(res);
  }

  /**
   * Reads `path` and hands over the body as it arrives, undecoded: files, plain logs and the
   * JSON frames of file and log streams. Cancel the stream (or abort `q.signal`) to stop early.
   *
   * @throws {UnexpectedResponseError} For any status but 200 (Nomad's error text in `body`).
   * @throws {RequestError} When the agent cannot be reached.
   */
  async rawQuery(path: string, q: QueryOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#send("GET", path, undefined, q);
    return res.body();
  }

  /** Sends `body` with PUT to a read endpoint that takes one (`/v1/search`). */
  async putQuery<T>(path: string, body: unknown, q: QueryOptions = {}): Promise<T> {
    const started = performance.now();
    const res = await this.#send("PUT", path, body, q);
    q.onMeta?.(queryMeta(res, performance.now() - started));
    return await decode<T>(res);
  }

  /** Writes `body` with PUT and decodes the answer. */
  async put<T>(path: string, body: unknown, w: WriteOptions = {}): Promise<T> {
    return await decode<T>(await this.#send("PUT", path, body, w));
  }

  /** Writes `body` with POST and decodes the answer. */
  async post<T>(path: string, body: unknown, w: WriteOptions = {}): Promise<T> {
    return await decode<T>(await this.#send("POST", path, body, w));
  }

  /** Sends a DELETE and decodes the answer. */
  async delete<T>(path: string, w: WriteOptions = {}): Promise<T> {
    return await decode<T>(await this.#send("DELETE", path, undefined, w));
  }

  /**
   * Repeats a blocking query, yielding the first answer and then each answer whose index moved
   * past the last one, until `signal` aborts (or at once when the agent sends no index): `for await (const eval of client.watch((q) => client.evaluations.info(id,
   * q))) ...`.
   *
   * @param read The query, given options with the index and wait time to block on.
   * @param opts Where to start (`index`, default 0), how long each request may block
   * (`waitTime` in nanoseconds, default 5 minutes) and when to stop.
   */
  async *watch<T>(
    read: (q: QueryOptions) => Promise<T>,
    opts: { index?: number; waitTime?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<T> {
    let index = opts.index ?? 0;
    let first = true;
    while (!opts.signal?.aborted) {
      let next = index;
      const value = await read({
        waitIndex: index,
        waitTime: opts.waitTime ?? 300e9,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onMeta: (m) => (next = m.lastIndex),
      });
      if (first || next > index) yield value;
      // An agent that does not index its answers cannot block: one answer is all there is.
      if (next === 0) return;
      first = false;
      index = Math.max(next, index);
    }
  }

  async #send(
    method: Method,
    path: string,
    body: unknown,
    o: QueryOptions & WriteOptions,
  ): Promise<TransportResponse> {
    const url = this.#requestUrl(path, o);
    const headers = new Headers();
    const token = o.token || this.#config.token;
    if (token !== "") headers.set("X-Nomad-Token", token);
    const auth = this.#basicAuth();
    if (auth) headers.set("Authorization", `Basic ${btoa(auth)}`);
    let text: string | undefined;
    if (body !== undefined) {
      text = JSON.stringify(body);
      headers.set("Content-Type", "application/json");
    }
    let res: TransportResponse;
    try {
      res = await this.#transport.send({
        method,
        url,
        headers,
        ...(text !== undefined ? { body: text } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      throw new RequestError(describeRequestFailure(method, this.#displayUrl(url), err), {
        cause: err,
      });
    }
    if (res.status !== 200) {
      const message = await res.text().catch(() => "");
      throw new UnexpectedResponseError(res.status, res.statusText, message);
    }
    return res;
  }

  #requestUrl(path: string, o: QueryOptions & WriteOptions): URL {
    const base = this.#url.protocol === "unix:" ? new URL("http://127.0.0.1") : this.#url;
    const url = new URL(path, base);
    const params = new URLSearchParams();
    const set = (k: string, v: string) => params.set(k, v);
    if (this.#region !== "") set("region", this.#region);
    if (this.#namespace !== "") set("namespace", this.#namespace);
    for (const [k, v] of url.searchParams) params.append(k, v);
    if (o.region) set("region", o.region);
    if (o.namespace) set("namespace", o.namespace);
    if (o.stale) set("stale", "");
    if (o.waitIndex) set("index", String(o.waitIndex));
    if (o.waitTime) set("wait", `${Math.floor(o.waitTime / 1e6)}ms`);
    if (o.prefix) set("prefix", o.prefix);
    if (o.filter) set("filter", o.filter);
    if (o.perPage) set("per_page", String(o.perPage));
    if (o.nextToken) set("next_token", o.nextToken);
    if (o.reverse) set("reverse", "true");
    if (o.idempotencyToken) set("idempotency_token", o.idempotencyToken);
    for (const [k, v] of Object.entries(o.params ?? {})) set(k, v);
    params.sort();
    url.search = params.toString();
    url.username = "";
    url.password = "";
    return url;
  }

  /** The URL as errors show it: the configured address with the request's path. */
  #displayUrl(url: URL): URL {
    if (this.#url.protocol !== "unix:") return url;
    return new URL(`http://127.0.0.1${url.pathname}${url.search}`);
  }

  #basicAuth(): string | undefined {
    if (this.#url.username !== "") {
      return `${decodeURIComponent(this.#url.username)}:${decodeURIComponent(this.#url.password)}`;
    }
    const a = this.#config.httpAuth;
    return a ? `${a.username}:${a.password}` : undefined;
  }
}

/** Parses an agent address; `unix:///path` names a socket. */
function parseAddress(address: string): URL {
  try {
    return new URL(address);
  } catch (err) {
    throw new Error(`invalid address '${address}': ${(err as Error).message}`, { cause: err });
  }
}

function queryMeta(res: TransportResponse, requestTime: number): QueryMeta {
  const num = (name: string) => {
    const n = Number(res.headers.get(name) ?? "0");
    return Number.isFinite(n) ? n : 0;
  };
  return {
    lastIndex: num("X-Nomad-Index"),
    lastContact: num("X-Nomad-LastContact"),
    knownLeader: res.headers.get("X-Nomad-KnownLeader") === "true",
    nextToken: res.headers.get("X-Nomad-NextToken") ?? "",
    requestTime,
  };
}

async function decode<T>(res: TransportResponse): Promise<T> {
  const text = await res.text();
  if (text.trim() === "") return null as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`Failed to decode the agent's answer: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
