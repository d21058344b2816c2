/**
 * The agent's HTTP API: Nomad's `/v1` routes (core/http/routes) on the Hono application with
 * Nomad's conventions (core/http/app.ts) — the whole API over a server ({@link createApi}), or
 * a client-only agent's, which forwards what it does not serve ({@link createClientAgentApi}).
 *
 * @module
 */
import type { Hono } from "hono";
import { createApp } from "./app.ts";
import { type ClientAgentDeps, clientAgentRoutes } from "./routes/client_agent.ts";
import { registerRoutes, type RouteDeps } from "./routes/mod.ts";
import { leaderForwarding, type Leadership } from "./leader_forward.ts";

export type { AgentClientInfo, AgentInfo, RouteDeps } from "./routes/mod.ts";
export type { ClientAgentDeps } from "./routes/client_agent.ts";

/** Options of {@link createApi} besides what the routes need. */
export interface ApiOptions {
  /** Headers added to every response (the agent's `http_api_response_headers`). */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /**
   * On a server that shares its state with others: forward writes and consistent reads to
   * the leader's RPC address (`scheme`: `https` with RPC TLS) while this server follows.
   */
  readonly leadership?: { readonly of: Leadership; readonly scheme: string };
}

/**
 * Creates the `/v1` API over a server, its state store, the metrics registry and the agent.
 *
 * @example
 * ```ts
 * const app = createApi({ server, state, metrics, agent, logger: consoleLogger });
 * Deno.serve({ hostname: "127.0.0.1", port: 4646 }, app.fetch);
 * ```
 */
export function createApi(deps: RouteDeps, options: ApiOptions = {}): Hono {
  const { leadership, ...appOptions } = options;
  return createApp({
    ...appOptions,
    logger: deps.logger,
    routes: (app) => {
      if (leadership) app.use(leaderForwarding(leadership.of, leadership.scheme));
      registerRoutes(app, deps);
    },
  });
}

/**
 * Creates the `/v1` API of a client-only agent: the client endpoints and the agent's own
 * `self`, `servers` and `health` answered here, every other request proxied to a server.
 *
 * @example
 * ```ts
 * const app = createClientAgentApi({ client, agent, serverUrls: () => ["http://10.0.0.1:4646"], logger });
 * Deno.serve({ hostname: "0.0.0.0", port: 4646 }, app.fetch);
 * ```
 */
export function createClientAgentApi(deps: ClientAgentDeps, options: ApiOptions = {}): Hono {
  return createApp({
    ...options,
    logger: deps.logger,
    routes: (app) => clientAgentRoutes(app, deps),
  });
}
