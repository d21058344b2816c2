/**
 * Which agent serves a client endpoint, and forwarding the request there. Nomad routes a
 * client request to the local client when it runs the allocation (or is the node asked for),
 * else through the servers to the node's client over RPC. nomad-ts has no server-to-client
 * connection yet, so a request for another node is proxied to that node's HTTP API
 * (`http://<node.HTTPAddr>`), streamed answers passed through as they come; a client-only
 * agent proxies it to a server, which proxies it on.
 *
 * A forwarded request carries a hop count (`X-Nomad-Ts-Hops`); after two hops (client agent →
 * server → node) it is not forwarded again, so agents that disagree cannot loop.
 *
 * @module
 */
import type { Context } from "hono";
import type { StateStore } from "../../state/mod.ts";
import { CodedError } from "../errors.ts";

/** Nomad's answer when the node running an allocation cannot be reached. */
export const ERR_NO_NODE_CONN = "No path to node";
/** Nomad's answer for a client request with no local client and no `node_id`. */
export const ERR_NO_LOCAL_NODE = "No local Node and node_id not provided";
/** The header counting how many agents forwarded a request. */
export const HOPS_HEADER = "X-Nomad-Ts-Hops";
/** The most hops a forwarded request makes. */
export const MAX_HOPS = 2;

/** Where a client request is served. */
export type ClientTarget =
  | { readonly kind: "local" }
  | {
    readonly kind: "remote";
    /** Base URLs of the agents that can serve it (`http://10.0.0.5:4646`), tried in turn. */
    readonly urls: readonly string[];
  };

/** Finds the agent that serves an allocation's or a node's client endpoints. */
export interface ClientLocator {
  /**
   * @throws {CodedError} 404 `Unknown allocation "<id>"`, or `No path to node` when its node
   * has no HTTP address or is down or disconnected.
   */
  alloc(c: Context, allocId: string): Promise<ClientTarget>;
  /**
   * `nodeId` `""` means this agent's own node.
   *
   * @throws {CodedError} 400 `No local Node and node_id not provided`, 404 `Unknown node
   * "<id>"` or `No path to node`.
   */
  node(c: Context, nodeId: string): Promise<ClientTarget>;
}

/** `Unknown allocation "<id>"` (404), as Nomad's `NewErrUnknownAllocation`. */
export function unknownAllocation(id: string): CodedError {
  return new CodedError(404, `Unknown allocation ${JSON.stringify(id)}`);
}

/** `Unknown node "<id>"` (404), as Nomad's `NewErrUnknownNode`. */
export function unknownNode(id: string): CodedError {
  return new CodedError(404, `Unknown node ${JSON.stringify(id)}`);
}

function nodeUrl(httpAddr: string, scheme: string): string {
  if (httpAddr === "") throw new CodedError(404, ERR_NO_NODE_CONN);
  return `${scheme}://${httpAddr}`;
}

/**
 * The locator of an agent that runs a server: allocations and nodes are looked up in its
 * state; those of `localNodeId` (this agent's client, `""` without one) are served here, the
 * others by their node's agent.
 */
export function stateLocator(
  state: StateStore,
  localNodeId: () => string,
  scheme = "http",
): ClientLocator {
  const remoteNode = (nodeId: string): ClientTarget => {
    const node = state.snapshot().node(nodeId);
    if (node === undefined) throw unknownNode(nodeId);
    // A node that stopped heartbeating may not answer at all (a frozen agent accepts the
    // connection and never replies): as in Nomad, there is no path to it.
    if (node.Status === "down" || node.Status === "disconnected") {
      throw new CodedError(404, ERR_NO_NODE_CONN);
    }
    return { kind: "remote", urls: [nodeUrl(node.HTTPAddr, scheme)] };
  };
  return {
    alloc(_c, allocId) {
      const alloc = state.snapshot().alloc(allocId);
      if (alloc === undefined) return Promise.reject(unknownAllocation(allocId));
      const local = localNodeId();
      if (local !== "" && alloc.NodeID === local) return Promise.resolve({ kind: "local" });
      try {
        return Promise.resolve(remoteNode(alloc.NodeID));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    node(_c, nodeId) {
      const local = localNodeId();
      if (local !== "" && (nodeId === "" || nodeId === local)) {
        return Promise.resolve({ kind: "local" });
      }
      if (nodeId === "") return Promise.reject(new CodedError(400, ERR_NO_LOCAL_NODE));
      try {
        return Promise.resolve(remoteNode(nodeId));
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}

const HOP_BY_HOP = [
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "accept-encoding",
  "upgrade",
  "te",
  "trailer",
];

/** Options of {@link forward}. */
export interface ForwardOptions {
  /** The answer when no agent answers (default 404 `No path to node`). */
  readonly unreachable?: (cause: unknown) => CodedError;
}

/** Whether `c` may be forwarded once more. */
export function mayForward(c: Context): boolean {
  const hops = Number(c.req.header(HOPS_HEADER) ?? "0");
  return !(Number.isFinite(hops) && hops >= MAX_HOPS);
}

/**
 * Proxies the request to the agent at `base` (same path, query, method, headers and body) and
 * answers with its answer, the body streamed through. Tried on each of `bases` in turn until
 * one answers.
 *
 * @throws {CodedError} 404 `No path to node` when no agent answers or the request has made
 * {@link MAX_HOPS} hops already.
 */
export async function forward(
  c: Context,
  bases: string | readonly string[],
  opts: ForwardOptions = {},
): Promise<Response> {
  const unreachable = opts.unreachable ??
    ((cause: unknown) => new CodedError(404, ERR_NO_NODE_CONN, { cause }));
  if (!mayForward(c)) throw unreachable(new Error("too many hops"));
  const hops = Number(c.req.header(HOPS_HEADER) ?? "0") || 0;
  const src = new URL(c.req.url);
  const headers = new Headers(c.req.raw.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  headers.set(HOPS_HEADER, String(hops + 1));
  const method = c.req.method;
  const body = method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer();
  let lastError: unknown = new Error("no agent to forward to");
  for (const base of typeof bases === "string" ? [bases] : bases) {
    const url = base.replace(/\/+$/, "") + src.pathname + src.search;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        redirect: "manual",
        signal: c.req.raw.signal,
        ...(body === undefined ? {} : { body }),
      });
    } catch (err) {
      if (c.req.raw.signal.aborted) throw err;
      lastError = err;
      continue;
    }
    const out = new Headers(res.headers);
    for (const h of ["content-encoding", "content-length", "transfer-encoding", "connection"]) {
      out.delete(h);
    }
    return new Response(res.body, { status: res.status, headers: out });
  }
  throw unreachable(lastError);
}
