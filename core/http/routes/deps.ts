/**
 * What the `/v1` routes stand on: the server facade for writes, the state store for reads,
 * the metrics registry, and what the agent knows about itself. The agent builds one
 * {@link RouteDeps} and hands it to `createApi`.
 *
 * @module
 */
import type { ClientApi } from "../../client/api.ts";
import type { StateStore } from "../../state/mod.ts";
import type { ServerApi } from "../../server/api.ts";
import type { MetricsRegistry } from "../../structs/metrics.ts";
import type { HttpLogger } from "../errors.ts";

/** The client half of an agent, as `/v1/agent/servers` and `/v1/agent/health` see it. */
export interface AgentClientInfo {
  /** The servers the client talks to, `ip:port`. */
  servers(): string[];
  /** Replaces the client's server list (`PUT /v1/agent/servers?address=`). */
  setServers(addresses: readonly string[]): void | Promise<void>;
}

/** What the agent knows about itself, for the `/v1/agent/*` endpoints. */
export interface AgentInfo {
  /**
   * The agent's configuration as `GET /v1/agent/self` shows it under `config` (Nomad's
   * `Config` struct, PascalCase), with secrets already redacted.
   */
  config(): Record<string, unknown>;
  /** Runtime statistics by subsystem (`nomad`, `runtime`, ...), every value a string. */
  stats(): Record<string, Record<string, string>>;
  /** The client half of this agent; absent or `null` on a server-only agent. */
  readonly client?: AgentClientInfo | null;
  /**
   * Joins the servers at `addresses` (`POST /v1/agent/join`) and answers how many were
   * joined. Absent while servers cannot form clusters: the endpoint then reports an error.
   */
  join?(addresses: readonly string[]): Promise<number>;
  /** Serve `GET /v1/metrics?format=prometheus` (`telemetry.prometheus_metrics`). */
  readonly prometheusMetrics?: boolean;
}

/**
 * The servers' gossip pool as `PUT /v1/agent/join` and `PUT /v1/agent/force-leave` change it
 * (Nomad's Serf). Without one, the routes use a pool of this server alone (see
 * `_membership.ts`); the cluster work plugs the real one in here.
 */
export interface Membership {
  /**
   * Joins the pools of the servers at `addresses` (`host`, `host:port`; the port defaults to
   * the Serf port) and resolves with how many answered. Succeeds when one did.
   *
   * @throws {Error} When none could be joined; the message (Nomad's multi-error text, e.g.
   * `1 error occurred:\n\t* Failed to join 10.0.0.9:4648: ...`) is what the endpoint answers in
   * `error`.
   */
  join(addresses: readonly string[]): Promise<number>;
  /**
   * Forces member `node` (`name.region`) into the `left` state; `prune` also drops it from the
   * member list at once. As in Nomad, an unknown member is no error.
   */
  forceLeave(node: string, prune: boolean): Promise<void>;
}

/** The levels `GET /v1/agent/monitor` streams at (hclog's, upper case). */
export type MonitorLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "OFF";

/** Where `GET /v1/agent/monitor` gets the agent's log lines (the agent's `LogOutput`). */
export interface LogSource {
  /**
   * The log lines at `level` and above (without newlines), as they are logged, until `signal`
   * aborts. Must never hold the logger up: a slow reader loses lines instead.
   */
  subscribe(opts: { level: MonitorLevel; json: boolean; signal: AbortSignal }): AsyncIterable<
    string
  >;
}

/** Everything the `/v1` routes need. */
export interface RouteDeps {
  /** Writes go through the server, as Nomad's handlers call its RPC endpoints. */
  readonly server: ServerApi;
  /** Reads take snapshots of the state store; blocking queries wait on it. */
  readonly state: StateStore;
  /** What `GET /v1/metrics` reports. */
  readonly metrics: MetricsRegistry;
  readonly agent: AgentInfo;
  readonly logger: HttpLogger;
  /**
   * How often the event stream sends a `{}` heartbeat, in milliseconds (default 30000, as
   * Nomad). Tests make it short.
   */
  readonly eventHeartbeatMs?: number;
  /**
   * This agent's client, serving `/v1/client/...` for its own allocations; absent or `null`
   * on a server-only agent. Requests for other nodes are forwarded to their agents.
   */
  readonly client?: ClientApi | null;
  /**
   * How often a file or log stream sends a `{}` heartbeat while idle, in milliseconds
   * (default 1000, as Nomad).
   */
  readonly streamHeartbeatMs?: number;
  /** The scheme used to reach other nodes' HTTP APIs (default `http`). */
  readonly nodeScheme?: "http" | "https";
  /** The servers' gossip pool; absent or `null`: this server alone. */
  readonly membership?: Membership | null;
  /**
   * The agent's log for `GET /v1/agent/monitor`. When absent, a {@link logger} that can be
   * subscribed to (the agent's `Logger` can) is used.
   */
  readonly logs?: LogSource | null;
}
