/**
 * {@linkcode ServerRpc} over HTTP: the client calls a server's `/v1/internal/*` endpoints (see
 * core/http/routes/internal.ts). It keeps a list of server addresses and sticks to the one that
 * last answered; when a call cannot reach it (connection refused, timeout, a 5xx answer) it
 * moves to the next, backing off between rounds, up to `attempts` tries. A 4xx answer is the
 * server's word and is never retried: it becomes `ValidationError` (400),
 * `PermissionDeniedError` (403), `NotFoundError` (404) or `ConflictError` (409).
 *
 * TLS: addresses without a scheme use `https://` when `tls` is given, and the client trusts
 * `tls.caCerts` and presents `tls.cert`/`tls.key` (mutual TLS), through `Deno.createHttpClient`.
 *
 * @example
 * ```ts
 * const rpc = new HttpServerRpc({ servers: ["10.0.0.1:4646", "10.0.0.2:4646"] });
 * const reg = await rpc.registerNode(node, { token: node.SecretID });
 * reg.HeartbeatTTL; // nanoseconds
 * ```
 *
 * @module
 */
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "../structs/errors.ts";
import type { Node } from "../structs/mod.ts";
import {
  type AllocsResult,
  type AllocUpdate,
  type BlockingCallOptions,
  type ClientAllocsResult,
  type GetAllocsOptions,
  type NodeUpdateResult,
  type RpcCallOptions,
  RpcError,
  type ServerRpc,
} from "./server_rpc.ts";
import { sleep } from "../structs/sleep.ts";

/** TLS material in PEM. */
export interface HttpRpcTls {
  /** CAs to trust besides the system's. */
  caCerts?: string[];
  /** The client certificate chain (mutual TLS). */
  cert?: string;
  /** The client certificate's key. */
  key?: string;
}

/** Options of {@linkcode HttpServerRpc}. */
export interface HttpRpcOptions {
  /** Server HTTP addresses, `host:port` or URLs. */
  servers: readonly string[];
  /** `?region=`; default the server's. */
  region?: string;
  /** Use HTTPS with this material. */
  tls?: HttpRpcTls;
  /** The deadline of a non-blocking call, in ms; default 30 s. */
  timeoutMs?: number;
  /** Tries per call across servers; default the larger of 3 and the number of servers. */
  attempts?: number;
  /** The first pause after a round of failures, in ms (doubles each round); default 250. */
  backoffMs?: number;
  /** The longest pause, in ms; default 5 s. */
  maxBackoffMs?: number;
  /** Replaces `fetch` (tests). */
  fetch?: typeof fetch;
}

const DEFAULT_WAIT_MS = 300_000;

interface Request {
  method: "GET" | "PUT" | "POST";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  rpc: string;
  blocking?: boolean;
  timeoutMs: number;
}

function normalizeAddr(addr: string, tls: boolean): string {
  const trimmed = addr.trim().replace(/\/+$/, "");
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  return `${tls ? "https" : "http"}://${trimmed}`;
}

function answerError(rpc: string, status: number, text: string): Error {
  const message = text.trim() || `${rpc} failed with HTTP ${status}`;
  switch (status) {
    case 400:
      return new ValidationError(message, []);
    case 401:
    case 403:
      return new PermissionDeniedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new RpcError(rpc, status, `${rpc} failed: ${message}`);
  }
}

/** {@linkcode ServerRpc} against the servers' HTTP API. */
export class HttpServerRpc implements ServerRpc {
  #servers: string[];
  #current = 0;
  readonly #opts: HttpRpcOptions;
  readonly #client: Deno.HttpClient | null;
  readonly #fetch: typeof fetch;

  /** @throws {TypeError} when `servers` is empty. */
  constructor(opts: HttpRpcOptions) {
    this.#opts = opts;
    this.#servers = [];
    this.setServers(opts.servers);
    const tls = opts.tls;
    this.#client = tls && (tls.caCerts?.length || tls.cert)
      ? Deno.createHttpClient({
        ...(tls.caCerts ? { caCerts: tls.caCerts } : {}),
        ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      })
      : null;
    this.#fetch = opts.fetch ?? fetch;
  }

  servers(): string[] {
    return this.#servers.map((s) => s.replace(/^https?:\/\//, ""));
  }

  setServers(addresses: readonly string[]): void {
    const list = addresses.filter((a) => a.trim() !== "");
    if (list.length === 0) {
      throw new TypeError(
        "Cannot talk to the servers: the server list is empty; set client.servers",
      );
    }
    this.#servers = list.map((a) => normalizeAddr(a, this.#opts.tls !== undefined));
    this.#current = 0;
  }

  close(): void {
    this.#client?.close();
  }

