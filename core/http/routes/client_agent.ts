/**
 * The HTTP API of a client-only agent (no server in the process), as Nomad's: the client
 * endpoints (`/v1/client/...`) for its own allocations, `/v1/agent/self`, `servers` and
 * `health` answered locally, and every other `/v1` request forwarded to a server (Nomad
 * forwards them over RPC; nomad-ts proxies them to a server's HTTP API, its answer streamed
 * back as it comes).
 *
 * A client request for an allocation of another node is sent to a server too, which proxies it
 * to that node's agent.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { ClientApi } from "../../client/api.ts";
import { CodedError, type HttpLogger } from "../errors.ts";
import { respond } from "../respond.ts";
import { uiRoutes } from "./ui.ts";
import { type ClientLocator, forward, HOPS_HEADER, unknownAllocation } from "./_client_forward.ts";
import { addresses, type HealthAgent, NO_MEMBER, selfBody } from "./agent.ts";
import { clientAllocRoutes } from "./client_allocs.ts";
import { clientFsRoutes } from "./client_fs.ts";
import { compareStrings } from "./_util.ts";
import type { AgentInfo } from "./deps.ts";

/** Nomad's answer when a client has no server to send a request to. */
export const ERR_NO_SERVERS = "no servers";

/** What a client-only agent's routes need. */
export interface ClientAgentDeps {
  readonly client: ClientApi;
  /** The agent (`client` describes the server list). */
  readonly agent: AgentInfo;
  /** Base URLs of the servers' HTTP APIs (`http://10.0.0.1:4646`), tried in turn. */
  readonly serverUrls: () => readonly string[];
  readonly logger: HttpLogger;
  /** The `{}` heartbeat interval of file and log streams, ms (default 1000). */
  readonly streamHeartbeatMs?: number;
}

function noServers(cause: unknown): CodedError {
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new CodedError(500, `${ERR_NO_SERVERS}${why}`, { cause });
}

/**
 * The locator of a client-only agent: an allocation is looked up on the servers
 * (`GET /v1/allocation/:id`); this node's are served here, others through the servers.
 */
export function serverLocator(
  client: ClientApi,
  serverUrls: () => readonly string[],
): ClientLocator {
  const remote = () => ({ kind: "remote" as const, urls: serverUrls() });
  return {
    async alloc(c: Context, allocId: string) {
      const headers = new Headers();
      for (const h of ["X-Nomad-Token", "Authorization"]) {
        const v = c.req.header(h);
        if (v) headers.set(h, v);
      }
      headers.set(HOPS_HEADER, "1");
      const region = new URL(c.req.url).searchParams.get("region");
      const query = region ? `?region=${encodeURIComponent(region)}` : "";
      let lastError: unknown = new Error("the client knows no server");
      for (const base of serverUrls()) {
        let res: Response;
        try {
          res = await fetch(`${base}/v1/allocation/${encodeURIComponent(allocId)}${query}`, {
            headers,
            signal: c.req.raw.signal,
          });
        } catch (err) {
          if (c.req.raw.signal.aborted) throw err;
          lastError = err;
          continue;
        }
        if (res.status === 404) {
          await res.body?.cancel();
          throw unknownAllocation(allocId);
        }
        if (!res.ok) throw new CodedError(res.status, await res.text());
        const alloc = await res.json() as { NodeID?: string };
        return alloc.NodeID === client.nodeId ? { kind: "local" } : remote();
      }
      throw noServers(lastError);
    },
    node(_c: Context, nodeId: string) {
      if (nodeId === "" || nodeId === client.nodeId) return Promise.resolve({ kind: "local" });
      return Promise.resolve(remote());
    },
  };
}

/** Registers the routes of a client-only agent; see the module documentation. */
export function clientAgentRoutes(app: Hono, deps: ClientAgentDeps): void {
  const { agent, client } = deps;
  const clientDeps = {
    client,
    locator: serverLocator(client, deps.serverUrls),
    logger: deps.logger,
    ...(deps.streamHeartbeatMs === undefined ? {} : { streamHeartbeatMs: deps.streamHeartbeatMs }),
  };
  clientFsRoutes(app, clientDeps);
  clientAllocRoutes(app, clientDeps);

  app.get("/v1/agent/self", (c) => respond(c, selfBody(agent, NO_MEMBER)));

  app.get("/v1/agent/servers", (c) => {
    return respond(c, [...(agent.client?.servers() ?? [])].sort(compareStrings));
  });

  app.on(["PUT", "POST"], "/v1/agent/servers", async (c) => {
    const servers = addresses(c);
    if (servers.length === 0) throw new CodedError(400, "missing server address");
    try {
      await agent.client?.setServers(servers);
    } catch (e) {
      throw new CodedError(400, (e as Error).message, { cause: e });
    }
    return respond(c, undefined);
  });

  app.get("/v1/agent/health", (c) => {
    const types = new URL(c.req.url).searchParams.getAll("type");
    const health: { client?: HealthAgent; server?: HealthAgent } = {};
    if (types.includes("server")) health.server = { ok: false, message: "server not enabled" };
    if (types.length === 0 || types.includes("client")) {
      health.client = (agent.client?.servers() ?? []).length === 0
        ? { ok: false, message: "no known servers" }
        : { ok: true, message: "ok" };
    }
    const ok = health.client?.ok !== false && health.server?.ok !== false;
    if (ok) return respond(c, health);
    throw new CodedError(500, JSON.stringify(health));
  });

  app.all("/v1/*", (c) => forward(c, deps.serverUrls(), { unreachable: noServers }));
  // The web UI works on a client agent too: its API calls come back here and are forwarded.
  uiRoutes(app);
}
