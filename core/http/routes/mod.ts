/**
 * Nomad's `/v1` HTTP API over the server and the state store: jobs, allocations,
 * evaluations, deployments, nodes, the agent, status, regions, operator, search, system,
 * namespaces, metrics and the event stream, the client endpoints (`/v1/client/...`, served by
 * this agent's client or forwarded to the node's agent), plus the internal client endpoints under
 * `/v1/internal/` that stand in for Nomad's client RPCs until the RPC layer exists.
 *
 * Reads take state snapshots and block on the tables Nomad's RPCs watch; writes go through
 * {@link RouteDeps.server}. Paths, verbs, JSON shapes, status codes and error texts are
 * Nomad's.
 *
 * @module
 */
import type { Hono } from "hono";
import { agentRoutes } from "./agent.ts";
import { allocRoutes } from "./allocs.ts";
import { stateLocator } from "./_client_forward.ts";
import { clientAllocRoutes } from "./client_allocs.ts";
import { clientFsRoutes } from "./client_fs.ts";
import { clusterRoutes } from "./cluster.ts";
import type { RouteDeps } from "./deps.ts";
import { deploymentRoutes } from "./deployments.ts";
import { evalRoutes } from "./evals.ts";
import { eventRoutes } from "./events.ts";
import { internalRoutes } from "./internal.ts";
import { jobRoutes } from "./job.ts";
import { jobsRoutes } from "./jobs.ts";
import { nodeRoutes } from "./nodes.ts";
import { operatorRoutes } from "./operator.ts";
import { searchRoutes } from "./search.ts";
import { uiRoutes } from "./ui.ts";

export type { AgentClientInfo, AgentInfo, RouteDeps } from "./deps.ts";
export type { ClientRouteDeps } from "./_client_deps.ts";
export {
  type ClientLocator,
  type ClientTarget,
  ERR_NO_NODE_CONN,
  forward,
  HOPS_HEADER,
  stateLocator,
} from "./_client_forward.ts";
export { clientAllocRoutes } from "./client_allocs.ts";
export { clientFsRoutes } from "./client_fs.ts";
export { encodeFrame, STREAM_HEARTBEAT_MS } from "./_client_stream.ts";
export * from "./stubs.ts";
export { ERR_ENTERPRISE_ONLY } from "./cluster.ts";
export { EVENT_HEARTBEAT_MS } from "./events.ts";

/**
 * Registers every `/v1` route on `app`, and the web UI under `/ui` (routes/ui.ts).
 *
 * @example
 * ```ts
 * const app = createApp({ routes: (app) => registerRoutes(app, deps), logger: deps.logger });
 * ```
 */
export function registerRoutes(app: Hono, deps: RouteDeps): void {
  jobsRoutes(app, deps);
  jobRoutes(app, deps);
  allocRoutes(app, deps);
  evalRoutes(app, deps);
  deploymentRoutes(app, deps);
  nodeRoutes(app, deps);
  internalRoutes(app, deps);
  agentRoutes(app, deps);
  clusterRoutes(app, deps);
  operatorRoutes(app, deps);
  searchRoutes(app, deps);
  eventRoutes(app, deps);
  const client = deps.client ?? null;
  const clientDeps = {
    client,
    locator: stateLocator(deps.state, () => client?.nodeId ?? "", deps.nodeScheme),
    logger: deps.logger,
    ...(deps.streamHeartbeatMs === undefined ? {} : { streamHeartbeatMs: deps.streamHeartbeatMs }),
  };
  clientFsRoutes(app, clientDeps);
  clientAllocRoutes(app, clientDeps);
  uiRoutes(app);
}