  async registerNode(node: Node, opts: RpcCallOptions = {}): Promise<NodeUpdateResult> {
    const { body } = await this.#call({
      method: "PUT",
      path: "/v1/internal/node/register",
      body: { Node: node },
      rpc: "Node.Register",
      timeoutMs: this.#timeout(),
    }, { token: opts.token ?? node.SecretID, ...(opts.signal ? { signal: opts.signal } : {}) });
    return body as NodeUpdateResult;
  }

  async updateStatus(
    nodeId: string,
    status: string,
    opts: RpcCallOptions = {},
  ): Promise<NodeUpdateResult> {
    const { body } = await this.#call({
      method: "PUT",
      path: `/v1/internal/node/${encodeURIComponent(nodeId)}/status`,
      body: { NodeID: nodeId, Status: status },
      rpc: "Node.UpdateStatus",
      timeoutMs: this.#timeout(),
    }, opts);
    return body as NodeUpdateResult;
  }

  async getClientAllocs(
    nodeId: string,
    minIndex: number,
    opts: BlockingCallOptions = {},
  ): Promise<ClientAllocsResult> {
    const waitMs = opts.waitMs ?? DEFAULT_WAIT_MS;
    const { body, index } = await this.#call({
      method: "GET",
      path: `/v1/internal/node/${encodeURIComponent(nodeId)}/allocs`,
      query: { index: String(minIndex), wait: `${Math.max(1, Math.round(waitMs))}ms` },
      rpc: "Node.GetClientAllocs",
      blocking: true,
      // The server adds up to 1/16 of jitter to the wait.
      timeoutMs: waitMs * 1.0625 + this.#timeout(),
    }, opts);
    const allocs = (body as { Allocs?: Record<string, number> | null }).Allocs ?? {};
    return { allocs, index };
  }

  async getAllocs(ids: readonly string[], opts: GetAllocsOptions = {}): Promise<AllocsResult> {
    const query: Record<string, string> = {};
    if (opts.minIndex !== undefined && opts.minIndex > 0) query.index = String(opts.minIndex);
    const { body, index } = await this.#call({
      method: "POST",
      path: "/v1/internal/allocs/get",
      query,
      body: { AllocIDs: ids },
      rpc: "Alloc.GetAllocs",
      blocking: opts.minIndex !== undefined,
      timeoutMs: opts.minIndex !== undefined ? DEFAULT_WAIT_MS + this.#timeout() : this.#timeout(),
    }, opts);
    return { allocs: (body as { Allocs?: AllocsResult["allocs"] }).Allocs ?? [], index };
  }

  async updateAllocs(
    updates: readonly AllocUpdate[],
    opts: RpcCallOptions = {},
  ): Promise<{ index: number }> {
    const { index } = await this.#call({
      method: "POST",
      path: "/v1/internal/allocs/update",
      body: { Alloc: updates },
      rpc: "Node.UpdateAlloc",
      timeoutMs: this.#timeout(),
    }, opts);
    return { index };
  }

  #timeout(): number {
    return this.#opts.timeoutMs ?? 30_000;
  }

  async #call(req: Request, opts: RpcCallOptions): Promise<{ body: unknown; index: number }> {
    const attempts = this.#opts.attempts ?? Math.max(3, this.#servers.length);
    const base = this.#opts.backoffMs ?? 250;
    const max = this.#opts.maxBackoffMs ?? 5_000;
    const failures: string[] = [];
    let lastStatus = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      opts.signal?.throwIfAborted();
      if (attempt > 0 && attempt % this.#servers.length === 0) {
        const round = attempt / this.#servers.length;
        await sleep(Math.min(max, base * 2 ** (round - 1)), opts.signal);
        opts.signal?.throwIfAborted();
      }
      const server = this.#servers[this.#current % this.#servers.length]!;
      try {
        const res = await this.#once(server, req, opts);
        if (res.status >= 500) {
          lastStatus = res.status;
          failures.push(`${server}: HTTP ${res.status}: ${(await res.text()).trim()}`);
          this.#current = (this.#current + 1) % this.#servers.length;
          continue;
        }
        if (!res.ok) throw answerError(req.rpc, res.status, await res.text());
        const index = Number(res.headers.get("X-Nomad-Index") ?? "0") || 0;
        const body = await res.json();
        return { body, index };
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (!(err instanceof TypeError) && !(err instanceof DOMException)) throw err;
        failures.push(`${server}: ${(err as Error).message}`);
        this.#current = (this.#current + 1) % this.#servers.length;
      }
    }
    throw new RpcError(
      req.rpc,
      lastStatus,
      `Cannot ${req.rpc}: no server answered after ${attempts} tries (${
        failures.slice(-this.#servers.length).join("; ")
      }); check client.servers and that the servers are running`,
    );
  }

  async #once(server: string, req: Request, opts: RpcCallOptions): Promise<Response> {
    const url = new URL(server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    if (this.#opts.region) url.searchParams.set("region", this.#opts.region);
    const headers: Record<string, string> = {};
    if (opts.token) headers["X-Nomad-Token"] = opts.token;
    if (req.body !== undefined) headers["Content-Type"] = "application/json";
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    const init: RequestInit & { client?: Deno.HttpClient } = {
      method: req.method,
      headers,
      signal,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      ...(this.#client ? { client: this.#client } : {}),
    };
    return await this.#fetch(url, init);
  }
}
