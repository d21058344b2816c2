/**
 * `/v1/agent/self`, `members`, `servers`, `join`, `force-leave`, `health` and `monitor`. As in
 * Nomad, `self`, `join` and `health` answer lower-case keys; `servers` is a client endpoint (501
 * on a server-only agent). `join` and `force-leave` go through {@link RouteDeps.membership}
 * (this server alone when there is none); `monitor` streams the agent's log (see
 * `_agent_monitor.ts`).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { ServerMember } from "../../server/api.ts";
import { CodedError, ERR_INVALID_METHOD } from "../errors.ts";
import { respond } from "../respond.ts";
import { queryBool } from "../query.ts";
import { monitorRoute } from "./_agent_monitor.ts";
import { localMembership } from "./_membership.ts";
import { compareStrings, readOptions } from "./_util.ts";
import type { Membership, RouteDeps } from "./deps.ts";

/** One side of `GET /v1/agent/health`. */
export interface HealthAgent {
  ok: boolean;
  message?: string;
}

/** The `member` of `/v1/agent/self` on an agent that is no server (Nomad's zero `serf.Member`). */
export const NO_MEMBER: Readonly<Record<string, unknown>> = {
  Name: "",
  Addr: null,
  Port: 0,
  Tags: null,
  Status: "none",
  ProtocolMin: 0,
  ProtocolMax: 0,
  ProtocolCur: 0,
  DelegateMin: 0,
  DelegateMax: 0,
  DelegateCur: 0,
};

/** The answer of `GET /v1/agent/self` (lower-case keys, as Nomad). */
export function selfBody(agent: RouteDeps["agent"], member: unknown): Record<string, unknown> {
  return { config: agent.config(), member, stats: agent.stats() };
}

/** The addresses of `?address=` (repeated). */
export function addresses(c: Context): string[] {
  return new URL(c.req.url).searchParams.getAll("address");
}

/**
 * The gossip pool the routes change: {@link RouteDeps.membership}, else this server alone (with
 * `agent.join` for joins when the agent has one).
 */
export function membershipOf(deps: RouteDeps): Membership {
  if (deps.membership) return deps.membership;
  const local = localMembership({
    members: () => deps.server.members(),
    forceLeave: (node, prune) => deps.server.forceLeave(node, prune),
  });
  const agent = deps.agent;
  if (agent.join === undefined) return local;
  return { join: (addresses) => agent.join!(addresses), forceLeave: local.forceLeave };
}

/** Registers the agent endpoints. */
export function agentRoutes(app: Hono, deps: RouteDeps): void {
  const { server, agent } = deps;

  const localMember = (): ServerMember | undefined => {
    const members = server.members();
    return members.find((m) => m.Name === server.name) ?? members[0];
  };

  app.get("/v1/agent/self", (c) => {
    const member = localMember();
    return respond(c, selfBody(agent, member ?? NO_MEMBER));
  });

  app.get("/v1/agent/members", (c) => {
    readOptions(c, deps);
    return respond(c, {
      ServerName: server.name.endsWith(`.${server.region}`)
        ? server.name.slice(0, -server.region.length - 1)
        : server.name,
      ServerRegion: server.region,
      ServerDC: server.datacenter,
      Members: server.members(),
    });
  });

  app.get("/v1/agent/servers", (c) => {
    const client = agent.client;
    if (!client) throw new CodedError(501, ERR_INVALID_METHOD);
    return respond(c, [...client.servers()].sort(compareStrings));
  });

  app.on(["PUT", "POST"], "/v1/agent/servers", async (c) => {
    const client = agent.client;
    if (!client) throw new CodedError(501, ERR_INVALID_METHOD);
    const servers = addresses(c);
    if (servers.length === 0) throw new CodedError(400, "missing server address");
    try {
      await client.setServers(servers);
    } catch (e) {
      throw new CodedError(400, (e as Error).message, { cause: e });
    }
    return respond(c, undefined);
  });

  const membership = membershipOf(deps);

  app.on(["PUT", "POST"], "/v1/agent/join", async (c) => {
    readOptions(c, deps);
    const addrs = addresses(c);
    if (addrs.length === 0) throw new CodedError(400, "missing address to join");
    let joined = 0;
    let error = "";
    try {
      joined = await membership.join(addrs);
    } catch (e) {
      error = (e as Error).message;
    }
    return respond(c, { num_joined: joined, error, warning: "" });
  });

  app.on(["PUT", "POST"], "/v1/agent/force-leave", async (c) => {
    readOptions(c, deps);
    const node = new URL(c.req.url).searchParams.get("node") ?? "";
    if (node === "") throw new CodedError(400, "missing node to force leave");
    let prune: boolean | undefined;
    try {
      prune = queryBool(c, "prune");
    } catch {
      throw new CodedError(400, "invalid prune value");
    }
    await membership.forceLeave(node, prune ?? false);
    return respond(c, undefined);
  });

  monitorRoute(app, deps);

  app.get("/v1/agent/health", (c) => {
    readOptions(c, deps);
    const types = new URL(c.req.url).searchParams.getAll("type");
    const wantClient = types.length === 0 || types.includes("client");
    const wantServer = types.length === 0 || types.includes("server");
    const health: { client?: HealthAgent; server?: HealthAgent } = {};
    if (types.includes("client")) health.client = { ok: false, message: "client not enabled" };
    const client = agent.client;
    if (wantClient && client) {
      health.client = client.servers().length === 0
        ? { ok: false, message: "no known servers" }
        : { ok: true, message: "ok" };
    }
    if (wantServer) {
      let leader = "";
      let failure = "";
      try {
        leader = server.leader();
      } catch (e) {
        failure = (e as Error).message;
      }
      health.server = failure !== ""
        ? { ok: false, message: failure }
        : leader === ""
        ? { ok: false, message: "no leader" }
        : { ok: true, message: "ok" };
    }
    const ok = health.client?.ok !== false && health.server?.ok !== false;
    if (ok) return respond(c, health);
    throw new CodedError(500, JSON.stringify(health));
  });
}
